// S3 throughput and latency over loopback against a real `salvia server` (npm run bench:s3).
//
// For one large object (1 GiB by default; SALVIA_BENCH_MB to change): `cp` of the file on the same
// disk as the baseline, then PUT and GET through @aws-sdk/client-s3 and through raw HTTP (no SDK,
// UNSIGNED-PAYLOAD), GET written to a file on the same disk like cp. Then the median and p95
// latency of small (1 KiB) PutObject/GetObject, and the server's peak RSS (VmHWM). Prints a
// Markdown table for docs/benchmarks.md. curl runs the same transfers as a native client. Not part
// of the test suite.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import http from 'node:http';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, startServer } from '../test/helpers/server-process.js';

const megabytes = Number(process.env.SALVIA_BENCH_MB ?? 1024);
const size = megabytes * 1024 * 1024;
const smallRequests = Number(process.env.SALVIA_BENCH_SMALL ?? 200);

function mbPerSecond(bytes: number, ms: number): number {
  return Math.round((bytes / 1024 / 1024 / (ms / 1000)) * 10) / 10;
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0) * 100) / 100;
}

/** Peak and current RSS of a process, in MiB, from /proc. */
function memoryOf(pid: number): { peakMiB: number; currentMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peakMiB: Math.round(kib('VmHWM') / 1024), currentMiB: Math.round(kib('VmRSS') / 1024) };
}

function rawPut(base: URL, pathname: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: 'PUT',
        path: pathname,
        headers: { 'content-length': String(statSync(file).size), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(request);
  });
}

