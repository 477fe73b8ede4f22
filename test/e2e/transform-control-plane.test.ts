// The batch transform control plane through the real server and the real runner (the batch-model
// user image from test/fixtures/transform): boto3 creates, describes, lists (filters, paginator) and
// tags jobs, waits with `transform_job_completed_or_stopped` for Completed, Failed (the waiter's failure
// state) and Stopped (StopTransformJob mid-run, handshake through a file the model creates), and gets
// SageMaker's error codes for every refusal; the JS SDK shows that a server restart runs an
// InProgress job again from the start.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateModelCommand,
  CreateTransformJobCommand,
  DescribeTransformJobCommand,
  StopTransformJobCommand,
  waitUntilTransformJobCompletedOrStopped,
} from '@aws-sdk/client-sagemaker';
import { awsEnv, repoRoot } from '../helpers/server-process.js';
import { addImage, connect, imageUri, put, role, trainingEnv, type TrainingEnv } from './training-harness.js';
import { fileAppears } from './transform-harness.js';

const run = promisify(execFile);
const bucket = 'transform-control';
const accountId = '000000000000';

const script = String.raw`
import json, sys, time, os
import boto3, botocore
image, bucket, blocked, role = sys.argv[1:5]
sm = boto3.client('sagemaker')
s3 = boto3.client('s3')
out = {}

def error(call):
    try:
        call()
        return None
    except botocore.exceptions.ClientError as e:
        return {'code': e.response['Error']['Code'], 'message': e.response['Error']['Message']}

def request(name, prefix='in/', **extra):
    r = dict(
        TransformJobName=name,
        ModelName='tcp-model',
        TransformInput={'DataSource': {'S3DataSource': {'S3DataType': 'S3Prefix', 'S3Uri': f's3://{bucket}/{prefix}'}}, 'ContentType': 'text/csv', 'SplitType': 'Line'},
        TransformOutput={'S3OutputPath': f's3://{bucket}/out/{name}', 'AssembleWith': 'Line'},
        TransformResources={'InstanceType': 'ml.m5.large', 'InstanceCount': 1},
    )
    r.update(extra)
    return r

waiter = sm.get_waiter('transform_job_completed_or_stopped')
def wait(name):
    try:
        waiter.wait(TransformJobName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 120})
        return 'ok'
    except botocore.exceptions.WaiterError as e:
        return str(e)

s3.put_object(Bucket=bucket, Key='in/a.csv', Body=b'1,2\n3,4\n')
s3.put_object(Bucket=bucket, Key='in/sub/b.csv', Body=b'5,6\n')
s3.put_object(Bucket=bucket, Key='block/x.csv', Body=b'block\n')
sm.create_model(ModelName='tcp-model', PrimaryContainer={'Image': image, 'Environment': {'BLOCKED_FILE': blocked}}, ExecutionRoleArn=role)

arn = sm.create_transform_job(**request('tcp-ok', Tags=[{'Key': 'team', 'Value': 'ml'}], Environment={'JOB_SETTING': 'x'}, MaxPayloadInMB=1, BatchStrategy='MultiRecord'))['TransformJobArn']
out['arn'] = arn
out['first_status'] = sm.describe_transform_job(TransformJobName='tcp-ok')['TransformJobStatus']
out['ok_wait'] = wait('tcp-ok')
d = sm.describe_transform_job(TransformJobName='tcp-ok')
out['times_ordered'] = d['CreationTime'] <= d['TransformStartTime'] <= d['TransformEndTime']
out['described'] = {k: v for k, v in d.items() if k not in ('ResponseMetadata', 'CreationTime', 'TransformStartTime', 'TransformEndTime')}
out['outputs'] = {k: s3.get_object(Bucket=bucket, Key=k)['Body'].read().decode() for k in ('out/tcp-ok/a.csv.out', 'out/tcp-ok/sub/b.csv.out')}
out['tags'] = sm.list_tags(ResourceArn=arn)['Tags']
out['stop_completed'] = error(lambda: sm.stop_transform_job(TransformJobName='tcp-ok'))

out['missing_model'] = error(lambda: sm.create_transform_job(**request('tcp-nomodel', ModelName='tcp-absent')))
out['duplicate'] = error(lambda: sm.create_transform_job(**request('TCP-OK')))
out['payload_too_big'] = error(lambda: sm.create_transform_job(**request('tcp-big', MaxPayloadInMB=101)))
out['payload_product'] = error(lambda: sm.create_transform_job(**request('tcp-product', MaxPayloadInMB=50, MaxConcurrentTransforms=3)))
augmented = request('tcp-augmented')
augmented['TransformInput']['DataSource']['S3DataSource']['S3DataType'] = 'AugmentedManifestFile'
out['augmented'] = error(lambda: sm.create_transform_job(**augmented))
out['bad_output'] = error(lambda: sm.create_transform_job(**request('tcp-badout', TransformOutput={'S3OutputPath': 'https://example.com/out'})))
out['bad_filter'] = error(lambda: sm.create_transform_job(**request('tcp-filter', DataProcessing={'InputFilter': '$..features', 'JoinSource': 'Input'})))
out['describe_missing'] = error(lambda: sm.describe_transform_job(TransformJobName='tcp-none'))
out['stop_missing'] = error(lambda: sm.stop_transform_job(TransformJobName='tcp-none'))
out['tag_missing'] = error(lambda: sm.add_tags(ResourceArn=arn.replace('tcp-ok', 'tcp-none'), Tags=[{'Key': 'k', 'Value': 'v'}]))

sm.create_transform_job(**request('tcp-empty', prefix='nothing-here/'))
out['empty_wait'] = wait('tcp-empty')
d = sm.describe_transform_job(TransformJobName='tcp-empty')
out['empty'] = {'status': d['TransformJobStatus'], 'reason': d.get('FailureReason', '')}

sm.create_transform_job(**request('tcp-stop', prefix='block/'))
deadline = time.time() + 60
while not os.path.exists(blocked) and time.time() < deadline:
    time.sleep(0.05)  # the model creates the file when it holds the request it will never answer
out['blocked'] = os.path.exists(blocked)
sm.stop_transform_job(TransformJobName='tcp-stop')
out['after_stop'] = sm.describe_transform_job(TransformJobName='tcp-stop')['TransformJobStatus']
out['stop_again'] = error(lambda: sm.stop_transform_job(TransformJobName='tcp-stop')) if out['after_stop'] == 'Stopping' else None
out['stop_wait'] = wait('tcp-stop')
out['stopped'] = sm.describe_transform_job(TransformJobName='tcp-stop')['TransformJobStatus']
out['stop_output'] = error(lambda: s3.head_object(Bucket=bucket, Key='out/tcp-stop/x.csv.out'))

summaries = sm.list_transform_jobs(NameContains='TCP-', SortBy='Name', SortOrder='Ascending')['TransformJobSummaries']
out['listed'] = [(s['TransformJobName'], s['TransformJobStatus'], 'FailureReason' in s, 'TransformEndTime' in s, 'LastModifiedTime' in s) for s in summaries]
out['completed'] = [s['TransformJobName'] for s in sm.list_transform_jobs(StatusEquals='Completed')['TransformJobSummaries']]
pages = sm.get_paginator('list_transform_jobs').paginate(SortBy='CreationTime', SortOrder='Ascending', PaginationConfig={'PageSize': 2})
out['pages'] = [[s['TransformJobName'] for s in page['TransformJobSummaries']] for page in pages]
print(json.dumps(out, default=str))
`;

