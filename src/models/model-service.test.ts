import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../errors/index.js';
import { FsObjectStore } from '../objectstore/index.js';
import { TagService } from '../resources/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyModelRepository } from '../store/repositories/models.js';
import { KyselyTagRepository } from '../store/repositories/tags.js';
import type { ModelRecord } from './model-record.js';
import { ModelService, parseS3Uri } from './model-service.js';

const scope = { region: 'us-east-1', accountId: '111122223333' };

/** Asserts that `promise` rejects with AWS error `code` and exactly `message`. */
async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AwsError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

describe('ModelService over SQLite and the file-system object store', () => {
  let dir: string;
  let database: Database;
  let tags: TagService;
  let models: ModelService;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-models-'));
    database = await openDatabase({ database: 'sqlite', dataDir: dir });
    const objectStore = await FsObjectStore.open(path.join(dir, 'objects'));
    await objectStore.createBucket('artifacts');
    await objectStore.putObject('artifacts', 'job/output/model.tar.gz', {
      body: Readable.from([Buffer.from('tar')]),
      metadata: { userMetadata: {}, headers: {} },
    });
    tags = new TagService(new KyselyTagRepository(database));
    let now = 1732262400000;
    models = new ModelService(scope, { repository: new KyselyModelRepository<ModelRecord>(database), tags, objectStore, clock: () => now++ });
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a model whose ModelDataUrl exists, with tags, and describes it by any case', async () => {
    const created = await models.create(
      { name: 'Xgb-Model', primaryContainer: { image: 'xgboost', modelDataUrl: 's3://artifacts/job/output/model.tar.gz' }, enableNetworkIsolation: true },
      [{ key: 'team', value: 'ml' }],
    );
    assert.equal(created.arn, 'arn:aws:sagemaker:us-east-1:111122223333:model/xgb-model');
    assert.deepEqual(await models.describe('XGB-MODEL'), created);
    assert.deepEqual((await tags.list(created.arn, 50)).items, [{ key: 'team', value: 'ml' }]);
  });

  it('refuses missing model data, a missing bucket and duplicates with AWS wording', async () => {
    await rejectsWith(
      models.create({ name: 'm2', primaryContainer: { modelDataUrl: 's3://artifacts/nope.tar.gz' }, enableNetworkIsolation: false }),
      'ValidationException',
      'Could not find model data at s3://artifacts/nope.tar.gz.',
    );
    await rejectsWith(
      models.create({ name: 'm2', containers: [{ image: 'a' }, { modelDataUrl: 's3://no-bucket/model.tar.gz' }], enableNetworkIsolation: false }),
      'ValidationException',
      'Could not find model data at s3://no-bucket/model.tar.gz.',
    );
    await rejectsWith(
      models.create({ name: 'xgb-model', enableNetworkIsolation: false }),
      'ValidationException',
      'Cannot create already existing model "arn:aws:sagemaker:us-east-1:111122223333:model/xgb-model".',
    );
    await rejectsWith(
      models.create({ name: 'm2', primaryContainer: { image: 'a' }, containers: [{ image: 'b' }], enableNetworkIsolation: false }),
      'ValidationException',
      'Either PrimaryContainer or Containers can be specified, but not both.',
    );
    await rejectsWith(
      models.create({ name: 'm2', primaryContainer: { image: 'a', mode: 'MultiModel' }, enableNetworkIsolation: false }),
      'ValidationException',
      'ModelDataUrl (the S3 prefix of the models) is required when Mode is MultiModel.',
    );
    await rejectsWith(
      models.create({
        name: 'm2',
        containers: [{ image: 'a' }, { image: 'b', mode: 'MultiModel', modelDataUrl: 's3://artifacts/models/' }],
        enableNetworkIsolation: false,
      }),
      'ValidationException',
      'MultiModel mode is not supported for a serial inference pipeline (more than one container).',
    );
    // A multi-model container's ModelDataUrl is a prefix: not checked.
    await models.create({ name: 'mme', primaryContainer: { mode: 'MultiModel', modelDataUrl: 's3://artifacts/models/' }, enableNetworkIsolation: false });
  });

  it('tags only existing resources, overwrites keys and enforces 50 tags', async () => {
    const arn = models.arn('mme');
    await tags.add(arn.toUpperCase(), [{ key: 'a', value: '1' }]);
    await tags.add(arn, [{ key: 'a', value: '2' }]);
    assert.deepEqual((await tags.list(arn, 50)).items, [{ key: 'a', value: '2' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${String(i).padStart(2, '0')}`, value: '' }));
    await rejectsWith(tags.add(arn, many), 'ResourceLimitExceeded', `Tag limit exceeded: a resource can have at most 50 tags (${arn}).`);
    await tags.add(arn, many.slice(0, 49));
    const first = await tags.list(arn, 30);
    assert.equal(first.items.length, 30);
    assert.ok(first.next);
    const second = await tags.list(arn, 30, first.next);
    assert.equal(second.items.length, 20);
    assert.equal(second.next, undefined);
    const missing = 'arn:aws:sagemaker:us-east-1:111122223333:model/ghost';
    await rejectsWith(tags.add(missing, [{ key: 'a', value: '' }]), 'ValidationException', `Could not find model "${missing}".`);
    await rejectsWith(
      tags.list('arn:aws:sagemaker:us-east-1:111122223333:widget/w', 50),
      'ValidationException',
      'Could not find resource "arn:aws:sagemaker:us-east-1:111122223333:widget/w".',
    );
  });

  it('deletes a model and its tags', async () => {
    await models.delete('MME');
    await rejectsWith(models.describe('mme'), 'ValidationException', `Could not find model "${models.arn('mme')}".`);
    await rejectsWith(models.delete('mme'), 'ValidationException', `Could not find model "${models.arn('mme')}".`);
    assert.deepEqual(await new KyselyTagRepository(database).list(models.arn('mme')), []);
  });
});

describe('parseS3Uri', () => {
  it('splits bucket and key', () => {
    assert.deepEqual(parseS3Uri('s3://b/a/b.tar.gz'), { bucket: 'b', key: 'a/b.tar.gz' });
    assert.equal(parseS3Uri('https://b/k'), undefined);
  });
});
