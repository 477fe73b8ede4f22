// Real-time and multi-model endpoints (node dist/bench/endpoints.js). Not part of the test suite.
//
// 1. InvokeEndpoint through the platform vs the same model server's /invocations called directly, in
//    the same run: a built-in K-Means model (one 2-feature row per request) on one instance; the
//    model server's port is read from its environment (SAGEMAKER_BIND_TO_PORT) so both paths hit the
//    very same process. One keep-alive HTTP client for both (unsigned requests: the server runs
//    without --auth), so the difference is what the platform adds. Concurrency 1 and 32,
//    SALVIA_BENCH_REQUESTS requests each (default 3000) after 300 warm-up requests; the two paths
//    alternate (direct, platform, direct, platform) and the second round of each is reported.
// 2. A multi-model endpoint over SALVIA_BENCH_MODELS per-customer K-Means models (default 1000;
//    test/fixtures/endpoints/customer-models.ts) with a memory budget of SALVIA_BENCH_BUDGET_MIB
//    (default 64): cold-load latency (each model's first request, one at a time), warm latency (one
//    loaded model, 1,000 requests), the model server's peak RSS (VmHWM) against the budget, and
//    the number of answers that were not the customer's (must be 0).
// Prints Markdown tables for docs/benchmarks.md.
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { customerKey, customerModel, customerQuery } from '../test/fixtures/endpoints/customer-models.js';
import { images } from '../test/e2e/builtin-harness.js';
import { deploy, descendants, endpointsEnv, memoryMib, modelServerProcesses, tarGz, type EndpointsEnv } from '../test/e2e/endpoints-harness.js';

const requests = Number(process.env['SALVIA_BENCH_REQUESTS'] ?? 3000);
const models = Number(process.env['SALVIA_BENCH_MODELS'] ?? 1000);
const budgetMib = Number(process.env['SALVIA_BENCH_BUDGET_MIB'] ?? 64);

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Answer {
  status: number;
  body: string;
}

function post(url: URL, body: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (value: number): string => `${value.toFixed(2)} ms`;

interface Run {
  p50: number;
  p99: number;
  perSecond: number;
}

/** `count` requests from `concurrency` loops; latencies and throughput. Throws on any non-200. */
async function measure(count: number, concurrency: number, send: () => Promise<Answer>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const t = performance.now();
        const answer = await send();
        latencies.push(performance.now() - t);
        if (answer.status !== 200) throw new Error(`status ${answer.status}: ${answer.body}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), perSecond: count / seconds };
}

async function singleModel(env: EndpointsEnv): Promise<void> {
  const model = {
    format: 'salvia-kmeans',
    version: 1,
    k: 2,
    feature_dim: 2,
    centers: [
      [0, 0],
      [10, 10],
    ],
    hyperparameters: { k: '2' },
    train_msd: 0,
  };
  await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'kmeans/model.tar.gz', Body: tarGz({ 'model_algo-1': JSON.stringify(model) }) }));
  const before = descendants(env.server.child.pid as number);
  await deploy(env, 'bench-single', [
    { variantName: 'AllTraffic', container: { Image: images.kmeans, ModelDataUrl: `s3://${env.bucket}/kmeans/model.tar.gz` } },
  ]);
  const [server] = modelServerProcesses(env.server, before);
  if (!server) throw new Error('no model server process found under the platform');
  const headers = { 'content-type': 'text/csv', accept: 'application/json' };
  const platformUrl = new URL(`${env.server.url}/endpoints/bench-single/invocations`);
  const directUrl = new URL(`http://127.0.0.1:${server.port}/invocations`);
  const platform = (): Promise<Answer> => post(platformUrl, '9,9', headers);
  const direct = (): Promise<Answer> => post(directUrl, '9,9', headers);
  const expected = (await direct()).body;
  if ((await platform()).body !== expected) throw new Error('the platform and the model server answer differently');

  console.log(
    `| ${new Date().toISOString().slice(0, 10)}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(1)} | direct p50 | platform p50 | added p50 | direct p99 | platform p99 | direct req/s | platform req/s | platform / direct |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const concurrency of [1, 32]) {
    await measure(300, concurrency, direct);
    await measure(300, concurrency, platform);
    await measure(requests, concurrency, direct);
    await measure(requests, concurrency, platform);
    const d = await measure(requests, concurrency, direct);
    const p = await measure(requests, concurrency, platform);
    console.log(
      `| concurrency ${concurrency}, ${requests} requests | ${ms(d.p50)} | ${ms(p.p50)} | ${ms(p.p50 - d.p50)} | ${ms(d.p99)} | ${ms(p.p99)} | ${d.perSecond.toFixed(0)} | ${p.perSecond.toFixed(0)} | ${((100 * p.perSecond) / d.perSecond).toFixed(0)} % |`,
    );
  }
}

async function multiModel(env: EndpointsEnv): Promise<void> {
  let next = 1;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next <= models) {
        const n = next++;
        await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: `customers/${customerKey(n)}`, Body: customerModel(n) }));
      }
    }),
  );
  const before = descendants(env.server.child.pid as number);
  await deploy(env, 'bench-mme', [
    { variantName: 'AllTraffic', container: { Image: images.kmeans, Mode: 'MultiModel', ModelDataUrl: `s3://${env.bucket}/customers/` } },
  ]);
  const servers = modelServerProcesses(env.server, before);
  const url = new URL(`${env.server.url}/endpoints/bench-mme/invocations`);
  const query = customerQuery();
  let wrong = 0;
  const ask = async (n: number): Promise<Answer> => {
    const answer = await post(url, query, { 'content-type': 'text/csv', accept: 'application/json', 'x-amzn-sagemaker-target-model': customerKey(n) });
    const distance = (JSON.parse(answer.body) as { predictions?: { distance_to_cluster?: number }[] }).predictions?.[0]?.distance_to_cluster;
    if (answer.status === 200 && distance !== n) wrong++;
    return answer;
  };
  const cold: number[] = [];
  for (let n = 1; n <= models; n++) {
    const t = performance.now();
    const answer = await ask(n);
    cold.push(performance.now() - t);
    if (answer.status !== 200) throw new Error(`customer ${n}: ${answer.status} ${answer.body}`);
  }
  cold.sort((a, b) => a - b);
  const warm = await measure(1000, 1, () => ask(models));
  const peak = Math.max(...servers.map((s) => memoryMib(s.pid, 'VmHWM')));
  console.log(`| ${models} models, budget ${budgetMib} MiB, ${cpus().length} CPUs | value |`);
  console.log('| --- | --- |');
  console.log(`| cold load (first request of each model) p50 | ${ms(quantile(cold, 0.5))} |`);
  console.log(`| cold load p99 | ${ms(quantile(cold, 0.99))} |`);
  console.log(`| warm request p50 (loaded model) | ${ms(warm.p50)} |`);
  console.log(`| model server peak RSS (VmHWM) | ${peak.toFixed(1)} MiB (budget ${budgetMib} MiB; ${servers.length} process(es)) |`);
  console.log(`| answers that were not the customer's | ${wrong} |`);
}

async function main(): Promise<void> {
  const env = await endpointsEnv('bench-endpoints', { args: ['--log-level', 'warn'], env: { SALVIA_MULTI_MODEL_MEMORY_MIB: String(budgetMib) } });
  try {
    await singleModel(env);
    await multiModel(env);
  } finally {
    agent.destroy();
    await env.dispose();
  }
}

await main();
