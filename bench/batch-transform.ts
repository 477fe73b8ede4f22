// Batch transform throughput (npm run bench:transform). Not part of the test suite.
//
// A CSV of SALVIA_BENCH_ROWS rows (default 1,000,000) × 10 features and a binary:logistic XGBoost
// model (100 trees, depth 6) trained directly with xgboost (bench/fixtures/xgboost-batch). In the
// same run, alternating for SALVIA_BENCH_RUNS rounds (default 2):
//   direct    — the same model scoring the same file in one Python process, the process's wall time
//               (interpreter start and imports included, as the job includes its model server's):
//               numpy.loadtxt, Booster.inplace_predict, one score per line to a file — the same calls
//               the model server makes; with xgboost's default threads and with nthread 1 (the faster
//               of the two is the limit);
//   serving   — the built-in XGBoost model server (`python -m salvia_algorithms.xgboost serve`, as
//               the platform starts it, SAGEMAKER_BATCH=true) fed directly by this process: the file
//               cut into 6 MB MultiRecord batches by src/transform/records, MaxConcurrentTransforms
//               requests in flight (from GET /execution-parameters), responses written in order —
//               the serving path without S3, hosting or the job's bookkeeping;
//   transform — a transform job through the platform (JS SDK; built-in XGBoost image, ml.m5.large,
//               Line split, MultiRecord, ContentType and Accept text/csv, AssembleWith Line,
//               MaxPayloadInMB/MaxConcurrentTransforms left to /execution-parameters), timed from
//               CreateTransformJob to Completed (DescribeTransformJob polled every 100 ms).
// Every output is checked to be byte-identical to the direct one. Prints Markdown for
// docs/benchmarks.md.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelCommand, CreateTransformJobCommand, DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
import { ContainerClient } from '../src/hosting/index.js';
import { recordBatches } from '../src/transform/records/index.js';
import { algorithmPython, images } from '../test/e2e/builtin-harness.js';
import { role } from '../test/e2e/training-harness.js';
import { memoryMib } from '../test/e2e/endpoints-harness.js';
import { unusedPort } from '../test/helpers/free-port.js';
import { repoRoot } from '../test/helpers/server-process.js';
import { benchEnv } from './bench-env.js';

const execFileAsync = promisify(execFile);
const rows = Number(process.env['SALVIA_BENCH_ROWS'] ?? 1_000_000);
const runs = Number(process.env['SALVIA_BENCH_RUNS'] ?? 2);
const fixture = path.join(repoRoot, 'bench/fixtures/xgboost-batch/xgboost_batch.py');

const rate = (seconds: number): string => `${Math.round(rows / seconds).toLocaleString('en-US')} rec/s`;
const secs = (seconds: number): string => `${seconds.toFixed(2)} s`;

/** One direct run: wall time of the process and its phases. */
async function direct(dir: string, nthread: number): Promise<{ wall: number; read: number; predict: number; write: number }> {
  const start = performance.now();
  const { stdout } = await execFileAsync(algorithmPython, [fixture, 'direct', dir, String(nthread)]);
  const wall = (performance.now() - start) / 1000;
  const phases = JSON.parse(stdout) as { readSeconds: number; predictSeconds: number; writeSeconds: number };
  return { wall, read: phases.readSeconds, predict: phases.predictSeconds, write: phases.writeSeconds };
}

/** POSTs/GETs through hosting's ContainerClient (the keep-alive client the transform runner uses). */
function request(client: ContainerClient, method: 'GET' | 'POST', route: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  const csv = body ? { body, headers: { 'content-type': 'text/csv', accept: 'text/csv' } } : {};
  return client.request({ method, path: route, timeoutMs: 600_000, ...csv });
}

