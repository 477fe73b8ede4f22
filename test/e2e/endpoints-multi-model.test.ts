// A multi-model endpoint (built-in K-Means in MultiModel mode) over 1,000 per-customer models
// generated here: customer N's model has one center at (N, 0, …, 0), so the distance of the origin to
// its cluster is N and every answer shows whose model served it. The instance's memory budget
// (SALVIA_MULTI_MODEL_MEMORY_MIB) is far below what 1,000 loaded models take, so models are evicted
// and reloaded; every answer is checked. Also: concurrent first requests, a model added later, a
// TargetModel that does not exist, a request without TargetModel.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { customerKey, customerModel, customerQuery } from '../fixtures/endpoints/customer-models.js';
import { mapLimit } from '../../src/objectstore/fs/fs-util.js';
import {
  alive,
  deploy,
  descendants,
  endpointLog,
  endpointsEnv,
  invoke,
  memoryMib,
  modelServerProcesses,
  runtimeFailure,
  type EndpointsEnv,
  type ModelServerProcess,
} from './endpoints-harness.js';
import { images } from './builtin-harness.js';

const CUSTOMERS = 1000;
/** The instance's model memory budget: room for a fraction of the 1,000 models only. */
const BUDGET_MIB = 56;
/** Customers asked again and again after the two passes. */
const hot = Array.from({ length: 20 }, (_, i) => i + 1);