describe('batch transform control plane', () => {
  let env: TrainingEnv;
  let home: string;

  before(async () => {
    env = await trainingEnv(bucket);
    home = mkdtempSync(path.join(tmpdir(), 'salvia-transform-cp-'));
    await addImage(env.server, 'tcp-batch', path.join(repoRoot, 'test/fixtures/transform/batch-model'));
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('boto3: create, describe, wait (Completed, Failed, Stopped), list, tags and every refusal', async () => {
    const blocked = path.join(home, 'blocked');
    const { stdout } = await run('python3', ['-c', script, imageUri('tcp-batch'), bucket, blocked, role], {
      env: awsEnv(env.server, home),
      maxBuffer: 16 * 1024 * 1024,
    });
    const r = JSON.parse(stdout) as Record<string, unknown>;
    const arn = `arn:aws:sagemaker:us-east-1:${accountId}:transform-job/tcp-ok`;
    assert.equal(r.arn, arn);
    assert.equal(r.first_status, 'InProgress');
    assert.equal(r.ok_wait, 'ok');
    assert.equal(r.times_ordered, true);
    assert.deepEqual(r.described, {
      TransformJobName: 'tcp-ok',
      TransformJobArn: arn,
      TransformJobStatus: 'Completed',
      ModelName: 'tcp-model',
      MaxPayloadInMB: 1,
      BatchStrategy: 'MultiRecord',
      Environment: { JOB_SETTING: 'x' },
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/in/` } },
        ContentType: 'text/csv',
        CompressionType: 'None',
        SplitType: 'Line',
      },
      TransformOutput: { S3OutputPath: `s3://${bucket}/out/tcp-ok`, AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      DataProcessing: { InputFilter: '$', OutputFilter: '$', JoinSource: 'None' },
    });
    assert.deepEqual(r.outputs, { 'out/tcp-ok/a.csv.out': 'scored:1,2\nscored:3,4\n', 'out/tcp-ok/sub/b.csv.out': 'scored:5,6\n' });
    assert.deepEqual(r.tags, [{ Key: 'team', Value: 'ml' }]);
    assert.deepEqual(r.stop_completed, {
      code: 'ValidationException',
      message: 'The request was rejected because the transform job is in status Completed.',
    });

    assert.deepEqual(r.missing_model, {
      code: 'ValidationException',
      message: `Could not find model "arn:aws:sagemaker:us-east-1:${accountId}:model/tcp-absent".`,
    });
    assert.deepEqual(r.duplicate, {
      code: 'ResourceInUse',
      message: `Transform job names must be unique within an AWS account and region, and a transform job with this name already exists (${arn})`,
    });
    assert.deepEqual(r.payload_too_big, {
      code: 'ValidationException',
      message: "1 validation error detected: Value '101' at 'maxPayloadInMB' failed to satisfy constraint: Member must have value less than or equal to 100",
    });
    assert.match((r.payload_product as { message: string }).message, /^The value of \(MaxConcurrentTransforms \* MaxPayloadInMB\) cannot exceed 100 MB/);
    assert.match((r.augmented as { message: string }).message, /AugmentedManifestFile is not supported for transform jobs/);
    assert.match((r.bad_output as { message: string }).message, /^Invalid S3 URI "https:\/\/example.com\/out"/);
    assert.match((r.bad_filter as { message: string }).message, /^InputFilter '\$\.\.features' is not a valid JSONPath expression for DataProcessing/);
    for (const key of ['describe_missing', 'stop_missing', 'tag_missing'])
      assert.deepEqual(r[key], { code: 'ValidationException', message: 'Requested resource not found.' }, key);

    assert.match(String(r.empty_wait), /Waiter encountered a terminal failure state/);
    const empty = r.empty as { status: string; reason: string };
    assert.equal(empty.status, 'Failed');
    assert.notEqual(empty.reason, '');

    assert.equal(r.blocked, true);
    assert.ok(r.after_stop === 'Stopping' || r.after_stop === 'Stopped', String(r.after_stop));
    assert.equal(r.stop_again, null, 'stopping a Stopping job is accepted');
    assert.equal(r.stop_wait, 'ok');
    assert.equal(r.stopped, 'Stopped');
    assert.equal((r.stop_output as { code: string }).code, '404', 'a stopped job publishes no .out for the file it was working on');

    assert.deepEqual(r.listed, [
      ['tcp-empty', 'Failed', true, true, true],
      ['tcp-ok', 'Completed', false, true, true],
      ['tcp-stop', 'Stopped', false, true, true],
    ]);
    assert.deepEqual(r.completed, ['tcp-ok']);
    assert.deepEqual(r.pages, [['tcp-ok', 'tcp-empty'], ['tcp-stop']]);
  });

  it('JS SDK: a job InProgress when the server stops runs again from the start after the restart', async () => {
    const blocked = path.join(home, 'blocked-restart');
    await env.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'tcp-restart-model',
        PrimaryContainer: { Image: imageUri('tcp-batch'), Environment: { BLOCKED_FILE: blocked } },
        ExecutionRoleArn: role,
      }),
    );
    await put(env, 'restart/x.csv', 'block\n');
    await env.sagemaker.send(
      new CreateTransformJobCommand({
        TransformJobName: 'tcp-restart',
        ModelName: 'tcp-restart-model',
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/restart/` } }, SplitType: 'Line' },
        TransformOutput: { S3OutputPath: `s3://${bucket}/out/restart` },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      }),
    );
    await fileAppears(blocked);
    rmSync(blocked);
    await env.close();
    const server = await env.server.restart();
    env = await connect(server, bucket);
    const after = await env.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'tcp-restart' }));
    assert.equal(after.TransformJobStatus, 'InProgress');
    await fileAppears(blocked); // the model got the file's record again: the job is running from the start
    await env.sagemaker.send(new StopTransformJobCommand({ TransformJobName: 'tcp-restart' }));
    await waitUntilTransformJobCompletedOrStopped({ client: env.sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { TransformJobName: 'tcp-restart' });
    const stopped = await env.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'tcp-restart' }));
    assert.equal(stopped.TransformJobStatus, 'Stopped');
    assert.ok(stopped.TransformEndTime instanceof Date);
  });
});
