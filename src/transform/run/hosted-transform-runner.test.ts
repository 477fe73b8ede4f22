// HostedTransformRunner over the real ProcessEndpointHosting, FsObjectStore and LogService with the
// batch-model fixture image (test/fixtures/transform/batch-model): ordered multi-part output, gzip,
// two instances, execution-parameters, the batch environment, failures naming the file (model 500
// on a record, a record over MaxPayloadInMB, bad gzip, an Accept the model cannot produce), and a stop
// while a request is in flight.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { HostedContainer } from '../../hosting/index.js';
import { ProcessEndpointHosting } from '../../hosting/index.js';
import { ImageCatalog, RuntimeEnvironments } from '../../images/index.js';
import { LogService } from '../../logs/index.js';
import { FsObjectStore } from '../../objectstore/index.js';
import { openDatabase, type Database } from '../../store/index.js';
import { KyselyImageRepository } from '../../store/repositories/images.js';
import { KyselyLogRepository } from '../../store/repositories/logs.js';
import type { TransformJobSpec, TransformOutcome } from '../transform-runner.js';
import { HostedTransformRunner } from './hosted-transform-runner.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixture = path.join(repoRoot, 'test/fixtures/transform/batch-model');
const scope = { region: 'us-east-1', accountId: '000000000000' };
const mib = 1024 * 1024;

