import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../errors/index.js';
import { ModelService, type ModelRecord } from '../models/index.js';
import { TagService } from '../resources/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyModelRepository } from '../store/repositories/models.js';
import { KyselyTagRepository } from '../store/repositories/tags.js';
import { KyselyJobRepository } from '../store/repositories/jobs.js';
import { CapacityQueue } from '../training/index.js';
import type { CreateTransformJobInput } from './create-validation.js';
import type { TransformJobRecord } from './transform-job-record.js';
import type { TransformOutcome, TransformRun, TransformRunner } from './transform-runner.js';
import { TransformService, transformJobDir } from './transform-service.js';

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

/**
 * A stand-in for the data plane in this unit test only (the e2e tests use the real runner): each
 * run announces itself and ends when the test settles it, or `stopped` when its signal aborts.
 */
class GatedRunner implements TransformRunner {
  readonly runs: TransformRun[] = [];
  private readonly settle = new Map<string, (o: TransformOutcome) => void>();
  private readonly waiting = new Map<string, (run: TransformRun) => void>();

  run(run: TransformRun): Promise<TransformOutcome> {
    this.runs.push(run);
    this.waiting.get(run.jobName)?.(run);
    return new Promise((resolve) => {
      this.settle.set(run.jobName, resolve);
      run.signal.addEventListener('abort', () => resolve({ kind: 'stopped' }), { once: true });
    });
  }

  /** Resolves when a run of `jobName` has started (at once if one already has). */
  started(jobName: string): Promise<TransformRun> {
    const run = this.runs.find((r) => r.jobName === jobName);
    if (run) return Promise.resolve(run);
    return new Promise((resolve) => this.waiting.set(jobName, resolve));
  }

  end(jobName: string, outcome: TransformOutcome): void {
    const settle = this.settle.get(jobName);
    assert.ok(settle, `no run of ${jobName} to end`);
    settle(outcome);
  }
}

