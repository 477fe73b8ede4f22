// TransformService over real components only: SQLite repositories, ModelService and TagService, the
// shared CapacityQueue, and the real HostedTransformRunner over ProcessEndpointHosting and an
// FsObjectStore serving the batch-model fixture image (test/fixtures/transform/batch-model). A request
// is held open by the fixture's `block` record, which creates the job's BLOCKED_FILE when it reaches
// the model: the test waits for that file (an fs.watch, no polling) before stopping or shutting down.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { AwsError } from '../errors/index.js';
import { ProcessEndpointHosting, processStartTime } from '../hosting/index.js';
import { ImageCatalog, RuntimeEnvironments } from '../images/index.js';
import { LogService } from '../logs/index.js';
import { ModelService, type ModelRecord } from '../models/index.js';
import { FsObjectStore } from '../objectstore/index.js';
import { TagService } from '../resources/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyImageRepository } from '../store/repositories/images.js';
import { KyselyJobRepository } from '../store/repositories/jobs.js';
import { KyselyLogRepository } from '../store/repositories/logs.js';
import { KyselyModelRepository } from '../store/repositories/models.js';
import { KyselyTagRepository } from '../store/repositories/tags.js';
import { CapacityQueue } from '../training/index.js';
import type { CreateTransformJobInput } from './create-validation.js';
import { HostedTransformRunner } from './run/index.js';
import type { TransformJobRecord } from './transform-job-record.js';
import type { TransformOutcome, TransformRun } from './transform-runner.js';
import { TransformService, transformJobDir } from './transform-service.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = path.join(repoRoot, 'test/fixtures/transform/batch-model');
const scope = { region: 'us-east-1', accountId: '111122223333' };
const capacity = { cpus: 4, memoryMiB: 16384, gpus: 0 };

/** The real repository, observed: `reaches` resolves once a job's stored record satisfies a condition. */
class ObservedRepository extends KyselyJobRepository<TransformJobRecord> {
  private readonly watchers: Array<{ name: string; test: (r: TransformJobRecord) => boolean; resolve: (r: TransformJobRecord) => void }> = [];

  override async update(record: TransformJobRecord): Promise<void> {
    await super.update(record);
    for (const w of [...this.watchers]) {
      if (w.name === record.name.toLowerCase() && w.test(record)) {
        this.watchers.splice(this.watchers.indexOf(w), 1);
        w.resolve(record);
      }
    }
  }

  async reaches(name: string, test: (r: TransformJobRecord) => boolean): Promise<TransformJobRecord> {
    const current = await this.get(name);
    if (current && test(current)) return current;
    return new Promise((resolve) => this.watchers.push({ name: name.toLowerCase(), test, resolve }));
  }
}

/** A run as the service handed it over, with what its job directory held at that moment. */
interface ObservedRun {
  readonly run: TransformRun;
  readonly jobDirEntries: string[];
}

/** The real runner, observed: records each run it is given (then runs it) and `started` resolves when a job's run begins. */
class ObservedRunner extends HostedTransformRunner {
  readonly runs: ObservedRun[] = [];
  private readonly waiting: Array<{ jobName: string; resolve: (run: ObservedRun) => void }> = [];

  override run(run: TransformRun): Promise<TransformOutcome> {
    const observed = { run, jobDirEntries: existsSync(run.jobDir) ? readdirSync(run.jobDir) : [] };
    this.runs.push(observed);
    for (const w of this.waiting.filter((w) => w.jobName === run.jobName)) {
      this.waiting.splice(this.waiting.indexOf(w), 1);
      w.resolve(observed);
    }
    return super.run(run);
  }

  /** Resolves when a run of `jobName` has started (at once if one already has). */
  started(jobName: string): Promise<ObservedRun> {
    const observed = this.runs.find((r) => r.run.jobName === jobName);
    if (observed) return Promise.resolve(observed);
    return new Promise((resolve) => this.waiting.push({ jobName, resolve }));
  }
}

