// The multi-model cache against the real built-in model server in multi-model mode (K-Means), with
// per-customer models written in K-Means' documented artifact format (model_algo-1): one center at
// (customer id, 0), so invoking with "0,0" answers distance_to_cluster = the customer id.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { algorithmPython } from '../../../test/helpers/algorithm-server.js';
import { unusedPort } from '../../../test/helpers/free-port.js';
import { repoRoot } from '../../../test/helpers/server-process.js';
import { AwsError } from '../../errors/index.js';
import { builtinImage, launchFor, type BuiltinAlgorithm } from '../../images/index.js';
import { FsObjectStore, type ObjectInfo } from '../../objectstore/index.js';
import { ContainerClient } from '../container-client.js';
import { MultiModelInstanceCache, type MultiModelCacheOptions } from './instance-cache.js';
import { modelId } from './model-id.js';
import { residentBytes } from './process-memory.js';

const MiB = 1024 * 1024;
const bucket = 'mme-models';
const scope = { region: 'us-east-1', accountId: '000000000000' };

/** One regular file as a POSIX ustar archive, gzipped. */
function tarGz(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write(
      Math.floor(Date.now() / 1000)
        .toString(8)
        .padStart(11, '0') + '\0',
      136,
    );
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A K-Means model whose only center is (customer, 0); `padBytes` of hyperparameter text the loaded model keeps in memory. */
function customerModel(customer: number, padBytes = 0): Buffer {
  const document = {
    format: 'salvia-kmeans',
    version: 1,
    k: 1,
    feature_dim: 2,
    centers: [[customer, 0]],
    hyperparameters: { k: '1', feature_dim: '2', pad: 'x'.repeat(padBytes) },
    train_msd: 0,
  };
  return tarGz({ 'model_algo-1': JSON.stringify(document) });
}

/** The real store, seen through an object whose downloads can be held back (to observe a slow load). */
interface GatedStore {
  readonly store: FsObjectStore;
  gate: Promise<void> | undefined;
  gets: number;
}

function gatedView(gated: GatedStore): FsObjectStore {
  const view = Object.create(gated.store) as FsObjectStore;
  view.getObject = async (b: string, key: string, range?: { start: number; end: number }): Promise<{ info: ObjectInfo; body: Readable }> => {
    gated.gets++;
    if (gated.gate) await gated.gate;
    return gated.store.getObject(b, key, range);
  };
  return view;
}

async function put(store: FsObjectStore, key: string, body: Buffer): Promise<void> {
  await store.putObject(bucket, key, { body: Readable.from([body]), metadata: { userMetadata: {}, headers: {} }, contentLength: body.length });
}

/** A built-in algorithm's model server in multi-model mode, started as the platform starts it (without a sandbox). */
class MultiModelServer {
  readonly client: ContainerClient;
  restarts = 0;
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly output: () => string,
  ) {
    this.client = new ContainerClient(port);
  }

  static async start(baseDir: string, algorithm: BuiltinAlgorithm = 'kmeans'): Promise<MultiModelServer> {
    const launch = launchFor(builtinImage(algorithm, { python: algorithmPython, runtimeDir: path.join(repoRoot, 'runtime') }), 'serve', { optMl: baseDir });
    const port = await unusedPort();
    mkdirSync(baseDir, { recursive: true });
    const [program, ...args] = launch.command;
    const child = spawn(program as string, args, {
      cwd: launch.cwd ?? baseDir,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...launch.env, SAGEMAKER_BIND_TO_PORT: String(port), SAGEMAKER_MULTI_MODEL: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const server = new MultiModelServer(child, port, () => text);
    for (let pause = 20; ; pause = Math.min(200, pause * 2)) {
      if (child.exitCode !== null) throw new Error(`the model server exited: ${text}`);
      const status = await fetch(`http://127.0.0.1:${port}/ping`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return server;
      await delay(pause);
    }
  }

  processIds(): number[] {
    return this.child.pid !== undefined && this.child.exitCode === null ? [this.child.pid] : [];
  }

  async loadedModels(): Promise<string[]> {
    const response = await this.client.request({ method: 'GET', path: '/models?limit=100000', timeoutMs: 10_000 });
    return (JSON.parse(response.body.toString()) as { models: { modelName: string }[] }).models.map((m) => m.modelName);
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = once(this.child, 'exit');
      this.child.kill('SIGKILL');
      await gone;
    }
  }

  lastOutput(): string {
    return this.output();
  }
}

/** distance_to_cluster of invoking a customer model with "0,0" (= the customer id). */
function answer(body: Buffer): number {
  const parsed = JSON.parse(body.toString('utf8')) as { predictions: { distance_to_cluster: number }[] };
  return parsed.predictions[0]?.distance_to_cluster ?? Number.NaN;
}

const csv = { body: Buffer.from('0,0'), contentType: 'text/csv', accept: 'application/json' };

describe('MultiModelInstanceCache with the K-Means model server', () => {
  let dir: string;
  let store: FsObjectStore;
  let gated: GatedStore;
  let server: MultiModelServer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-mme-'));
    store = await FsObjectStore.open(path.join(dir, 'objects'));
    gated = { store, gate: undefined, gets: 0 };
    await store.createBucket(bucket);
    server = await MultiModelServer.start(path.join(dir, 'instance'));
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let caches = 0;
  /** A cache over the shared server with its own models dir; prefix `p<n>/`. */
  function cache(overrides: Partial<MultiModelCacheOptions> = {}): { cache: MultiModelInstanceCache; prefix: string; modelsDir: string } {
    const n = ++caches;
    const modelsDir = path.join(dir, 'instance', `models-${n}`);
    return {
      prefix: `p${n}/`,
      modelsDir,
      cache: new MultiModelInstanceCache({
        objectStore: gatedView(gated),
        modelDataUrl: `s3://${bucket}/p${n}/`,
        container: server,
        modelsDir,
        containerModelsDir: modelsDir,
        memoryBudgetBytes: 4096 * MiB,
        diskBudgetBytes: 1024 * MiB,
        errors: { scope, endpointName: 'mme-test', container: 'primary' },
        ...overrides,
      }),
    };
  }

  test('loads each TargetModel on its first request, unpacked under models/<id>/model, and answers with that model', async () => {
    const { cache: c, prefix, modelsDir } = cache();
    const names = ['a.tar.gz', 'customers/b.tar.gz', 'odd name+1=ü.tar.gz'];
    for (const [i, name] of names.entries()) await put(store, prefix + name, customerModel(i + 1));
    for (const [i, name] of names.entries()) {
      assert.equal(c.holds(name), false);
      const response = await c.invoke(name, csv);
      assert.equal(response.status, 200, response.body.toString());
      assert.equal(answer(response.body), i + 1);
      assert.ok(existsSync(path.join(modelsDir, modelId(`s3://${bucket}/${prefix}`, name), 'model', 'model_algo-1')));
      assert.equal(c.holds(name), true);
    }
    for (const [i, name] of names.entries()) assert.equal(answer((await c.invoke(name, csv)).body), i + 1);
    assert.deepEqual({ downloads: c.stats().downloads, loads: c.stats().loads }, { downloads: 3, loads: 3 });
    const loaded = await server.loadedModels();
    for (const name of names) assert.ok(loaded.includes(modelId(`s3://${bucket}/${prefix}`, name)));
    assert.ok(c.stats().residentBytes > 0);
  });

  test('concurrent first requests for one model download and load it once', async () => {
    const { cache: c, prefix } = cache();
    await put(store, prefix + 'shared.tar.gz', customerModel(42));
    const answers = await Promise.all(Array.from({ length: 25 }, () => c.invoke('shared.tar.gz', csv)));
    assert.deepEqual(
      answers.map((r) => answer(r.body)),
      answers.map(() => 42),
    );
    assert.equal(c.stats().downloads, 1);
    assert.equal(c.stats().loads, 1);
  });

  test('a model added under the prefix later is served without anything else changing', async () => {
    const { cache: c, prefix } = cache();
    await put(store, prefix + 'first.tar.gz', customerModel(1));
    assert.equal(answer((await c.invoke('first.tar.gz', csv)).body), 1);
    await put(store, prefix + 'later.tar.gz', customerModel(2));
    assert.equal(answer((await c.invoke('later.tar.gz', csv)).body), 2);
  });

  test('a missing TargetModel is a ValidationError naming bucket and key; the other models keep working', async () => {
    const { cache: c, prefix } = cache();
    await put(store, prefix + 'good.tar.gz', customerModel(7));
    assert.equal(answer((await c.invoke('good.tar.gz', csv)).body), 7);
    await assert.rejects(c.invoke('nope.tar.gz', csv), (error: unknown) => {
      assert.ok(error instanceof AwsError);
      assert.equal(error.code, 'ValidationError');
      assert.equal(error.status, 400);
      assert.match(error.message, new RegExp(`^Failed to download model data\\(bucket: ${bucket}, key: ${prefix}nope\\.tar\\.gz\\)\\. Please ensure`));
      return true;
    });
    assert.equal(answer((await c.invoke('good.tar.gz', csv)).body), 7);
  });

  test('a corrupt archive is an error naming it, a model the server cannot load a ModelError with its message; neither takes the others down', async () => {
    const { cache: c, prefix, modelsDir } = cache();
    await put(store, prefix + 'good.tar.gz', customerModel(9));
    await put(store, prefix + 'corrupt.tar.gz', Buffer.from('this is not a gzip file at all'));
    await put(store, prefix + 'empty-model.tar.gz', tarGz({ 'README.txt': 'no model here' }));
    assert.equal(answer((await c.invoke('good.tar.gz', csv)).body), 9);
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(c.invoke('corrupt.tar.gz', csv), (error: unknown) => {
        assert.ok(error instanceof AwsError);
        assert.equal(error.code, 'ValidationError');
        assert.match(error.message, /corrupt\.tar\.gz/);
        assert.match(error.message, /not a valid tar\.gz archive/);
        return true;
      });
      await assert.rejects(c.invoke('empty-model.tar.gz', csv), (error: unknown) => {
        assert.ok(error instanceof AwsError);
        assert.equal(error.code, 'ModelError');
        assert.equal(error.status, 424);
        assert.match(error.message, /^Received server error \(500\) from primary with message ".*Failed to load model/);
        assert.match(error.message, /K-Means model/);
        assert.equal(error.details?.['OriginalStatusCode'], 500);
        return true;
      });
    }
    assert.equal(
      existsSync(path.join(modelsDir, modelId(`s3://${bucket}/${prefix}`, 'empty-model.tar.gz'))),
      false,
      'a model that failed to load is not kept on disk',
    );
    assert.equal(answer((await c.invoke('good.tar.gz', csv)).body), 9);
    assert.equal(c.holds('corrupt.tar.gz'), false);
  });

  test('a load slower than the wait answers ModelNotReadyException while it goes on; the next request uses it', async () => {
    const { cache: c, prefix } = cache({ loadWaitMs: 300 });
    await put(store, prefix + 'slow.tar.gz', customerModel(5));
    let release!: () => void;
    gated.gate = new Promise((resolve) => (release = resolve));
    const getsBefore = gated.gets;
    try {
      await assert.rejects(c.invoke('slow.tar.gz', csv), (error: unknown) => {
        assert.ok(error instanceof AwsError);
        assert.equal(error.code, 'ModelNotReadyException');
        assert.equal(error.status, 429);
        assert.match(error.message, /slow\.tar\.gz/);
        return true;
      });
      assert.equal(c.holds('slow.tar.gz'), true, 'the load is still under way');
    } finally {
      gated.gate = undefined;
      release();
    }
    assert.equal(answer((await c.invoke('slow.tar.gz', csv)).body), 5);
    assert.equal(gated.gets - getsBefore, 1, 'downloaded once');
    assert.equal(c.stats().loads, 1);
  });

  test('a model the server no longer has (restart) is loaded again and answers', async () => {
    const { cache: c, prefix } = cache();
    await put(store, prefix + 'm.tar.gz', customerModel(11));
    assert.equal(answer((await c.invoke('m.tar.gz', csv)).body), 11);
    const removed = await server.client.request({ method: 'DELETE', path: `/models/${modelId(`s3://${bucket}/${prefix}`, 'm.tar.gz')}`, timeoutMs: 10_000 });
    assert.equal(removed.status, 200);
    assert.equal(answer((await c.invoke('m.tar.gz', csv)).body), 11);
    assert.equal(c.stats().loads, 2);
    assert.equal(c.stats().downloads, 1, 'the unpacked files were reused');
  });

  test('ModelCacheSetting Disabled: each invocation loads the model afresh, which is unloaded and deleted after it', async () => {
    const { cache: c, prefix, modelsDir } = cache({ cacheEnabled: false });
    await put(store, prefix + 'once.tar.gz', customerModel(3));
    assert.equal(answer((await c.invoke('once.tar.gz', csv)).body), 3);
    assert.equal(answer((await c.invoke('once.tar.gz', csv)).body), 3);
    assert.equal(c.stats().downloads, 2);
    assert.equal(c.stats().loads, 2);
    // the second invocation's unload is under way when it returns; a third request waits for it, then loads again
    assert.equal(answer((await c.invoke('once.tar.gz', csv)).body), 3);
    assert.ok(c.stats().unloads >= 2);
    assert.ok(c.stats().onDisk <= 1);
    assert.ok(existsSync(modelsDir));
  });

  test('1,000 customer models under a memory budget: LRU unloads keep the server under it, the disk budget holds, every answer is the right customer', async () => {
    const { prefix, modelsDir } = cache();
    const count = 1000;
    const pad = 256 * 1024; // each loaded model holds ≈ 256 KiB
    const baseline = await residentBytes(server.processIds());
    const budget = baseline + 12 * MiB; // room for a few dozen models
    const diskBudget = 24 * MiB;
    const bounded = new MultiModelInstanceCache({
      objectStore: store,
      modelDataUrl: `s3://${bucket}/${prefix}`,
      container: server,
      modelsDir,
      containerModelsDir: modelsDir,
      memoryBudgetBytes: budget,
      diskBudgetBytes: diskBudget,
      errors: { scope, endpointName: 'mme-test', container: 'primary' },
    });
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, (_, j) => put(store, `${prefix}customer-${i + j + 1}.tar.gz`, customerModel(i + j + 1, pad))),
      );
    }
    // every customer once in a shuffled order, then a hot set of 20 customers again and again, 8 requests at a time
    const order = Array.from({ length: count }, (_, i) => i + 1);
    for (let i = order.length - 1; i > 0; i--) {
      const j = (i * 7919 + 13) % (i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const hot = Array.from({ length: 200 }, (_, i) => (i % 20) + 1);
    const queue = [...order, ...hot];
    let wrong = 0;
    let failed = 0;
    const worker = async (): Promise<void> => {
      for (let customer = queue.shift(); customer !== undefined; customer = queue.shift()) {
        const response = await bounded.invoke(`customer-${customer}.tar.gz`, csv);
        if (response.status !== 200) failed++;
        else if (answer(response.body) !== customer) wrong++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal(failed, 0);
    assert.equal(wrong, 0);
    const stats = bounded.stats();
    const loaded = await server.loadedModels();
    const ids = new Set(Array.from({ length: count }, (_, i) => modelId(`s3://${bucket}/${prefix}`, `customer-${i + 1}.tar.gz`)));
    const mine = loaded.filter((name) => ids.has(name));
    assert.ok(stats.unloads > 500, `models were unloaded (${stats.unloads})`);
    assert.ok(mine.length < 100, `only some models stay loaded (${mine.length})`);
    assert.equal(mine.length, stats.loaded);
    assert.ok(stats.peakResidentBytes < budget + 8 * MiB, `peak ${stats.peakResidentBytes} vs budget ${budget}`);
    assert.ok(stats.diskBytes <= diskBudget + (stats.loaded + 1) * (pad + 4096), `disk ${stats.diskBytes}`);
    assert.ok(stats.onDisk < count / 2, `unused unpacked models were deleted (${stats.onDisk} on disk)`);
    // the hot set stayed cached: 20 customers × 10 requests, loaded at most a few times each beyond the first pass
    assert.ok(stats.loads < count + 100, `hot models stayed loaded (${stats.loads} loads)`);
    // unload everything of this test so other tests measure from a clean server
    for (const name of mine) await server.client.request({ method: 'DELETE', path: `/models/${name}`, timeoutMs: 10_000 });
    assert.equal(server.lastOutput().includes('Traceback'), false, server.lastOutput().slice(-2000));
  });
});

/**
 * Linear Learner's model_algo-1 (a zip of model.json and model.npz) for a regressor answering
 * `weight · x`, written by numpy itself; `rows` overrides the weights' declared row count in the npy
 * header (a huge one makes loading raise a real MemoryError: the server answers 507).
 */
function linearModel(weight: number, rows?: number): Buffer {
  const script = `
import io, json, sys, zipfile, numpy as np
weight, rows = float(sys.argv[1]), sys.argv[2]
w = io.BytesIO(); np.save(w, np.array([[weight]], dtype=np.float32)); w = w.getvalue()
if rows:
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s, 1), }" % rows
    header += ' ' * (64 - (10 + len(header) + 1) % 64) + '\\n'
    w = b'\\x93NUMPY\\x01\\x00' + len(header).to_bytes(2, 'little') + header.encode()
b = io.BytesIO(); np.save(b, np.zeros(1, dtype=np.float32))
arrays = io.BytesIO()
with zipfile.ZipFile(arrays, 'w') as z:
    z.writestr('weights.npy', w); z.writestr('bias.npy', b.getvalue())
out = io.BytesIO()
with zipfile.ZipFile(out, 'w') as z:
    z.writestr('model.json', json.dumps({'format': 'salvia-linear-learner', 'version': 1, 'predictor_type': 'regressor', 'feature_dim': 1, 'loss': 'squared_loss'}))
    z.writestr('model.npz', arrays.getvalue())
sys.stdout.buffer.write(out.getvalue())
`;
  return tarGz({ 'model_algo-1': execFileSync(algorithmPython, ['-c', script, String(weight), rows === undefined ? '' : String(rows)]) });
}

describe('MultiModelInstanceCache with the Linear Learner model server: 507 from a load', () => {
  let dir: string;
  let store: FsObjectStore;
  let server: MultiModelServer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-mme-ll-'));
    store = await FsObjectStore.open(path.join(dir, 'objects'));
    await store.createBucket(bucket);
    server = await MultiModelServer.start(path.join(dir, 'instance'), 'linear-learner');
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a load the server refuses with 507 unloads idle models and retries; with none left it is a ModelError, and the unloaded models still answer', async () => {
    const modelsDir = path.join(dir, 'instance', 'models');
    const cache = new MultiModelInstanceCache({
      objectStore: store,
      modelDataUrl: `s3://${bucket}/ll/`,
      container: server,
      modelsDir,
      containerModelsDir: modelsDir,
      memoryBudgetBytes: 4096 * MiB,
      diskBudgetBytes: 1024 * MiB,
      errors: { scope, endpointName: 'mme-ll', container: 'primary' },
    });
    for (const weight of [2, 3, 5]) await put(store, `ll/w${weight}.tar.gz`, linearModel(weight));
    await put(store, 'll/huge.tar.gz', linearModel(1, 10 ** 12));
    const score = async (weight: number): Promise<number> => {
      const response = await cache.invoke(`w${weight}.tar.gz`, { body: Buffer.from('7'), contentType: 'text/csv', accept: 'application/json' });
      assert.equal(response.status, 200, response.body.toString());
      return (JSON.parse(response.body.toString()) as { predictions: { score: number }[] }).predictions[0]?.score ?? Number.NaN;
    };
    for (const weight of [2, 3, 5]) assert.equal(await score(weight), 7 * weight);
    assert.equal(cache.stats().loaded, 3);
    await assert.rejects(cache.invoke('huge.tar.gz', { body: Buffer.from('7'), contentType: 'text/csv' }), (error: unknown) => {
      assert.ok(error instanceof AwsError);
      assert.equal(error.code, 'ModelError');
      assert.equal(error.details?.['OriginalStatusCode'], 507);
      assert.match(error.message, /^Received server error \(507\) from primary with message ".*Insufficient memory/);
      return true;
    });
    assert.equal(cache.stats().unloads, 3, 'every idle model was unloaded to make room before giving up');
    assert.equal(cache.stats().loaded, 0);
    for (const weight of [2, 3, 5]) assert.equal(await score(weight), 7 * weight);
    assert.equal(cache.stats().loads, 6);
    assert.equal(cache.stats().downloads, 3 + 1, 'unloaded models were reloaded from disk');
  });
});