function shuffled(count: number, seed: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i + 1);
  let state = seed;
  for (let i = order.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/** The model server's access log (SALVIA_SERVING_ACCESS_LOG) once it shows at least `invocations` invokes: counts of loads, unloads and invokes. */
async function accessCounts(
  env: EndpointsEnv,
  invocations: number,
  endpoint = 'customers',
): Promise<{ loads: number; unloads: number; invokes: number; lines: string[] }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lines = await endpointLog(env, endpoint);
    const count = (pattern: RegExp): number => lines.filter((l) => pattern.test(l)).length;
    const counts = { loads: count(/"POST \/models HTTP/), unloads: count(/"DELETE \/models\/\S+ HTTP/), invokes: count(/"POST \/models\/\S+\/invoke HTTP/) };
    if (counts.invokes >= invocations) return { ...counts, lines };
    assert.ok(Date.now() < deadline, `the endpoint log shows ${counts.invokes} of ${invocations} invocations`);
    await delay(200);
  }
}

/** The names of the models the model server holds, from its own GET /models (all pages). */
async function loadedModels(port: number): Promise<string[]> {
  const names: string[] = [];
  let token = '';
  for (;;) {
    const page = (await (await fetch(`http://127.0.0.1:${port}/models?limit=1000${token ? `&next_page_token=${token}` : ''}`)).json()) as {
      models: { modelName: string }[];
      nextPageToken?: string;
    };
    names.push(...page.models.map((m) => m.modelName));
    if (!page.nextPageToken) return names;
    token = page.nextPageToken;
  }
}

describe('a multi-model endpoint over 1,000 per-customer models', () => {
  let env: EndpointsEnv;
  /** Invokes customer N's model and checks the answer (set by the first test). */
  let check: (customer: number) => Promise<void> = () => Promise.reject(new Error('the endpoint is not deployed'));
  /** Successful invocations of the 'customers' endpoint so far (the access log must show as many). */
  let invoked = 0;

  before(async () => {
    env = await endpointsEnv('endpoints-mme', { env: { SALVIA_MULTI_MODEL_MEMORY_MIB: String(BUDGET_MIB) } });
    await mapLimit(
      Array.from({ length: CUSTOMERS }, (_, i) => i + 1),
      16,
      async (customer) => {
        await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: `customers/${customerKey(customer)}`, Body: customerModel(customer) }));
      },
    );
  });
  after(async () => {
    await env?.dispose();
  });

  it("serves each customer's model by TargetModel within the memory budget, evicting and reloading; every answer is the customer's", async (t) => {
    const before = descendants(env.server.child.pid as number);
    await deploy(env, 'customers', [
      {
        variantName: 'AllTraffic',
        container: {
          Image: images.kmeans,
          Mode: 'MultiModel',
          ModelDataUrl: `s3://${env.bucket}/customers/`,
          Environment: { SALVIA_SERVING_ACCESS_LOG: '1' },
        },
      },
    ]);
    const servers = modelServerProcesses(env.server, before);
    assert.equal(servers.length, 1, 'one instance, one model server');
    const server = servers[0] as ModelServerProcess;
    let peak = 0;
    check = async (customer: number): Promise<void> => {
      const answer = await invoke(env, {
        EndpointName: 'customers',
        TargetModel: customerKey(customer),
        ContentType: 'text/csv',
        Accept: 'application/json',
        Body: customerQuery(),
      });
      assert.equal(answer.variant, 'AllTraffic');
      assert.deepEqual(JSON.parse(answer.body), { predictions: [{ closest_cluster: 0, distance_to_cluster: customer }] }, `customer ${customer}`);
      invoked += 1;
      peak = Math.max(peak, memoryMib(server.pid));
    };
    await mapLimit(shuffled(CUSTOMERS, 1), 8, check);
    const held = await loadedModels(server.port);
    assert.ok(held.length > 0 && held.length < CUSTOMERS, `the model server holds ${held.length} of ${CUSTOMERS} models after the first pass`);
    await mapLimit(shuffled(CUSTOMERS, 2), 8, check);
    assert.deepEqual(alive([server.pid]), [server.pid], 'the model server is still the same process (no restart)');
    const counts = await accessCounts(env, 2 * CUSTOMERS);
    t.diagnostic(
      `loads ${counts.loads}, unloads ${counts.unloads}, held after pass 1: ${held.length}, RSS peak ${peak.toFixed(1)} MiB (VmHWM ${memoryMib(server.pid, 'VmHWM').toFixed(1)} MiB), budget ${BUDGET_MIB} MiB`,
    );
    assert.ok(counts.unloads > 0, 'models were unloaded to stay within the budget');
    assert.ok(counts.loads > CUSTOMERS, `evicted models were loaded again in the second pass (${counts.loads} loads)`);
    // Eviction keeps the model server's memory at the budget (plus one model's load) instead of growing with 1,000 models.
    assert.ok(peak < BUDGET_MIB * 1.25, `model server RSS peaked at ${peak.toFixed(1)} MiB with a ${BUDGET_MIB} MiB budget`);
  });

  it('keeps frequently used models cached: 20 hot customers asked 5 times each load at most once each', async () => {
    const before = await accessCounts(env, invoked);
    for (let round = 0; round < 5; round++) await mapLimit(hot, 4, check);
    const after = await accessCounts(env, invoked);
    assert.ok(after.loads - before.loads <= hot.length, `${after.loads - before.loads} loads for ${hot.length} hot models`);
  });

  it('loads a model once for concurrent first requests, serves a model added later, and rejects unknown or missing TargetModels', async () => {
    const before = await accessCounts(env, invoked);
    const late = CUSTOMERS + 1;
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: `customers/${customerKey(late)}`, Body: customerModel(late) }));
    const answers = await Promise.all(
      Array.from({ length: 16 }, () =>
        invoke(env, { EndpointName: 'customers', TargetModel: customerKey(late), ContentType: 'text/csv', Body: customerQuery() }),
      ),
    );
    for (const answer of answers) assert.deepEqual(JSON.parse(answer.body), { predictions: [{ closest_cluster: 0, distance_to_cluster: late }] });
    invoked += 16;
    const after = await accessCounts(env, invoked);
    assert.equal(after.loads - before.loads, 1, '16 concurrent first requests load the model once');

    const missing = await runtimeFailure(
      invoke(env, { EndpointName: 'customers', TargetModel: 'customer-missing.tar.gz', ContentType: 'text/csv', Body: customerQuery() }),
    );
    assert.equal(missing.name, 'ValidationError');
    assert.equal(missing.status, 400);
    assert.match(missing.message, /customers\/customer-missing\.tar\.gz/);

    const without = await runtimeFailure(invoke(env, { EndpointName: 'customers', ContentType: 'text/csv', Body: customerQuery() }));
    assert.equal(without.name, 'ValidationError');
    assert.equal(without.status, 400);

    // A broken model does not take the others down.
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'customers/broken.tar.gz', Body: 'not a model archive' }));
    const broken = await runtimeFailure(
      invoke(env, { EndpointName: 'customers', TargetModel: 'broken.tar.gz', ContentType: 'text/csv', Body: customerQuery() }),
    );
    assert.ok(broken.status !== undefined && broken.status >= 400 && broken.status < 600 && broken.status !== 500, JSON.stringify(broken));
    const seven = await invoke(env, { EndpointName: 'customers', TargetModel: customerKey(7), ContentType: 'text/csv', Body: customerQuery() });
    assert.deepEqual(JSON.parse(seven.body), { predictions: [{ closest_cluster: 0, distance_to_cluster: 7 }] });
  });

  it("with two instances sends each model's requests to the instance that holds it", async () => {
    await deploy(env, 'affinity', [
      {
        variantName: 'AllTraffic',
        instanceCount: 2,
        container: {
          Image: images.kmeans,
          Mode: 'MultiModel',
          ModelDataUrl: `s3://${env.bucket}/customers/`,
          Environment: { SALVIA_SERVING_ACCESS_LOG: '1' },
        },
      },
    ]);
    const customers = Array.from({ length: 40 }, (_, i) => i + 1);
    const requests = [...customers, ...shuffled(40, 3), ...shuffled(40, 4), ...shuffled(40, 5)];
    await mapLimit(requests, 4, async (customer) => {
      const answer = await invoke(env, { EndpointName: 'affinity', TargetModel: customerKey(customer), ContentType: 'text/csv', Body: customerQuery() });
      assert.deepEqual(JSON.parse(answer.body), { predictions: [{ closest_cluster: 0, distance_to_cluster: customer }] });
    });
    const counts = await accessCounts(env, requests.length, 'affinity');
    const streamsOf = new Map<string, Set<string>>();
    for (const line of counts.lines) {
      const match = /^(\S+): .*"POST \/models\/(\S+)\/invoke HTTP/.exec(line);
      if (match) streamsOf.set(match[2] as string, new Set([...(streamsOf.get(match[2] as string) ?? []), match[1] as string]));
    }
    assert.equal(streamsOf.size, 40, 'forty models were invoked');
    for (const [model, streams] of streamsOf) assert.equal(streams.size, 1, `model ${model} was served by ${[...streams].join(' and ')}`);
    assert.equal(new Set([...streamsOf.values()].flatMap((s) => [...s])).size, 2, 'both instances hold models');
    assert.equal(counts.loads, 40, 'each model loaded once, on one instance');
  });
});