const spec = (model: string, instanceCount = 1): CreateTransformJobInput => ({
  ModelName: model,
  TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://input-bucket/data/' } }, SplitType: 'Line' },
  TransformOutput: { S3OutputPath: 's3://output-bucket/results' },
  TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: instanceCount },
  Environment: { MODE: 'batch' },
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

describe('TransformService (real SQLite, models and tags; gated runner)', () => {
  let dataDir: string;
  let database: Database;
  let repository: ObservedRepository;
  let tags: TagService;
  let models: ModelService;
  let runner: GatedRunner;
  let queue: CapacityQueue;
  let service: TransformService;

  const build = (): TransformService =>
    new TransformService({ ...scope, dataDir, capacity }, { repository, tags, models: (name) => models.describe(name), runner, capacityQueue: queue });

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-transform-service-'));
    database = await openDatabase({ database: 'sqlite', dataDir });
    repository = new ObservedRepository(database, 'transform_jobs');
    tags = new TagService(new KyselyTagRepository(database));
    models = new ModelService(scope, { repository: new KyselyModelRepository<ModelRecord>(database), tags });
    await models.create({
      name: 'Scorer',
      primaryContainer: { image: 'xgboost:1', modelDataUrl: 's3://models/m.tar.gz', environment: { A: '1' } },
      enableNetworkIsolation: false,
    });
    await models.create({ name: 'no-image', primaryContainer: { modelDataUrl: 's3://models/m.tar.gz' }, enableNetworkIsolation: false });
    runner = new GatedRunner();
    queue = new CapacityQueue(capacity);
    service = build();
  });

  after(async () => {
    await service.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs an admitted job with the model containers and its job directory and records Completed', async () => {
    const stale = transformJobDir(dataDir, 'Job-A');
    const created = await service.create('Job-A', spec('scorer'), [{ key: 'team', value: 'ml' }]);
    assert.equal(created.arn, 'arn:aws:sagemaker:us-east-1:111122223333:transform-job/job-a');
    assert.equal(created.status, 'InProgress');
    const run = await runner.started('Job-A');
    assert.equal(run.jobDir, stale);
    assert.ok(existsSync(run.jobDir));
    assert.deepEqual(run.containers, [{ image: 'xgboost:1', modelDataUrl: 's3://models/m.tar.gz', environment: { A: '1' }, mode: 'SingleModel' }]);
    assert.deepEqual(run.spec.Environment, { MODE: 'batch' });
    const started = await repository.reaches('job-a', (r) => r.transformStartTime !== undefined);
    assert.equal(started.status, 'InProgress');
    runner.end('Job-A', { kind: 'completed' });
    const done = await repository.reaches('job-a', (r) => r.status !== 'InProgress');
    assert.equal(done.status, 'Completed');
    assert.ok(done.transformEndTime! >= done.transformStartTime!);
    assert.deepEqual((await tags.list(created.arn, 50)).items, [{ key: 'team', value: 'ml' }]);
    await rejectsWith(service.stop('job-a'), 'ValidationException', 'The request was rejected because the transform job is in status Completed.');
  });

  it('records a failed run with its reason', async () => {
    await service.create('job-fail', spec('Scorer'));
    await runner.started('job-fail');
    runner.end('job-fail', { kind: 'failed', reason: 'ClientError: data/a.csv: the model answered 500' });
    const done = await repository.reaches('job-fail', (r) => r.status !== 'InProgress');
    assert.equal(done.status, 'Failed');
    assert.equal(done.failureReason, 'ClientError: data/a.csv: the model answered 500');
  });

  it('rejects a missing model, a model without an image, a duplicate name and unknown jobs as SageMaker does', async () => {
    await rejectsWith(
      service.create('job-x', spec('absent')),
      'ValidationException',
      'Could not find model "arn:aws:sagemaker:us-east-1:111122223333:model/absent".',
    );
    await rejectsWith(service.create('job-x', spec('no-image')), 'ValidationException', /has no Image/);
    await rejectsWith(
      service.create('JOB-A', spec('scorer')),
      'ResourceInUse',
      /a transform job with this name already exists \(arn:aws:sagemaker:us-east-1:111122223333:transform-job\/job-a\)/,
    );
    await rejectsWith(service.describe('nope'), 'ValidationException', 'Requested resource not found.');
    await rejectsWith(service.stop('nope'), 'ValidationException', 'Requested resource not found.');
    await rejectsWith(tags.add(service.arn('nope'), [{ key: 'k', value: 'v' }]), 'ValidationException', 'Requested resource not found.');
    assert.equal(runner.runs.filter((r) => r.jobName === 'job-x').length, 0);
  });

  it('stops a running job (Stopping, then Stopped once the runner has stopped) and a queued one at once', async () => {
    // Fill the machine so that the second job waits in the shared queue.
    queue.occupy('training:hog', capacity);
    await service.create('job-queued', spec('scorer'));
    assert.deepEqual(queue.waiting, ['transform:job-queued']);
    await service.stop('job-queued');
    const queued = await service.describe('job-queued');
    assert.equal(queued.status, 'Stopped');
    assert.equal(queued.transformStartTime, undefined);
    assert.deepEqual(queue.waiting, []);
    queue.release('training:hog');

    await service.create('job-run', spec('scorer', 2));
    const run = await runner.started('job-run');
    await service.stop('job-run');
    assert.equal(run.signal.reason, 'stop');
    const done = await repository.reaches('job-run', (r) => r.status === 'Stopped');
    assert.ok(done.transformEndTime !== undefined);
    await rejectsWith(service.stop('job-run'), 'ValidationException', 'The request was rejected because the transform job is in status Stopped.');
  });

  it('on shutdown leaves running jobs InProgress; the next start runs them again from the start and ends Stopping ones Stopped', async () => {
    await service.create('job-restart', spec('scorer'));
    const first = await runner.started('job-restart');
    writeFileSync(path.join(first.jobDir, 'leftover'), 'x');
    await service.close();
    assert.equal(first.signal.reason, 'closing');
    assert.equal((await service.describe('job-restart')).status, 'InProgress');
    await repository.update({ ...(await service.describe('job-fail')), status: 'Stopping' });

    runner.runs.length = 0;
    service = build();
    await service.start();
    const second = await runner.started('job-restart');
    assert.notEqual(second.signal, first.signal);
    assert.ok(existsSync(path.join(second.jobDir, 'leftover')), 'the job directory is kept for the runner to reap what the interrupted run left');
    assert.equal((await service.describe('job-fail')).status, 'Stopped');
    runner.end('job-restart', { kind: 'completed' });
    assert.equal((await repository.reaches('job-restart', (r) => r.status !== 'InProgress')).status, 'Completed');
  });

  it('lists with filters through the repository', async () => {
    const page = await service.list({ sortBy: 'name', sortOrder: 'Ascending', maxResults: 100, statusEquals: 'Stopped' });
    assert.deepEqual(
      page.items.map((j) => j.name),
      ['job-fail', 'job-queued', 'job-run'],
    );
  });
});
