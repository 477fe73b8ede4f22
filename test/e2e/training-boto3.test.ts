import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { awsEnv } from '../helpers/server-process.js';
import { addImage, getBytes, imageUri, logLines, put, role, trainingEnv, untarGz, type TrainingEnv } from './training-harness.js';

const execFileAsync = promisify(execFile);

// boto3 as a user's script would drive it: create_training_job, the training_job_completed_or_stopped
// waiter, describe_training_job and list_training_jobs. The train channel's S3Uri has no trailing
// slash, as the SageMaker Python SDK's upload_data returns it: its files land directly in the channel.
const script = `
import boto3, json, sys
bucket, image, role = sys.argv[1:4]
sm = boto3.client('sagemaker')
sm.create_training_job(
    TrainingJobName='boto3-job',
    AlgorithmSpecification={'TrainingImage': image, 'TrainingInputMode': 'File',
        'MetricDefinitions': [{'Name': 'train:loss', 'Regex': 'train_loss=(\\\\S+)'}, {'Name': 'validation:accuracy', 'Regex': 'validation:accuracy=(\\\\S+)'}]},
    HyperParameters={'epochs': '3', 'lr': '0.1'},
    InputDataConfig=[
        {'ChannelName': 'train', 'DataSource': {'S3DataSource': {'S3DataType': 'S3Prefix', 'S3Uri': 's3://%s/data/train' % bucket}}, 'ContentType': 'text/csv'},
        {'ChannelName': 'validation', 'DataSource': {'S3DataSource': {'S3DataType': 'S3Prefix', 'S3Uri': 's3://%s/data/validation/v.csv' % bucket}}},
    ],
    OutputDataConfig={'S3OutputPath': 's3://%s/output/' % bucket},
    ResourceConfig={'InstanceType': 'ml.m5.large', 'InstanceCount': 1, 'VolumeSizeInGB': 5},
    StoppingCondition={'MaxRuntimeInSeconds': 120},
    RoleArn=role,
    Environment={'MY_SETTING': 'on'},
    Tags=[{'Key': 'team', 'Value': 'ml'}])
sm.get_waiter('training_job_completed_or_stopped').wait(TrainingJobName='boto3-job', WaiterConfig={'Delay': 1, 'MaxAttempts': 60})
d = sm.describe_training_job(TrainingJobName='boto3-job')
listed = sm.list_training_jobs(StatusEquals='Completed', NameContains='boto3')
tags = sm.list_tags(ResourceArn=d['TrainingJobArn'])['Tags']
print(json.dumps({'describe': d, 'listed': [j['TrainingJobName'] for j in listed['TrainingJobSummaries']], 'tags': tags}, default=str))
`;

describe('training jobs through boto3', () => {
  let env: TrainingEnv;
  let home: string;

  before(async () => {
    env = await trainingEnv('boto3-training');
    home = mkdtempSync(path.join(tmpdir(), 'salvia-training-boto3-'));
    await addImage(env.server, 'boto3-model-metrics', 'model-and-metrics');
    await put(env, 'data/train/part-1.csv', '1,2\n');
    await put(env, 'data/train/nested/part-2.csv', '3,4\n');
    await put(env, 'data/validation/v.csv', '5,6\n');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('runs a job that reads its channels, writes a model and metrics; the waiter, describe and list see it', async () => {
    const { stdout } = await execFileAsync('python3', ['-c', script, env.bucket, imageUri('boto3-model-metrics'), role], { env: awsEnv(env.server, home) });
    const { describe: d, listed, tags } = JSON.parse(stdout) as { describe: Record<string, unknown>; listed: string[]; tags: unknown };
    assert.equal(d['TrainingJobStatus'], 'Completed', String(d['FailureReason']));
    assert.equal(d['SecondaryStatus'], 'Completed');
    assert.deepEqual(
      (d['SecondaryStatusTransitions'] as Array<{ Status: string; StatusMessage: string }>).map((t) => t.Status),
      ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'],
    );
    for (const t of d['SecondaryStatusTransitions'] as Array<{ StatusMessage: string }>) assert.ok(t.StatusMessage.length > 0);
    assert.deepEqual(d['ModelArtifacts'], { S3ModelArtifacts: `s3://${env.bucket}/output/boto3-job/output/model.tar.gz` });
    assert.deepEqual(d['HyperParameters'], { epochs: '3', lr: '0.1' });
    assert.deepEqual((d['ResourceConfig'] as { InstanceCount: number }).InstanceCount, 1);
    assert.deepEqual(d['Environment'], { MY_SETTING: 'on' });
    assert.ok((d['TrainingTimeInSeconds'] as number) >= 1);
    assert.ok((d['BillableTimeInSeconds'] as number) >= 1);
    assert.ok(d['TrainingStartTime'] && d['TrainingEndTime'] && d['LastModifiedTime']);
    const metrics = Object.fromEntries((d['FinalMetricDataList'] as Array<{ MetricName: string; Value: number }>).map((m) => [m.MetricName, m.Value]));
    assert.deepEqual(metrics, { 'train:loss': 0.33, 'validation:accuracy': 0.9 });
    assert.deepEqual(listed, ['boto3-job']);
    assert.deepEqual(tags, [{ Key: 'team', Value: 'ml' }]);

    const model = untarGz(await getBytes(env, 'output/boto3-job/output/model.tar.gz'));
    const written = JSON.parse(model.get('model.json') ?? '{}') as { seen: Record<string, string>; hyperparameters: unknown; host: string };
    assert.deepEqual(written.seen, { 'train/part-1.csv': '1,2\n', 'train/nested/part-2.csv': '3,4\n', 'validation/v.csv': '5,6\n' });
    assert.deepEqual(written.hyperparameters, { epochs: '3', lr: '0.1' });
    assert.equal(written.host, 'algo-1');
    const output = untarGz(await getBytes(env, 'output/boto3-job/output/output.tar.gz'));
    assert.equal(output.get('report.txt'), 'ok\n');
    const lines = await logLines(env, 'boto3-job');
    assert.ok(lines.includes('validation:accuracy=0.9'), lines.join('\n'));
  });
});