/** Starts the built-in XGBoost model server on the bench's model as the platform does; resolves once /ping answers. */
async function startServer(dir: string): Promise<{ child: ChildProcess; client: ContainerClient }> {
  const port = await unusedPort();
  const child = spawn(algorithmPython, ['-m', 'salvia_algorithms.xgboost', 'serve'], {
    cwd: dir,
    env: {
      ...process.env,
      PYTHONPATH: path.join(repoRoot, 'runtime/algorithms'),
      PYTHONDONTWRITEBYTECODE: '1',
      SAGEMAKER_BASE_DIR: dir,
      SAGEMAKER_BIND_TO_PORT: String(port),
      SAGEMAKER_BATCH: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const client = new ContainerClient(port);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the model server exited with ${child.exitCode}`);
    try {
      if ((await request(client, 'GET', '/ping')).status === 200) return { child, client };
    } catch {
      // not listening yet
    }
    await delay(50);
  }
}

/** Scores the file through the model server with MaxConcurrentTransforms requests in flight; output in order. */
async function serving(dir: string, client: ContainerClient): Promise<number> {
  const parameters = JSON.parse((await request(client, 'GET', '/execution-parameters')).body.toString()) as {
    MaxConcurrentTransforms: number;
    MaxPayloadInMB: number;
  };
  const out = createWriteStream(path.join(dir, 'serving.out'));
  const start = performance.now();
  const inFlight: Promise<Buffer>[] = [];
  const write = async (body: Buffer): Promise<void> => {
    if (!out.write(body)) await once(out, 'drain');
  };
  const batches = recordBatches(createReadStream(path.join(dir, 'score.csv'), { highWaterMark: 1 << 20 }), {
    splitType: 'Line',
    strategy: 'MultiRecord',
    maxPayloadBytes: parameters.MaxPayloadInMB * 1024 * 1024,
  });
  for await (const batch of batches) {
    inFlight.push(
      request(client, 'POST', '/invocations', batch.body).then((answer) => {
        if (answer.status !== 200) throw new Error(`model server answered ${answer.status}: ${answer.body.toString().slice(0, 200)}`);
        return answer.body;
      }),
    );
    if (inFlight.length >= parameters.MaxConcurrentTransforms) await write(await (inFlight.shift() as Promise<Buffer>));
  }
  for (const pending of inFlight) await write(await pending);
  out.end();
  await once(out, 'finish');
  return (performance.now() - start) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'salvia-bench-transform-'));
  await execFileAsync(algorithmPython, [fixture, 'model', dir]);
  await execFileAsync(algorithmPython, [fixture, 'data', dir, String(rows)]);
  const env = await benchEnv('bench-transform');
  const server = await startServer(dir);
  try {
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'model/model.tar.gz', Body: readFileSync(path.join(dir, 'model.tar.gz')) }));
    await env.s3.send(
      new PutObjectCommand({ Bucket: env.bucket, Key: 'in/score.csv', Body: createReadStream(path.join(dir, 'score.csv')), ContentLength: fileSize(dir) }),
    );
    await env.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'bench-xgb',
        ExecutionRoleArn: role,
        PrimaryContainer: { Image: images.xgboost, ModelDataUrl: `s3://${env.bucket}/model/model.tar.gz` },
      }),
    );
    const expected = (): Buffer => readFileSync(path.join(dir, 'direct.out'));
    // The Salvia server streams inputs and outputs: its peak RSS over the jobs should not grow with the file.
    const serverPid = env.server.child.pid ?? 0;
    const rssBefore = memoryMib(serverPid);
    console.log(
      `| ${new Date().toISOString().slice(0, 10)}, ${rows.toLocaleString('en-US')} rows, ${cpus().length} CPUs | direct (limit) | serving path | transform job | transform / limit |`,
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (let round = 1; round <= runs; round++) {
      const load = loadavg()[0]?.toFixed(1);
      const all = await direct(dir, 0);
      const one = await direct(dir, 1);
      const limit = all.wall < one.wall ? all : one;
      const servingSeconds = await serving(dir, server.client);
      if (!readFileSync(path.join(dir, 'serving.out')).equals(expected())) throw new Error('the serving path scored differently from xgboost directly');

      const name = `bench-transform-${round}`;
      const start = performance.now();
      await env.sagemaker.send(
        new CreateTransformJobCommand({
          TransformJobName: name,
          ModelName: 'bench-xgb',
          BatchStrategy: 'MultiRecord',
          TransformInput: {
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/in/` } },
            ContentType: 'text/csv',
            SplitType: 'Line',
          },
          TransformOutput: { S3OutputPath: `s3://${env.bucket}/out/${name}`, Accept: 'text/csv', AssembleWith: 'Line' },
          TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
        }),
      );
      for (;;) {
        const job = await env.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: name }));
        if (job.TransformJobStatus === 'Completed') break;
        if (job.TransformJobStatus !== 'InProgress') throw new Error(`${name}: ${job.TransformJobStatus} ${job.FailureReason ?? ''}`);
        await delay(100);
      }
      const transformSeconds = (performance.now() - start) / 1000;
      const output = await env.s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: `out/${name}/score.csv.out` }));
      if (!Buffer.from(await (output.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(expected()))
        throw new Error('the transform job scored differently from xgboost directly');
      console.log(
        `| round ${round} (load ${load}) | ${secs(limit.wall)}, ${rate(limit.wall)} (${all === limit ? 'default threads' : 'nthread 1'}; read ${secs(limit.read)}, predict ${secs(limit.predict)}, write ${secs(limit.write)}; other: ${secs((all === limit ? one : all).wall)}) | ${secs(servingSeconds)}, ${rate(servingSeconds)} | ${secs(transformSeconds)}, ${rate(transformSeconds)} | ${((100 * limit.wall) / transformSeconds).toFixed(0)} % |`,
      );
    }
    console.log(
      `\nSalvia server memory: RSS ${rssBefore.toFixed(0)} MiB before the first job, peak RSS (VmHWM) ${memoryMib(serverPid, 'VmHWM').toFixed(0)} MiB after ${runs} job(s), each reading a ${(fileSize(dir) / 1e6).toFixed(1)} MB input and writing its output.`,
    );
  } finally {
    if (server.child.pid) process.kill(-server.child.pid, 'SIGTERM');
    server.client.close();
    await env.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fileSize(dir: string): number {
  return statSync(path.join(dir, 'score.csv')).size;
}

await main();
