import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { CorruptObjectFile, readTrailer, readTrailerSync, writeTrailer } from './trailer.js';

it('reads back short and long trailers after the data, and rejects files without one', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'salvia-trailer-'));
  try {
    for (const [dataSize, value] of [
      [0, { small: true }],
      [5, { small: 'x' }],
      [10_000, { big: 'é'.repeat(6000) }],
      [3, { big: 'y'.repeat(9000) }],
    ] as const) {
      const file = path.join(dir, `f-${dataSize}-${JSON.stringify(value).length}`);
      const handle = await open(file, 'w+');
      await handle.write(Buffer.alloc(dataSize, 1), 0, dataSize, 0);
      await writeTrailer(handle, dataSize, value);
      assert.deepEqual(await readTrailer(handle), { value, dataSize });
      await handle.close();
      assert.deepEqual(readTrailerSync(file), { value, dataSize });
    }
    const junk = path.join(dir, 'junk');
    await writeFile(junk, 'not an object file at all');
    assert.throws(() => readTrailerSync(junk), CorruptObjectFile);
    const handle = await open(junk, 'r');
    await assert.rejects(readTrailer(handle), CorruptObjectFile);
    await handle.close();
    assert.equal(readTrailerSync(path.join(dir, 'missing')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
