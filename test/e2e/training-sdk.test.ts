import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerServiceException,
  StopTrainingJobCommand,
  UpdateTrainingJobCommand,
  paginateListTrainingJobs,
  waitUntilTrainingJobCompletedOrStopped,
} from '@aws-sdk/client-sagemaker';
import {
  addImage,
  createJob,
  getBytes,
  jobRequest,
  logLines,
  put,
  trainingEnv,
  untarGz,
  waitForEnd,
  type TrainingEnv,
  sandboxSkipReason,
} from './training-harness.js';

async function sdkError(action: () => Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await action();
  } catch (error) {
    assert.ok(error instanceof SageMakerServiceException, String(error));
    return { name: error.name, message: error.message };
  }
  assert.fail('the call succeeded');
}

describe('training jobs through @aws-sdk/client-sagemaker', () => {
  let env: TrainingEnv;

  before(async () => {
    env = await trainingEnv('sdk-training');
    await addImage(env.server, 'sdk-model-metrics', 'model-and-metrics');
    await addImage(env.server, 'sdk-channels', 'channels');
    await addImage(env.server, 'sdk-failure', 'failure-file');
    await addImage(env.server, 'sdk-crash', 'crash');
    await addImage(env.server, 'sdk-rendezvous', 'rendezvous');
    for (let i = 0; i < 7; i++) await put(env, `shards/key-${i}.txt`, `object ${i}\n`);
    await put(env, 'full/everyone.txt', 'all\n');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
  });

  it('runs a job to Completed with the JS SDK waiter', async () => {
    await createJob(
      env,
      jobRequest(env, 'sdk-job', 'sdk-model-metrics', {
        AlgorithmSpecification: {
          TrainingImage: '1.dkr.ecr.us-east-1.amazonaws.com/sdk-model-metrics:1',
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'loss', Regex: 'train_loss=([0-9.]+)' }],
        },
        InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/full/` } } }],
      }),
    );
    const waited = await waitUntilTrainingJobCompletedOrStopped(
      { client: env.sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { TrainingJobName: 'sdk-job' },
    );
    assert.equal(waited.state, 'SUCCESS');
    const job = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'SDK-JOB' }));
    assert.equal(job.TrainingJobStatus, 'Completed');
    assert.equal(job.TrainingJobName, 'sdk-job');
    assert.equal(job.TrainingJobArn, 'arn:aws:sagemaker:us-east-1:000000000000:training-job/sdk-job');
    assert.deepEqual(
      job.FinalMetricDataList?.map((m) => [m.MetricName, m.Value]),
      [['loss', 0.33]],
    );
    const model = untarGz(await getBytes(env, 'output/sdk-job/output/model.tar.gz'));
    assert.deepEqual((JSON.parse(model.get('model.json') ?? '{}') as { seen: unknown }).seen, { 'train/everyone.txt': 'all\n' });
  });

  it(
    'shards ShardedByS3Key channels across 3 instances (each key exactly once) and replicates FullyReplicated ones',
    { skip: sandboxSkipReason() },
    async () => {
      await createJob(
        env,
        jobRequest(env, 'sdk-shards', 'sdk-channels', {
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 3, VolumeSizeInGB: 1 },
          InputDataConfig: [
            {
              ChannelName: 'sharded',
              DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/shards/`, S3DataDistributionType: 'ShardedByS3Key' } },
            },
            { ChannelName: 'full', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/full/` } } },
          ],
        }),
      );
      const job = await waitForEnd(env, 'sdk-shards');
      assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
      const saw = (await logLines(env, 'sdk-shards')).filter((l) => l.startsWith('saw '));
      const sharded = saw
        .filter((l) => l.includes(' sharded/'))
        .map((l) => l.split(' ')[2])
        .sort();
      assert.deepEqual(
        sharded,
        Array.from({ length: 7 }, (_, i) => `sharded/key-${i}.txt`),
      );
      const hosts = new Set(saw.filter((l) => l.includes(' sharded/')).map((l) => l.split(' ')[1]));
      assert.deepEqual([...hosts].sort(), ['algo-1', 'algo-2', 'algo-3']);
      assert.deepEqual(
        saw
          .filter((l) => l.includes(' full/'))
          .map((l) => l.split(' ')[1])
          .sort(),
        ['algo-1', 'algo-2', 'algo-3'],
      );
      // Every host's resourceconfig.json names all hosts and itself.
      const model = untarGz(await getBytes(env, 'output/sdk-shards/output/model.tar.gz'));
      const config = JSON.parse(model.get('config-algo-2/resourceconfig.json') ?? '{}') as { current_host: string; hosts: string[] };
      assert.deepEqual(config, { ...config, current_host: 'algo-2', hosts: ['algo-1', 'algo-2', 'algo-3'] });
    },
  );

  it('gives each of 3 instances its hostname algo-N, resolvable and reachable by the others', { skip: sandboxSkipReason() }, async () => {
    const port = String(20_000 + Math.floor(Math.random() * 30_000));
    await createJob(
      env,
      jobRequest(env, 'sdk-hosts', 'sdk-rendezvous', {
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 3, VolumeSizeInGB: 1 },
        Environment: { RENDEZVOUS_PORT: port },
      }),
    );
    const job = await waitForEnd(env, 'sdk-hosts');
    const lines = await logLines(env, 'sdk-hosts');
    assert.equal(job.TrainingJobStatus, 'Completed', `${job.FailureReason}\n${lines.join('\n')}`);
    for (const host of ['algo-1', 'algo-2', 'algo-3']) assert.ok(lines.includes(`hostname ${host} current_host ${host}`), lines.join('\n'));
    assert.ok(lines.includes('master heard algo-2,algo-3'), lines.join('\n'));
  });

  it('fails with the failure file as FailureReason, and a crash with its exit code', async () => {
    await createJob(env, jobRequest(env, 'sdk-failure', 'sdk-failure'));
    await createJob(env, jobRequest(env, 'sdk-crash', 'sdk-crash'));
    const failed = await waitForEnd(env, 'sdk-failure');
    assert.equal(failed.TrainingJobStatus, 'Failed');
    assert.equal(failed.SecondaryStatus, 'Failed');
    assert.equal(failed.FailureReason, 'AlgorithmError: bad hyperparameter: alpha must be positive, exit code: 1');
    assert.ok((await logLines(env, 'sdk-failure')).includes('about to fail'));
    const crashed = await waitForEnd(env, 'sdk-crash');
    assert.equal(crashed.TrainingJobStatus, 'Failed');
    assert.match(crashed.FailureReason ?? '', /^AlgorithmError: , exit code: (137|killed by SIGKILL)$/);
    const waited = await waitUntilTrainingJobCompletedOrStopped(
      { client: env.sagemaker, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { TrainingJobName: 'sdk-crash' },
    ).catch((e: unknown) => e);
    assert.ok(waited instanceof Error, 'the waiter fails on a Failed job');
  });

  it('rejects bad input at create time with ValidationException / ResourceInUse, and never leaves a job InProgress', async () => {
    const bad = async (name: string, extra: Parameters<typeof jobRequest>[3], repository = 'sdk-model-metrics') =>
      sdkError(() => createJob(env, jobRequest(env, name, repository, extra)));
    assert.deepEqual(await bad('bad-image', {}, 'no-such-image'), {
      name: 'ValidationException',
      message: (await bad('bad-image', {}, 'no-such-image')).message,
    });
    assert.match((await bad('bad-image', {}, 'no-such-image')).message, /not known to Salvia/);
    const uri = await bad('bad-uri', { OutputDataConfig: { S3OutputPath: 'https://not-s3/x' } });
    assert.equal(uri.name, 'ValidationException');
    assert.match(uri.message, /Invalid S3 URI "https:\/\/not-s3\/x"/);
    const channelUri = await bad('bad-channel', {
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://' } } }],
    });
    assert.equal(channelUri.name, 'ValidationException');
    // SageMaker takes an AugmentedManifestFile channel in Pipe mode only; jobRequest's mode is File.
    const augmented = await bad('bad-augmented', {
      InputDataConfig: [
        {
          ChannelName: 'labelled',
          DataSource: { S3DataSource: { S3DataType: 'AugmentedManifestFile', S3Uri: `s3://${env.bucket}/aug.manifest`, AttributeNames: ['source-ref'] } },
        },
      ],
    });
    assert.deepEqual(augmented, {
      name: 'ValidationException',
      message: 'Channel labelled: S3DataType AugmentedManifestFile can only be used in Pipe input mode, not File.',
    });
    const type = await bad('bad-type', { ResourceConfig: { InstanceType: 'ml.nope.huge' as 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 } });
    assert.equal(type.name, 'ValidationException');
    assert.match(type.message, /instanceType/);
    const duplicate = await sdkError(() => createJob(env, jobRequest(env, 'SDK-JOB', 'sdk-model-metrics')));
    assert.deepEqual(duplicate, {
      name: 'ResourceInUse',
      message:
        'Training job names must be unique within an AWS account and region, and a training job with this name already exists (arn:aws:sagemaker:us-east-1:000000000000:training-job/sdk-job)',
    });
    for (const name of ['bad-image', 'bad-uri', 'bad-channel', 'bad-augmented', 'bad-type']) {
      assert.deepEqual(await sdkError(() => env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }))), {
        name: 'ValidationException',
        message: 'Requested resource not found.',
      });
    }
    // Empty channel prefix: accepted, then Failed with a ClientError naming the prefix.
    await createJob(
      env,
      jobRequest(env, 'sdk-empty', 'sdk-model-metrics', {
        InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/nothing-here/` } } }],
      }),
    );
    const empty = await waitForEnd(env, 'sdk-empty');
    assert.equal(empty.TrainingJobStatus, 'Failed');
    assert.match(empty.FailureReason ?? '', /^ClientError: No S3 objects found under S3 URL "s3:\/\/sdk-training\/nothing-here\/"/);
    assert.deepEqual(await sdkError(() => env.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'sdk-empty' }))), {
      name: 'ValidationException',
      message: 'The request was rejected because the training job is in status Failed.',
    });
    assert.deepEqual(await sdkError(() => env.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'nope' }))), {
      name: 'ValidationException',
      message: 'Requested resource not found.',
    });
  });

  it('reads ManifestFile channels and gunzips Gzip channels; a manifest naming missing keys fails the job with ClientError', async () => {
    await put(env, 'manifested/a.txt', 'A\n');
    await put(env, 'manifested/deep/b.txt', 'B\n');
    await put(env, 'manifested/unlisted.txt', 'not in the manifest\n');
    await put(env, 'manifests/good.json', JSON.stringify([{ prefix: `s3://${env.bucket}/manifested/` }, 'a.txt', 'deep/b.txt']));
    await put(env, 'manifests/bad.json', JSON.stringify([{ prefix: `s3://${env.bucket}/manifested/` }, 'a.txt', 'missing-1.txt']));
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'zipped/z.txt.gz', Body: gzipSync('unzipped\n') }));
    const channels = (manifest: string): Parameters<typeof jobRequest>[3] => ({
      InputDataConfig: [
        { ChannelName: 'listed', DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: `s3://${env.bucket}/manifests/${manifest}` } } },
        { ChannelName: 'zipped', CompressionType: 'Gzip', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/zipped/` } } },
      ],
    });
    await createJob(env, jobRequest(env, 'sdk-manifest', 'sdk-model-metrics', channels('good.json')));
    await createJob(env, jobRequest(env, 'sdk-manifest-bad', 'sdk-model-metrics', channels('bad.json')));
    const good = await waitForEnd(env, 'sdk-manifest');
    assert.equal(good.TrainingJobStatus, 'Completed', good.FailureReason);
    const model = untarGz(await getBytes(env, 'output/sdk-manifest/output/model.tar.gz'));
    assert.deepEqual((JSON.parse(model.get('model.json') ?? '{}') as { seen: unknown }).seen, {
      'listed/a.txt': 'A\n',
      'listed/deep/b.txt': 'B\n',
      'zipped/z.txt': 'unzipped\n',
    });
    const bad = await waitForEnd(env, 'sdk-manifest-bad');
    assert.equal(bad.TrainingJobStatus, 'Failed');
    assert.match(bad.FailureReason ?? '', /^ClientError: .*missing-1\.txt/);
  });

  it('UpdateTrainingJob keeps the profiler and warm-pool settings, echoed by DescribeTrainingJob', async () => {
    const updated = await env.sagemaker.send(
      new UpdateTrainingJobCommand({
        TrainingJobName: 'sdk-job',
        ResourceConfig: { KeepAlivePeriodInSeconds: 600 },
        ProfilerConfig: { ProfilingIntervalInMilliseconds: 500, DisableProfiler: true },
      }),
    );
    assert.equal(updated.TrainingJobArn, 'arn:aws:sagemaker:us-east-1:000000000000:training-job/sdk-job');
    const job = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'sdk-job' }));
    assert.equal(job.ResourceConfig?.KeepAlivePeriodInSeconds, 600);
    assert.equal(job.ResourceConfig?.InstanceType, 'ml.m5.large');
    assert.deepEqual(job.ProfilerConfig, { ProfilingIntervalInMilliseconds: 500, DisableProfiler: true });
    assert.deepEqual(
      await sdkError(() => env.sagemaker.send(new UpdateTrainingJobCommand({ TrainingJobName: 'nope', ResourceConfig: { KeepAlivePeriodInSeconds: 1 } }))),
      {
        name: 'ValidationException',
        message: 'Requested resource not found.',
      },
    );
  });

  it('lists with filters, sort and paging', async () => {
    const all = [];
    for await (const page of paginateListTrainingJobs({ client: env.sagemaker, pageSize: 2 }, { SortBy: 'Name', SortOrder: 'Ascending' }))
      all.push(...(page.TrainingJobSummaries ?? []));
    assert.deepEqual(
      all.map((j) => j.TrainingJobName),
      ['sdk-crash', 'sdk-empty', 'sdk-failure', 'sdk-hosts', 'sdk-job', 'sdk-manifest', 'sdk-manifest-bad', 'sdk-shards'],
    );
    const failed = await env.sagemaker.send(new ListTrainingJobsCommand({ StatusEquals: 'Failed', SortBy: 'CreationTime', SortOrder: 'Ascending' }));
    assert.deepEqual(
      failed.TrainingJobSummaries?.map((j) => j.TrainingJobName),
      ['sdk-failure', 'sdk-crash', 'sdk-empty', 'sdk-manifest-bad'],
    );
    const byName = await env.sagemaker.send(new ListTrainingJobsCommand({ NameContains: 'SHARD' }));
    assert.deepEqual(
      byName.TrainingJobSummaries?.map((j) => [j.TrainingJobName, j.TrainingJobStatus, j.SecondaryStatus]),
      [['sdk-shards', 'Completed', 'Completed']],
    );
    const future = await env.sagemaker.send(new ListTrainingJobsCommand({ CreationTimeAfter: new Date(Date.now() + 60_000) }));
    assert.deepEqual(future.TrainingJobSummaries, []);
    const byStatus = await env.sagemaker.send(new ListTrainingJobsCommand({ SortBy: 'Status', SortOrder: 'Ascending', MaxResults: 1 }));
    assert.equal(byStatus.TrainingJobSummaries?.[0]?.TrainingJobStatus, 'Completed');
    assert.ok(byStatus.NextToken);
  });
});