describe('HostedTransformRunner (real model server processes and object store)', () => {
  let dataDir: string;
  let database: Database;
  let store: FsObjectStore;
  let logs: LogService;
  let hosting: ProcessEndpointHosting;
  let runner: HostedTransformRunner;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-transform-runner-'));
    database = await openDatabase({ database: 'sqlite', dataDir });
    store = await FsObjectStore.open(path.join(dataDir, 'objects'));
    for (const bucket of ['input', 'output']) await store.createBucket(bucket);
    const images = new ImageCatalog({ dataDir, python: 'python3' }, { repository: new KyselyImageRepository(database) });
    await images.add('batch-model', fixture);
    logs = new LogService(new KyselyLogRepository(database), scope);
    hosting = new ProcessEndpointHosting(
      { dataDir, ...scope, sandbox: true, baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, stopGraceSeconds: 2, restartDelayMs: 50 },
      { objectStore: store, images, runtimes: new RuntimeEnvironments({ dataDir, python: 'python3' }), logs },
    );
    runner = new HostedTransformRunner({ region: scope.region, retryDelayMs: 10 }, { objectStore: store, hosting, logs });
  });
  after(async () => {
    await hosting?.close();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const put = (key: string, body: string | Buffer): Promise<unknown> =>
    store.putObject('input', key, { body: Readable.from([Buffer.from(body)]), metadata: { userMetadata: {}, headers: {} } });
  const read = async (key: string): Promise<string> => text((await store.getObject('output', key)).body);
  const exists = (key: string): Promise<boolean> =>
    store.headObject('output', key).then(
      () => true,
      () => false,
    );
  const container = (environment: Record<string, string> = {}): HostedContainer => ({ image: 'batch-model', environment, mode: 'SingleModel' });
  const spec = (name: string, overrides: Partial<TransformJobSpec> = {}, input: Partial<TransformJobSpec['TransformInput']> = {}): TransformJobSpec => ({
    ModelName: 'm',
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://input/${name}/` } },
      ContentType: 'text/csv',
      SplitType: 'Line',
      ...input,
    },
    TransformOutput: { S3OutputPath: `s3://output/${name}`, Accept: 'text/csv', AssembleWith: 'Line' },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    ...overrides,
  });
  const run = (name: string, jobSpec: TransformJobSpec, options: { containers?: HostedContainer[]; signal?: AbortSignal } = {}): Promise<TransformOutcome> =>
    runner.run({
      jobName: name,
      jobArn: `arn:aws:sagemaker:us-east-1:000000000000:transform-job/${name}`,
      spec: jobSpec,
      containers: options.containers ?? [container()],
      signal: options.signal ?? new AbortController().signal,
      jobDir: path.join(dataDir, 'jobs', 'transform', name),
    });
  const streamText = async (stream: string): Promise<string> => {
    const page = await logs.getLogEvents({ group: '/aws/sagemaker/TransformJobs', stream, startFromHead: true });
    return page.events.map((event) => event.message).join('\n');
  };
  const streams = async (prefix: string): Promise<string[]> =>
    (await logs.describeLogStreams({ group: '/aws/sagemaker/TransformJobs', prefix })).items.map((s) => s.name);

  it('streams a file larger than one output part through, in input order, with MultiRecord batches and concurrent requests', async () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => `row-${i},${'x'.repeat(20)}`);
    await put('big/data.csv', rows.join('\n') + '\n');
    await put('big/sub/small.csv', 'a\r\nb\n');
    const outcome = await run('big', spec('big', { MaxPayloadInMB: 1, MaxConcurrentTransforms: 4 }));
    assert.deepEqual(outcome, { kind: 'completed' });
    const out = await read('big/data.csv.out');
    assert.equal(
      out.length,
      rows.reduce((n, row) => n + 'scored:'.length + row.length + 1, 0),
      'every row once, no doubled newline',
    );
    assert.equal(out, rows.map((row) => `scored:${row}\n`).join(''));
    assert.equal(await read('big/sub/small.csv.out'), 'scored:a\nscored:b\n');
    const [serverStream] = (await streams('big/')).filter((s) => !s.endsWith('/data-log'));
    assert.match(serverStream ?? '', /^big\/i-[0-9a-f]{17}$/);
    const batches = [...(await streamText(serverStream as string)).matchAll(/batch of (\d+) records/g)].map((m) => Number(m[1]));
    assert.ok(batches.length >= 7 && Math.max(...batches) > 1000, `MultiRecord batches under 1 MiB: ${batches.join(',')}`);
    assert.match(
      await streamText(`${serverStream as string}/data-log`),
      /\[sagemaker logs\]: MaxConcurrentTransforms=4, MaxPayloadInMB=1, BatchStrategy=MULTI_RECORD/,
    );
  });

  it('takes unset settings from /execution-parameters and passes the batch environment', async () => {
    await put('env/a.csv', 'env\n');
    const jobSpec = spec('env', { Environment: { JOB_SETTING: 'job', SAGEMAKER_PROGRAM: 'from-job' } });
    const outcome = await run('env', jobSpec, {
      containers: [
        container({ EXECUTION_PARAMETERS: '{"MaxConcurrentTransforms":3,"BatchStrategy":"SINGLE_RECORD","MaxPayloadInMB":2}', SAGEMAKER_PROGRAM: 'model' }),
      ],
    });
    assert.deepEqual(outcome, { kind: 'completed' });
    const env = JSON.parse(await read('env/a.csv.out')) as Record<string, string>;
    assert.equal(env['SAGEMAKER_BATCH'], 'true');
    assert.equal(env['JOB_SETTING'], 'job');
    assert.equal(env['SAGEMAKER_PROGRAM'], 'from-job', 'the job Environment wins over the model');
    assert.equal(env['SAGEMAKER_MAX_PAYLOAD_IN_MB'], undefined, 'only settings the request set are passed');
    const [serverStream] = (await streams('env/')).filter((s) => !s.endsWith('/data-log'));
    assert.match(await streamText(`${serverStream as string}/data-log`), /MaxConcurrentTransforms=3, MaxPayloadInMB=2, BatchStrategy=SINGLE_RECORD/);
  });

  it('spreads files over two instances (each once), decompresses gzip, and keeps key paths', async () => {
    const files = Array.from({ length: 6 }, (_, i) => `f${i}.csv`);
    for (const [i, name] of files.entries()) await put(`two/${name}.gz`, gzipSync(`${i}-1\n${i}-2\n`));
    const outcome = await run('two', spec('two', { TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 2 } }, { CompressionType: 'Gzip' }));
    assert.deepEqual(outcome, { kind: 'completed' });
    for (const [i, name] of files.entries()) assert.equal(await read(`two/${name}.gz.out`), `scored:${i}-1\nscored:${i}-2\n`);
    const servers = (await streams('two/')).filter((s) => !s.endsWith('/data-log'));
    assert.equal(servers.length, 2);
    for (const stream of servers) assert.match(await streamText(stream), /batch of 2 records/, `${stream} did work`);
    const total = (await Promise.all(servers.map(async (s) => [...(await streamText(s)).matchAll(/batch of/g)].length))).reduce((a, b) => a + b, 0);
    assert.equal(total, files.length, 'each file was sent exactly once');
  });

  it('fails the job naming the file and the cause, publishes no partial output and keeps the good files', async () => {
    await put('bad/good.csv', 'fine\n');
    await put('bad/model-error.csv', 'ok\nfail\n');
    const outcome = await run('bad', spec('bad', { BatchStrategy: 'SingleRecord', ModelClientConfig: { InvocationsMaxRetries: 1 } }));
    assert.equal(outcome.kind, 'failed');
    assert.match(
      outcome.kind === 'failed' ? outcome.reason : '',
      /^AlgorithmError: input\/bad\/model-error\.csv: Bad HTTP status received from algorithm: 500\. Message: cannot score line: fail$/,
    );
    assert.equal(await read('bad/good.csv.out'), 'scored:fine\n');
    assert.equal(await exists('bad/model-error.csv.out'), false);
    assert.deepEqual(await store.listMultipartUploads('output'), []);
    const [serverStream] = (await streams('bad/')).filter((s) => !s.endsWith('/data-log'));
    const dataLog = await streamText(`${serverStream as string}/data-log`);
    assert.match(
      dataLog,
      /\[sagemaker logs\]: input\/bad\/model-error\.csv: Bad HTTP status received from algorithm: 500\n.*\n.*input\/bad\/model-error\.csv: Message:\n.*cannot score line: fail/,
    );
  });

  it('fails on a record larger than MaxPayloadInMB, on unreadable gzip and on an Accept the model cannot produce', async () => {
    await put('large/big.csv', `${'y'.repeat(mib + 10)}\n`);
    const large = await run('large', spec('large', { MaxPayloadInMB: 1 }));
    assert.match(large.kind === 'failed' ? large.reason : '', /^ClientError: input\/large\/big\.csv: .*larger than/);

    await put('gz/broken.csv.gz', 'this is not gzip');
    const gz = await run('gz', spec('gz', {}, { CompressionType: 'Gzip' }));
    assert.match(
      gz.kind === 'failed' ? gz.reason : '',
      /^ClientError: input\/gz\/broken\.csv\.gz: the object could not be decompressed with CompressionType Gzip: /,
    );

    await put('accept/a.csv', 'a\n');
    const accept = await run('accept', { ...spec('accept'), TransformOutput: { S3OutputPath: 's3://output/accept', Accept: 'application/x-parquet' } });
    assert.match(
      accept.kind === 'failed' ? accept.reason : '',
      /^ClientError: input\/accept\/a\.csv: Bad HTTP status received from algorithm: 406\. Message: cannot produce application\/x-parquet$/,
    );
    for (const key of ['large/big.csv.out', 'gz/broken.csv.gz.out', 'accept/a.csv.out']) assert.equal(await exists(key), false, key);
  });

  it('reads the objects a ManifestFile lists, and retries a request the model server crashed on once it restarted', async () => {
    await put('manifest/a.csv', 'one\ncrash-once\n');
    await put('manifest/sub/b.csv', 'two\n');
    await put('manifest/not-listed.csv', 'three\n');
    await put('lists/manifest.json', JSON.stringify([{ prefix: 's3://input/manifest/' }, 'a.csv', 'sub/b.csv']));
    const marker = path.join(dataDir, 'crashed');
    const outcome = await run(
      'manifest',
      {
        ...spec('manifest'),
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: 's3://input/lists/manifest.json' } }, SplitType: 'Line' },
      },
      { containers: [container({ CRASH_MARKER: marker })] },
    );
    assert.deepEqual(outcome, { kind: 'completed' });
    assert.ok(existsSync(marker), 'the model server crashed once');
    assert.equal(await read('manifest/a.csv.out'), 'scored:one\nscored:crash-once\n');
    assert.equal(await read('manifest/sub/b.csv.out'), 'scored:two\n');
    assert.equal(await exists('manifest/not-listed.csv.out'), false);
  });

  it('sends each RecordIO record’s payload with SingleRecord', async () => {
    const frame = (payload: string): Buffer => {
      const header = Buffer.alloc(8);
      header.writeUInt32LE(0xced7230a, 0);
      header.writeUInt32LE(payload.length, 4);
      return Buffer.concat([header, Buffer.from(payload), Buffer.alloc((4 - (payload.length % 4)) % 4)]);
    };
    await put('recordio/data.rec', Buffer.concat(['r1', 'r22', 'r333', 'r4444'].map(frame)));
    const outcome = await run('recordio', spec('recordio', { BatchStrategy: 'SingleRecord' }, { SplitType: 'RecordIO', ContentType: 'text/plain' }));
    assert.deepEqual(outcome, { kind: 'completed' });
    assert.equal(await read('recordio/data.rec.out'), 'scored:r1\nscored:r22\nscored:r333\nscored:r4444\n');
  });

  it('fails with SageMaker’s wording when the prefix holds no object', async () => {
    const outcome = await run('empty', spec('empty'));
    assert.match(
      outcome.kind === 'failed' ? outcome.reason : '',
      /^ClientError: No S3 objects found under S3 URL "s3:\/\/input\/empty\/" given in input data source\./,
    );
  });

  it('fails naming the cause when the model servers cannot start', async () => {
    await put('no-image/a.csv', 'a\n');
    const outcome = await run('no-image', spec('no-image'), { containers: [{ image: 'no-such-image', environment: {}, mode: 'SingleModel' }] });
    assert.match(outcome.kind === 'failed' ? outcome.reason : '', /^ClientError: Transform job no-image: image no-such-image cannot serve: /);
    const mme = await run('no-image', spec('no-image'), {
      containers: [{ image: 'batch-model', environment: {}, mode: 'MultiModel', modelDataUrl: 's3://input/models/' }],
    });
    assert.match(mme.kind === 'failed' ? mme.reason : '', /multi-model model \(Mode MultiModel\), which batch transform does not run/);
  });

  it('stops mid-run: in-flight request abandoned, model servers stopped, no output, resolves stopped', async () => {
    const blocked = path.join(dataDir, 'blocked');
    await put('stop/a.csv', 'one\nblock\n');
    const controller = new AbortController();
    const outcome = run('stop', spec('stop', { BatchStrategy: 'SingleRecord' }), {
      containers: [container({ BLOCKED_FILE: blocked })],
      signal: controller.signal,
    });
    // The model creates the file when the blocking record reaches it: the job is mid-request now.
    await waitFor(() => existsSync(blocked));
    controller.abort('stop');
    assert.deepEqual(await outcome, { kind: 'stopped' });
    assert.equal(await exists('stop/a.csv.out'), false);
    assert.deepEqual(await store.listMultipartUploads('output'), []);
    assert.equal(existsSync(path.join(dataDir, 'jobs', 'transform', 'stop', 'fleet')), false, 'the fleet files are removed');
  });

  it('hosting starts nothing for a fleet whose signal was aborted before startFleet', async () => {
    const controller = new AbortController();
    controller.abort('stop');
    const fleet = hosting.startFleet({
      name: 'aborted-early',
      containers: [container()],
      instanceCount: 1,
      instanceType: 'ml.m5.large',
      logGroup: '/aws/sagemaker/TransformJobs',
      dir: path.join(dataDir, 'aborted-early'),
      signal: controller.signal,
    });
    await assert.rejects(fleet, /Transform job aborted-early was stopped\./);
    assert.deepEqual(await streams('aborted-early/'), [], 'no instance was launched (no log stream created, no model unpacked)');
  });
});

/** Resolves once `condition()` holds (checked every 20 ms; 20 s at most). */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 20 s');
    await delay(20);
  }
}