function rawGet(base: URL, pathname: string, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: base.hostname, port: base.port, path: pathname }, (response) => {
        pipeline(response, createWriteStream(target, { highWaterMark: 1 << 20 })).then(() => resolve(response.statusCode ?? 0), reject);
      })
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'salvia-bench-s3-'));
  const source = path.join(work, 'source.bin');
  const block = randomBytes(16 * 1024 * 1024);
  const fd = openSync(source, 'w');
  for (let written = 0; written < size; written += block.length) writeSync(fd, block, 0, Math.min(block.length, size - written));
  closeSync(fd);

  // Baseline: cp on the same disk (best of two, the source in the page cache as for the server).
  const cpMs = Math.min(
    ...[0, 1].map(() => {
      const start = performance.now();
      const result = spawnSync('cp', [source, path.join(work, 'cp-copy.bin')]);
      if (result.status !== 0) throw new Error(`cp failed: ${String(result.stderr)}`);
      const ms = performance.now() - start;
      rmSync(path.join(work, 'cp-copy.bin'));
      return ms;
    }),
  );

  const server = await startServer({ dataDir: path.join(work, 'data') });
  const s3 = new S3Client(clientConfig(server));
  const base = new URL(server.url);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const atStart = memoryOf(server.child.pid ?? 0);
    const sdkPutMs = await timed(() =>
      s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big-sdk', Body: createReadStream(source, { highWaterMark: 1 << 20 }), ContentLength: size })),
    );
    const rawPutMs = await timed(async () => {
      const status = await rawPut(base, '/bench/big-raw', source);
      if (status !== 200) throw new Error(`raw PUT answered ${status}`);
    });
    const sdkGetMs = await timed(async () => {
      const output = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big-sdk' }));
      await pipeline(output.Body as Readable, createWriteStream(path.join(work, 'get-sdk.bin'), { highWaterMark: 1 << 20 }));
    });
    if (statSync(path.join(work, 'get-sdk.bin')).size !== size) throw new Error('SDK GET returned a wrong size');
    rmSync(path.join(work, 'get-sdk.bin'));
    const rawGetMs = await timed(async () => {
      const status = await rawGet(base, '/bench/big-raw', path.join(work, 'get-raw.bin'));
      if (status !== 200) throw new Error(`raw GET answered ${status}`);
    });
    if (statSync(path.join(work, 'get-raw.bin')).size !== size) throw new Error('raw GET returned a wrong size');
    rmSync(path.join(work, 'get-raw.bin'));
    const rawGetDiscardMs = await timed(async () => {
      const status = await rawGet(base, '/bench/big-raw', '/dev/null');
      if (status !== 200) throw new Error(`raw GET answered ${status}`);
    });
    // curl as the client: a fast native client, so the figures are the server's, not Node's client.
    const curl = (args: string[], output = '/dev/null'): number => {
      const start = performance.now();
      const result = spawnSync('curl', ['-sS', '--fail', '-o', output, ...args]);
      if (result.status !== 0) throw new Error(`curl failed: ${String(result.stderr)}`);
      return performance.now() - start;
    };
    const curlPutMs = curl(['-X', 'PUT', '-H', 'content-type:', '-H', 'expect:', '-T', source, `${server.url}/bench/big-curl`]);
    const curlGetFileMs = curl([`${server.url}/bench/big-curl`], path.join(work, 'get-curl.bin'));
    if (statSync(path.join(work, 'get-curl.bin')).size !== size) throw new Error('curl GET returned a wrong size');
    rmSync(path.join(work, 'get-curl.bin'));
    const curlGetDiscardMs = curl([`${server.url}/bench/big-curl`]);
    const afterLarge = memoryOf(server.child.pid ?? 0);

    const small = randomBytes(1024);
    const putLatencies: number[] = [];
    const getLatencies: number[] = [];
    for (let i = 0; i < smallRequests; i++) {
      putLatencies.push(await timed(() => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `small/${i}`, Body: small }))));
    }
    for (let i = 0; i < smallRequests; i++) {
      getLatencies.push(
        await timed(async () => {
          const output = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: `small/${i}` }));
          await output.Body?.transformToByteArray();
        }),
      );
    }
    const memory = memoryOf(server.child.pid ?? 0);

    const results = {
      date: new Date().toISOString().slice(0, 10),
      machine: {
        nproc: cpus().length,
        memoryGiB: Math.round(totalmem() / 1024 ** 3),
        freeGiB: Math.round(freemem() / 1024 ** 3),
        node: process.version,
        loadAverage: loadavg().map((value) => Math.round(value * 10) / 10),
      },
      objectMiB: megabytes,
      cpMBps: mbPerSecond(size, cpMs),
      sdkPutMBps: mbPerSecond(size, sdkPutMs),
      rawPutMBps: mbPerSecond(size, rawPutMs),
      sdkGetMBps: mbPerSecond(size, sdkGetMs),
      rawGetMBps: mbPerSecond(size, rawGetMs),
      rawGetDiscardMBps: mbPerSecond(size, rawGetDiscardMs),
      curlPutMBps: mbPerSecond(size, curlPutMs),
      curlGetFileMBps: mbPerSecond(size, curlGetFileMs),
      curlGetDiscardMBps: mbPerSecond(size, curlGetDiscardMs),
      smallPutMedianMs: percentile(putLatencies, 0.5),
      smallPutP95Ms: percentile(putLatencies, 0.95),
      smallGetMedianMs: percentile(getLatencies, 0.5),
      smallGetP95Ms: percentile(getLatencies, 0.95),
      serverPeakRssMiB: memory.peakMiB,
      serverRssAfterLargeMiB: afterLarge.currentMiB,
      serverPeakRssAtStartMiB: atStart.peakMiB,
    };
    console.log(JSON.stringify(results, null, 2));
    console.log(
      [
        '',
        `| ${results.date} | ${results.machine.nproc} CPUs, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, load ${results.machine.loadAverage.join(' ')} | ${megabytes} MiB object |`,
        '| --- | --- | --- |',
        `| cp (same disk) | ${results.cpMBps} MB/s | baseline |`,
        `| PUT, @aws-sdk/client-s3 (aws-chunked + CRC32 trailer) | ${results.sdkPutMBps} MB/s | |`,
        `| PUT, raw HTTP (UNSIGNED-PAYLOAD) | ${results.rawPutMBps} MB/s | |`,
        `| GET, @aws-sdk/client-s3, to a file | ${results.sdkGetMBps} MB/s | aim ≥ ${Math.round(results.cpMBps / 2)} MB/s (½ cp) |`,
        `| GET, raw HTTP, to a file | ${results.rawGetMBps} MB/s | aim ≥ ${Math.round(results.cpMBps / 2)} MB/s (½ cp) |`,
        `| GET, raw HTTP, to /dev/null | ${results.rawGetDiscardMBps} MB/s | |`,
        `| PUT, curl -T | ${results.curlPutMBps} MB/s | |`,
        `| GET, curl, to a file | ${results.curlGetFileMBps} MB/s | aim ≥ ${Math.round(results.cpMBps / 2)} MB/s (½ cp) |`,
        `| GET, curl, to /dev/null | ${results.curlGetDiscardMBps} MB/s | server side alone |`,
        `| 1 KiB PutObject latency | median ${results.smallPutMedianMs} ms, p95 ${results.smallPutP95Ms} ms | ${smallRequests} sequential requests |`,
        `| 1 KiB GetObject latency | median ${results.smallGetMedianMs} ms, p95 ${results.smallGetP95Ms} ms | ${smallRequests} sequential requests |`,
        `| server peak RSS (VmHWM) | ${results.serverPeakRssMiB} MiB (${results.serverPeakRssAtStartMiB} MiB before the first transfer) | flat: bodies stream, ${Math.round((6 * size) / 1024 ** 3)} GiB moved |`,
      ].join('\n'),
    );
  } finally {
    s3.destroy();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
