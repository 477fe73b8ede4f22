import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createMd5 } from './md5-pool.js';

it('computes MD5s in worker threads, many at once, whatever the chunking', async () => {
  const inputs = [Buffer.alloc(0), randomBytes(1), randomBytes(4 * 1024 * 1024), randomBytes(21 * 1024 * 1024 + 5), randomBytes(300_000)];
  const digests = await Promise.all(
    inputs.map(async (input, n) => {
      const md5 = createMd5();
      const step = [1, 7, 65536, 1 << 20, 3000][n] ?? 1;
      for (let offset = 0; offset < input.length; offset += step) {
        const chunk = Buffer.from(input.subarray(offset, offset + step));
        md5.update(chunk);
        chunk.fill(0); // the hasher copied what it needs
        await md5.capacity();
      }
      return md5.digest();
    }),
  );
  inputs.forEach((input, i) => assert.equal(digests[i]?.toString('hex'), createHash('md5').update(input).digest('hex')));
});