const spec = (
  model: string,
  input: string,
  options: { instanceCount?: number; environment?: Record<string, string>; retries?: number } = {},
): CreateTransformJobInput => ({
  ModelName: model,
  TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://input-bucket/${input}/` } }, SplitType: 'Line' },
  TransformOutput: { S3OutputPath: `s3://output-bucket/${input}`, AssembleWith: 'Line' },
  TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: options.instanceCount ?? 1 },
  Environment: options.environment ?? { MODE: 'batch' },
  ...(options.retries !== undefined ? { ModelClientConfig: { InvocationsMaxRetries: options.retries } } : {}),
});

async function rejectsWith(promise: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AwsError, String(error));
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

/** Resolves once `file` exists (watched with fs.watch, which is set up before the first look). */
function fileAppears(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): boolean => {
      if (!existsSync(file)) return false;
      watcher.close();
      resolve();
      return true;
    };
    const watcher = watch(path.dirname(file), () => void done());
    watcher.on('error', reject);
    done();
  });
}

describe('TransformService (real SQLite, models, tags, queue, and HostedTransformRunner over model server processes)', { timeout: 120_000 }, () => {
  let dataDir: string;
  let handshakes: string;
  let database: Database;
  let store: FsObjectStore;
  let hosting: ProcessEndpointHosting;
  let repository: ObservedRepository;
  let tags: TagService;
  let models: ModelService;
  let runner: ObservedRunner;
  let queue: CapacityQueue;
  let service: TransformService;

  const build = (): TransformService =>
    new TransformService({ ...scope, dataDir, capacity }, { repository, tags, models: (name) => models.describe(name), runner, capacityQueue: queue });

  const put = async (bucket: string, key: string, body: string | Buffer): Promise<void> => {
    await store.putObject(bucket, key, { body: Readable.from([Buffer.from(body)]), metadata: { userMetadata: {}, headers: {} } });
  };
  const read = async (key: string): Promise<string> => text((await store.getObject('output-bucket', key)).body);
  const exists = (key: string): Promise<boolean> =>
    store.headObject('output-bucket', key).then(
      () => true,
      () => false,
    );

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-transform-service-'));
    handshakes = path.join(dataDir, 'handshakes');
    mkdirSync(handshakes);
    database = await openDatabase({ database: 'sqlite', dataDir });
    store = await FsObjectStore.open(path.join(dataDir, 'objects'));
    for (const bucket of ['input-bucket', 'output-bucket', 'models']) await store.createBucket(bucket);
    const pack = path.join(dataDir, 'pack');
    mkdirSync(pack);
    writeFileSync(path.join(pack, 'weights.txt'), 'w');
    await put('models', 'm.tar.gz', await tarGz(pack, ['weights.txt']));
    const images = new ImageCatalog({ dataDir, python: 'python3' }, { repository: new KyselyImageRepository(database) });
    await images.add('batch-model', fixture);
    const logs = new LogService(new KyselyLogRepository(database), scope);
    hosting = new ProcessEndpointHosting(
      { dataDir, ...scope, sandbox: true, baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, stopGraceSeconds: 2, restartDelayMs: 50 },
      { objectStore: store, images, runtimes: new RuntimeEnvironments({ dataDir, python: 'python3' }), logs },
    );
    runner = new ObservedRunner({ region: scope.region, retryDelayMs: 10 }, { objectStore: store, hosting, logs });

    repository = new ObservedRepository(database, 'transform_jobs');
    tags = new TagService(new KyselyTagRepository(database));
    models = new ModelService(scope, { repository: new KyselyModelRepository<ModelRecord>(database), tags });
    // TAG (the model's environment) prefixes every answer: outputs show the model's containers were used.
    await models.create({
      name: 'Scorer',
      primaryContainer: { image: 'batch-model', modelDataUrl: 's3://models/m.tar.gz', environment: { TAG: 'scorer' } },
      enableNetworkIsolation: false,
    });
    await models.create({ name: 'no-image', primaryContainer: { modelDataUrl: 's3://models/m.tar.gz' }, enableNetworkIsolation: false });
    queue = new CapacityQueue(capacity);
    service = build();
  });

  after(async () => {
    await service?.close();
    await hosting?.close();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs an admitted job with the model containers and its job directory and records Completed', async () => {
    await put('input-bucket', 'job-a/a.csv', 'one\ntwo\n');
    const stale = transformJobDir(dataDir, 'Job-A');
    // Watched before create: the record that first carries a start time is seen while still InProgress.
    const startedRecord = repository.reaches('job-a', (r) => r.transformStartTime !== undefined);
    const created = await service.create('Job-A', spec('scorer', 'job-a'), [{ key: 'team', value: 'ml' }]);
    assert.equal(created.arn, 'arn:aws:sagemaker:us-east-1:111122223333:transform-job/job-a');
    assert.equal(created.status, 'InProgress');
    const { run } = await runner.started('Job-A');
    assert.equal(run.jobDir, stale);
    assert.ok(existsSync(run.jobDir));
    assert.deepEqual(run.containers, [{ image: 'batch-model', modelDataUrl: 's3://models/m.tar.gz', environment: { TAG: 'scorer' }, mode: 'SingleModel' }]);
    assert.deepEqual(run.spec.Environment, { MODE: 'batch' });
    assert.equal((await startedRecord).status, 'InProgress');
    const done = await repository.reaches('job-a', (r) => r.status !== 'InProgress');
    assert.equal(done.status, 'Completed', done.failureReason);
    assert.ok(done.transformEndTime! >= done.transformStartTime!);
    assert.equal(await read('job-a/a.csv.out'), 'scorer:one\nscorer:two\n');
    assert.deepEqual((await tags.list(created.arn, 50)).items, [{ key: 'team', value: 'ml' }]);
    await rejectsWith(service.stop('job-a'), 'ValidationException', 'The request was rejected because the transform job is in status Completed.');
  });

  it('records a failed run with its reason', async () => {
    await put('input-bucket', 'job-fail/a.csv', 'fail\n');
    await service.create('job-fail', spec('Scorer', 'job-fail', { retries: 0 }));
    await runner.started('job-fail');
    const done = await repository.reaches('job-fail', (r) => r.status !== 'InProgress');
    assert.equal(done.status, 'Failed');
    assert.equal(
      done.failureReason,
      'AlgorithmError: input-bucket/job-fail/a.csv: Bad HTTP status received from algorithm: 500. Message: cannot score line: fail',
    );
    assert.equal(await exists('job-fail/a.csv.out'), false);
  });

  it('rejects a missing model, a model without an image, a duplicate name and unknown jobs as SageMaker does', async () => {
    await rejectsWith(
      service.create('job-x', spec('absent', 'job-x')),
      'ValidationException',
      'Could not find model "arn:aws:sagemaker:us-east-1:111122223333:model/absent".',
    );
    await rejectsWith(service.create('job-x', spec('no-image', 'job-x')), 'ValidationException', /has no Image/);
    await rejectsWith(
      service.create('JOB-A', spec('scorer', 'job-a')),
      'ResourceInUse',
      /a transform job with this name already exists \(arn:aws:sagemaker:us-east-1:111122223333:transform-job\/job-a\)/,
    );
    await rejectsWith(service.describe('nope'), 'ValidationException', 'Requested resource not found.');
    await rejectsWith(service.stop('nope'), 'ValidationException', 'Requested resource not found.');
    await rejectsWith(tags.add(service.arn('nope'), [{ key: 'k', value: 'v' }]), 'ValidationException', 'Requested resource not found.');
    assert.equal(runner.runs.filter((r) => r.run.jobName === 'job-x').length, 0);
  });

  it('stops a queued job at once and a running one mid-request (Stopping, then Stopped once the runner has stopped)', async () => {
    // Fill the machine so that the first job waits in the shared queue.
    queue.occupy('training:hog', capacity);
    await service.create('job-queued', spec('scorer', 'job-queued'));
    assert.deepEqual(queue.waiting, ['transform:job-queued']);
    await service.stop('job-queued');
    const queued = await service.describe('job-queued');
    assert.equal(queued.status, 'Stopped');
    assert.equal(queued.transformStartTime, undefined);
    assert.deepEqual(queue.waiting, []);
    queue.release('training:hog');
    assert.equal(runner.runs.filter((r) => r.run.jobName === 'job-queued').length, 0);

    const blocked = path.join(handshakes, 'job-run');
    await put('input-bucket', 'job-run/a.csv', 'one\nblock\n');
    await service.create('job-run', spec('scorer', 'job-run', { instanceCount: 2, environment: { BLOCKED_FILE: blocked } }));
    const { run } = await runner.started('job-run');
    // The model creates the file when the `block` record reaches it: a request is in flight now.
    await fileAppears(blocked);
    const stopping = repository.reaches('job-run', (r) => r.status === 'Stopping');
    await service.stop('job-run');
    assert.equal(run.signal.reason, 'stop');
    assert.ok((await stopping).transformEndTime === undefined);
    const done = await repository.reaches('job-run', (r) => r.status === 'Stopped');
    assert.ok(done.transformEndTime !== undefined);
    assert.equal(await exists('job-run/a.csv.out'), false, 'a stopped job publishes no output');
    assert.deepEqual(await store.listMultipartUploads('output-bucket'), []);
    await rejectsWith(service.stop('job-run'), 'ValidationException', 'The request was rejected because the transform job is in status Stopped.');
  });

  it('on shutdown leaves running jobs InProgress; the next start runs them again from the start and ends Stopping ones Stopped', async () => {
    const blocked = path.join(handshakes, 'job-restart');
    await put('input-bucket', 'job-restart/a.csv', 'block\n');
    await service.create('job-restart', spec('scorer', 'job-restart', { environment: { BLOCKED_FILE: blocked } }));
    const first = (await runner.started('job-restart')).run;
    await fileAppears(blocked);
    writeFileSync(path.join(first.jobDir, 'leftover'), 'x');
    await service.close();
    assert.equal(first.signal.reason, 'closing');
    assert.equal((await service.describe('job-restart')).status, 'InProgress');
    assert.equal(await exists('job-restart/a.csv.out'), false);
    await repository.update({ ...(await service.describe('job-fail')), status: 'Stopping' });

    // A model server the Stopping job's interrupted run left (as a killed server without bubblewrap would): its process group and pid file.
    const leftover = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    await once(leftover, 'spawn');
    const pidFile = path.join(transformJobDir(dataDir, 'job-fail'), 'fleet', 'variant', 'i-0', 'primary.pid');
    mkdirSync(path.dirname(pidFile), { recursive: true });
    writeFileSync(pidFile, `${leftover.pid} ${processStartTime(leftover.pid ?? 0) ?? ''}\n`);
    const leftoverExit = once(leftover, 'exit');

    // The input changed while the server was down: the rerun reads it from the start (and is not held this time).
    await put('input-bucket', 'job-restart/a.csv', 'again\n');
    runner.runs.length = 0;
    service = build();
    await service.start();
    const [, signal] = await Promise.race([
      leftoverExit,
      delay(10_000, undefined, { ref: false }).then(() => assert.fail('the leftover model server of the Stopping job was not stopped')),
    ]);
    assert.equal(signal, 'SIGKILL');
    const second = await runner.started('job-restart');
    assert.notEqual(second.run.signal, first.signal);
    assert.ok(second.jobDirEntries.includes('leftover'), 'the job directory is kept for the runner to reap what the interrupted run left');
    assert.equal((await service.describe('job-fail')).status, 'Stopped');
    const done = await repository.reaches('job-restart', (r) => r.status !== 'InProgress');
    assert.equal(done.status, 'Completed', done.failureReason);
    assert.equal(await read('job-restart/a.csv.out'), 'scorer:again\n');
  });

  it('lists with filters through the repository', async () => {
    const page = await service.list({ sortBy: 'name', sortOrder: 'Ascending', maxResults: 100, statusEquals: 'Stopped' });
    assert.deepEqual(
      page.items.map((j) => j.name),
      ['job-fail', 'job-queued', 'job-run'],
    );
  });
});

/** A gzipped tar of `files` under `dir` (a model.tar.gz). */
function tarGz(dir: string, files: string[]): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    tar
      .c({ gzip: true, cwd: dir }, files)
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}
