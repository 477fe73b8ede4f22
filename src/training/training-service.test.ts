import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ProcessExecutor, type LaunchSpec } from '../executors/index.js';
import { ImageCatalog, RuntimeEnvironments } from '../images/index.js';
import { LogService } from '../logs/index.js';
import { FsObjectStore } from '../objectstore/index.js';
import { TagService } from '../resources/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyImageRepository } from '../store/repositories/images.js';
import { KyselyLogRepository } from '../store/repositories/logs.js';
import { KyselyTagRepository } from '../store/repositories/tags.js';
import { KyselyJobRepository } from '../store/repositories/jobs.js';
import { KyselyTrainingMetricsRepository } from '../store/repositories/training-metrics.js';
import type { TrainingJobRecord, TrainingJobSpec } from './training-job-record.js';
import { TrainingService } from './training-service.js';

/** A real ProcessExecutor whose first `failures` launches fail, as a platform fault would. */
class FlakyExecutor extends ProcessExecutor {
  constructor(public failures: number) {
    super();
  }

  override async launch(spec: LaunchSpec): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('simulated: the supervisor could not be started');
    }
    return super.launch(spec);
  }
}

const trivial = fileURLToPath(new URL('../../../test/fixtures/training/trivial', import.meta.url));

describe('TrainingService RetryStrategy (real SQLite, file-system store, process executor)', () => {
  let dataDir: string;
  let database: Database;
  let executor: FlakyExecutor;
  let service: TrainingService;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-training-service-'));
    database = await openDatabase({ database: 'sqlite', dataDir });
    const objectStore = await FsObjectStore.open(path.join(dataDir, 'objects'));
    await objectStore.createBucket('retry-bucket');
    const images = new ImageCatalog({ dataDir, python: 'python3' }, { repository: new KyselyImageRepository(database) });
    await images.add('trivial', trivial);
    executor = new FlakyExecutor(0);
    service = new TrainingService(
      { dataDir, region: 'us-east-1', accountId: '000000000000', capacity: { cpus: 2, memoryMiB: 8192, gpus: 0 }, stopGraceSeconds: 1, pollIntervalMs: 20 },
      {
        repository: new KyselyJobRepository<TrainingJobRecord>(database, 'training_jobs'),
        tags: new TagService(new KyselyTagRepository(database)),
        executor,
        objectStore,
        images,
        runtimes: new RuntimeEnvironments({ dataDir, python: 'python3' }),
        logs: new LogService(new KyselyLogRepository(database), { region: 'us-east-1', accountId: '000000000000' }),
        metrics: new KyselyTrainingMetricsRepository(database),
        baseEnv: { PATH: '/usr/local/bin:/usr/bin:/bin' },
      },
    );
  });
  after(async () => {
    await service?.close();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const spec = (retries?: number): TrainingJobSpec => ({
    AlgorithmSpecification: { TrainingImage: 'trivial', TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::000000000000:role/r',
    OutputDataConfig: { S3OutputPath: 's3://retry-bucket/out' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 60 },
    ...(retries !== undefined ? { RetryStrategy: { MaximumRetryAttempts: retries } } : {}),
  });

  async function finished(name: string): Promise<TrainingJobRecord> {
    for (;;) {
      const job = await service.describe(name);
      if (job.status === 'Completed' || job.status === 'Failed' || job.status === 'Stopped') return job;
      await delay(20);
    }
  }

  it('runs a job again after a platform failure when RetryStrategy allows it', async () => {
    executor.failures = 1;
    await service.create('retried', spec(1));
    const job = await finished('retried');
    assert.equal(job.status, 'Completed', job.failureReason);
    assert.equal(job.attempt, 2);
    assert.deepEqual(
      job.transitions.map((t) => t.status),
      ['Starting', 'Downloading', 'Training', 'Restarting', 'Downloading', 'Training', 'Uploading', 'Completed'],
    );
  });

  it('fails with InternalServerError when no retry is left', async () => {
    executor.failures = 2;
    await service.create('exhausted', spec(1));
    const job = await finished('exhausted');
    assert.equal(job.status, 'Failed');
    assert.equal(job.failureReason, 'InternalServerError: Could not start the training processes: simulated: the supervisor could not be started');
    assert.equal(job.attempt, 2);
  });
});
