// Batch transform end to end with a user image (`salvia images add` of test/fixtures/transform/batch-model)
// driven by boto3: a folder of images (SplitType None) → one JSON per image, gzip input spread over two
// instances, a serial inference pipeline, stop while a request is in flight (no output, no model server
// left), and the failure cases — a record over MaxPayloadInMB, a model erroring on a record, an empty
// prefix, unreadable gzip, an Accept the model cannot produce — each naming the input file, with no
// `.out` for a failed file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../helpers/server-process.js';
import { addImage, sandboxSkipReason } from './training-harness.js';
import {
  alive,
  boto3,
  commandLine,
  createModel,
  createTransformJob,
  descendants,
  endpointsEnv,
  fileAppears,
  getObject,
  imageUri,
  listKeys,
  put,
  runTransform,
  transformLog,
  transformRequest,
  waitForTransform,
  type EndpointsEnv,
} from './transform-harness.js';

const fixture = path.join(repoRoot, 'test/fixtures/transform/batch-model');

describe('batch transform with a user image (boto3)', { skip: sandboxSkipReason() }, () => {
  let env: EndpointsEnv;
  let image: string;

  before(async () => {
    env = await endpointsEnv('transform-user');
    await addImage(env.server, 'batch-model', fixture);
    image = imageUri('batch-model');
    await createModel(env, 'batch-model', [{ Image: image }]);
  });
  after(async () => {
    await env?.dispose();
  });

  const s3 = (key: string): string => `s3://${env.bucket}/${key}`;
  const text = async (key: string): Promise<string | undefined> => (await getObject(env, key))?.toString('utf8');

  it('scores a folder of images, one JSON output per image (SplitType None)', async () => {
    const images: Record<string, Buffer> = { 'cat.jpg': Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]), 'dogs/dog.png': Buffer.alloc(70_000, 7) };
    for (const [name, bytes] of Object.entries(images)) await put(env, `images/${name}`, bytes);
    const job = await runTransform(
      env,
      transformRequest('images', 'batch-model', { s3Uri: s3('images/'), contentType: 'application/x-image' }, { s3OutputPath: s3('images-out') }),
    );
    assert.equal(job.TransformJobStatus, 'Completed', job.FailureReason);
    assert.deepEqual(await listKeys(env, 'images-out/'), ['images-out/cat.jpg.out', 'images-out/dogs/dog.png.out']);
    for (const [name, bytes] of Object.entries(images)) {
      const answer = JSON.parse((await text(`images-out/${name}.out`)) ?? 'null') as { bytes: number; sha256: string };
      assert.deepEqual(answer, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    const log = await transformLog(env, 'images');
    const dataLog = [...log.entries()].find(([stream]) => stream.endsWith('/data-log'));
    assert.match(dataLog?.[0] ?? '', /^images\/i-[0-9a-f]{17}\/data-log$/);
    assert.match((dataLog?.[1] ?? []).join('\n'), /\[sagemaker logs\]: MaxConcurrentTransforms=1, MaxPayloadInMB=6, BatchStrategy=MULTI_RECORD/);
    assert.ok(log.has(dataLog?.[0].replace(/\/data-log$/, '') ?? ''), 'the model server has its stream');
  });

  it('decompresses gzip input and spreads the files over two instances, each file once', async () => {
    const files = Array.from({ length: 6 }, (_, i) => `part-${i}.csv.gz`);
    for (const [i, name] of files.entries()) await put(env, `gz/${name}`, gzipSync(Array.from({ length: 50 }, (_, r) => `${i}-${r}`).join('\n') + '\n'));
    const job = await runTransform(
      env,
      transformRequest(
        'two-instances',
        'batch-model',
        { s3Uri: s3('gz/'), contentType: 'text/csv', splitType: 'Line', compression: 'Gzip' },
        { s3OutputPath: s3('gz-out/'), accept: 'text/csv', assembleWith: 'Line' },
        { TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 2 }, MaxConcurrentTransforms: 2 },
      ),
    );
    assert.equal(job.TransformJobStatus, 'Completed', job.FailureReason);
    for (const [i, name] of files.entries())
      assert.equal(await text(`gz-out/${name}.out`), Array.from({ length: 50 }, (_, r) => `scored:${i}-${r}\n`).join(''), name);
    const servers = [...(await transformLog(env, 'two-instances')).entries()].filter(([stream]) => !stream.endsWith('/data-log'));
    assert.equal(servers.length, 2, servers.map(([s]) => s).join(','));
    const batches = servers.map(([, lines]) => lines.filter((line) => line.startsWith('batch of 50 records')).length);
    assert.ok(
      batches.every((n) => n > 0),
      `both instances worked: ${batches.join(',')}`,
    );
    assert.equal(
      batches.reduce((a, b) => a + b),
      files.length,
      'each file was sent once',
    );
  });

  it('runs records through a serial inference pipeline', async () => {
    await createModel(env, 'batch-pipeline', [
      { Image: image, ContainerHostname: 'first', Environment: { TAG: 'first' } },
      { Image: image, ContainerHostname: 'second', Environment: { TAG: 'second' } },
    ]);
    await put(env, 'pipe/in.txt', 'a\nb\n');
    const job = await runTransform(
      env,
      transformRequest(
        'pipeline',
        'batch-pipeline',
        { s3Uri: s3('pipe/in.txt'), contentType: 'text/plain', splitType: 'Line' },
        { s3OutputPath: s3('pipe-out'), assembleWith: 'Line' },
      ),
    );
    assert.equal(job.TransformJobStatus, 'Completed', job.FailureReason);
    assert.equal(await text('pipe-out/in.txt.out'), 'second:first:a\nsecond:first:b\n', 'a single-object S3Uri gives <basename>.out');
  });

  it('stops a job while a request is in flight: Stopped, no output, no model server left', async () => {
    const blocked = path.join(env.work, 'blocked');
    await createModel(env, 'batch-blocking', [{ Image: image, Environment: { BLOCKED_FILE: blocked } }]);
    await put(env, 'stop/a.csv', 'one\nblock\nthree\n');
    const refused = await createTransformJob(
      env,
      transformRequest(
        'stop-me',
        'batch-blocking',
        { s3Uri: s3('stop/'), contentType: 'text/csv', splitType: 'Line' },
        { s3OutputPath: s3('stop-out'), assembleWith: 'Line' },
        { BatchStrategy: 'SingleRecord' },
      ),
    );
    assert.equal(refused, undefined);
    // The model creates the file when the blocking record reaches it (a handshake, not a guess at timing).
    await fileAppears(blocked);
    const modelServers = (): number[] => alive(descendants(env.server.child.pid as number)).filter((pid) => commandLine(pid).includes('batch-model'));
    assert.ok(modelServers().length > 0, 'the model server runs as a child of the server');
    await boto3(env, `boto3.client('sagemaker').stop_transform_job(TransformJobName='stop-me')\nprint(json.dumps(True))`);
    const job = await waitForTransform(env, 'stop-me', 60);
    assert.equal(job.TransformJobStatus, 'Stopped', job.FailureReason);
    assert.deepEqual(await listKeys(env, 'stop-out/'), []);
    assert.deepEqual(modelServers(), [], 'the model servers were stopped');
  });

  it('fails each bad job with a FailureReason naming the input file and the cause, publishing no output for it', async () => {
    await put(env, 'bad-large/ok.csv', 'fine\n');
    await put(env, 'bad-large/huge.csv', `small\n${'x'.repeat(1024 * 1024 + 1)}\n`);
    await put(env, 'bad-model/records.csv', 'a\nfail\nc\n');
    await put(env, 'bad-gzip/broken.csv.gz', 'not gzip at all');
    await put(env, 'bad-accept/a.csv', 'a\n');
    const job = (name: string, prefix: string, extra: { compression?: string; accept?: string } = {}, overrides: Record<string, unknown> = {}) =>
      transformRequest(
        name,
        'batch-model',
        { s3Uri: s3(`${prefix}/`), contentType: 'text/csv', splitType: 'Line', ...(extra.compression ? { compression: extra.compression } : {}) },
        { s3OutputPath: s3(`${prefix}-out`), assembleWith: 'Line', ...(extra.accept ? { accept: extra.accept } : {}) },
        overrides,
      );
    const [large, model, gzip, accept] = await Promise.all([
      runTransform(env, job('bad-large', 'bad-large', {}, { MaxPayloadInMB: 1 })),
      runTransform(env, job('bad-model', 'bad-model', {}, { BatchStrategy: 'SingleRecord', ModelClientConfig: { InvocationsMaxRetries: 0 } })),
      runTransform(env, job('bad-gzip', 'bad-gzip', { compression: 'Gzip' })),
      runTransform(env, job('bad-accept', 'bad-accept', { accept: 'application/x-parquet' })),
    ]);
    const bucket = env.bucket;
    assert.equal(large.TransformJobStatus, 'Failed');
    assert.match(large.FailureReason ?? '', new RegExp(`^ClientError: ${bucket}/bad-large/huge\\.csv: A record of \\d+ bytes is larger than`));
    assert.equal(await text('bad-large-out/ok.csv.out'), 'scored:fine\n', 'the good file of the job keeps its output');
    assert.equal(await getObject(env, 'bad-large-out/huge.csv.out'), undefined);

    assert.equal(model.TransformJobStatus, 'Failed');
    assert.equal(
      model.FailureReason,
      `AlgorithmError: ${bucket}/bad-model/records.csv: Bad HTTP status received from algorithm: 500. Message: cannot score line: fail`,
    );
    assert.equal(await getObject(env, 'bad-model-out/records.csv.out'), undefined, 'nothing half-written');
    const modelLog = [...(await transformLog(env, 'bad-model')).entries()].find(([stream]) => stream.endsWith('/data-log'))?.[1] ?? [];
    assert.ok(
      modelLog.some((line) => line.endsWith(`[sagemaker logs]: ${bucket}/bad-model/records.csv: Bad HTTP status received from algorithm: 500`)),
      modelLog.join('\n'),
    );

    assert.equal(gzip.TransformJobStatus, 'Failed');
    assert.match(
      gzip.FailureReason ?? '',
      new RegExp(`^ClientError: ${bucket}/bad-gzip/broken\\.csv\\.gz: the object could not be decompressed with CompressionType Gzip`),
    );

    assert.equal(accept.TransformJobStatus, 'Failed');
    assert.equal(
      accept.FailureReason,
      `ClientError: ${bucket}/bad-accept/a.csv: Bad HTTP status received from algorithm: 406. Message: cannot produce application/x-parquet`,
    );
    for (const prefix of ['bad-model-out/', 'bad-gzip-out/', 'bad-accept-out/']) assert.deepEqual(await listKeys(env, prefix), [], prefix);
  });

  it('refuses or fails a job whose input prefix holds no object, in SageMaker’s words', async () => {
    const request = transformRequest('empty-prefix', 'batch-model', { s3Uri: s3('nothing-here/') }, { s3OutputPath: s3('nothing-out') });
    const refused = await createTransformJob(env, request);
    const message = refused ? `${refused.code}: ${refused.message}` : ((await waitForTransform(env, 'empty-prefix')).FailureReason ?? '');
    assert.match(message, new RegExp(`No S3 objects found under S3 URL "s3://${env.bucket}/nothing-here/" given in input data source\\.`));
  });
});
