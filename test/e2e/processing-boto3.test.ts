import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateProcessingJobCommand } from '@aws-sdk/client-sagemaker';
import { awsEnv } from '../helpers/server-process.js';
import { getBytes, put, sandboxSkipReason } from './training-harness.js';
import { listKeys, processingEnv, processingLogs, sdkRequest, sklearnSkipReason, uploadCode, waitForProcessingEnd } from './processing-harness.js';

const execFileAsync = promisify(execFile);

// boto3 as the SageMaker Python SDK's SKLearnProcessor drives it: create_processing_job with the
// SDK's request, the processing_job_completed_or_stopped waiter, describe, list and tags.
const script = `
import boto3, json, sys
request = json.loads(sys.argv[1])
sm = boto3.client('sagemaker')
sm.create_processing_job(**request)
sm.get_waiter('processing_job_completed_or_stopped').wait(ProcessingJobName=request['ProcessingJobName'], WaiterConfig={'Delay': 1, 'MaxAttempts': 120})
d = sm.describe_processing_job(ProcessingJobName=request['ProcessingJobName'])
listed = sm.list_processing_jobs(StatusEquals='Completed', NameContains='split', SortBy='Name', SortOrder='Ascending')
tags = sm.list_tags(ResourceArn=d['ProcessingJobArn'])['Tags']
print(json.dumps({'describe': d, 'listed': [j['ProcessingJobName'] for j in listed['ProcessingJobSummaries']], 'tags': tags}, default=str))
`;

const CUSTOMERS = 1000;
const READINGS = 3;

/** One CSV of energy readings: READINGS rows per customer, interleaved by hour. */
function readingsCsv(): string {
  const rows = ['customer_id,hour,kwh'];
  for (let hour = 0; hour < READINGS; hour++) for (let c = 1; c <= CUSTOMERS; c++) rows.push(`${c},${hour},${((c * 7 + hour * 3) % 50) / 10}`);
  return rows.join('\n') + '\n';
}

describe('processing jobs through boto3 (SKLearnProcessor shape)', { skip: sandboxSkipReason() || sklearnSkipReason() }, () => {
  let env: Awaited<ReturnType<typeof processingEnv>>;
  let home: string;

  before(async () => {
    env = await processingEnv('processing-boto3');
    home = mkdtempSync(path.join(tmpdir(), 'salvia-processing-boto3-'));
    await put(env, 'raw/readings.csv', readingsCsv());
  });
  after(async () => {
    await env?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('splits one CSV of 1,000 customers into one CSV per customer; waiter, describe, list, tags and logs see it', async () => {
    const name = 'split-customers';
    await uploadCode(env, name, 'split_by_customer.py');
    const request = {
      ...sdkRequest(env, name, 'split_by_customer.py', {
        inputs: [{ s3Uri: `s3://${env.bucket}/raw/readings.csv`, localPath: '/opt/ml/processing/input' }],
        outputs: [{ localPath: '/opt/ml/processing/output' }],
      }),
      Environment: { SPLIT_BY: 'customer_id' },
      Tags: [{ Key: 'team', Value: 'energy' }],
    };
    const { stdout } = await execFileAsync('python3', ['-c', script, JSON.stringify(request)], { env: awsEnv(env.server, home) });
    const { describe: d, listed, tags } = JSON.parse(stdout) as { describe: Record<string, unknown>; listed: string[]; tags: unknown };
    assert.equal(d['ProcessingJobStatus'], 'Completed', `${String(d['FailureReason'])}\n${[...(await processingLogs(env, name)).values()].flat().join('\n')}`);
    assert.equal(d['ExitMessage'], `split ${CUSTOMERS} customers`);
    assert.equal(d['FailureReason'], undefined);
    assert.deepEqual(d['ProcessingResources'], request.ProcessingResources);
    assert.deepEqual(d['AppSpecification'], request.AppSpecification);
    assert.deepEqual(d['ProcessingInputs'], request.ProcessingInputs);
    assert.deepEqual(d['ProcessingOutputConfig'], request.ProcessingOutputConfig);
    assert.deepEqual(d['StoppingCondition'], { MaxRuntimeInSeconds: 300 });
    assert.deepEqual(d['Environment'], { SPLIT_BY: 'customer_id' });
    assert.equal(d['ProcessingJobArn'], `arn:aws:sagemaker:us-east-1:000000000000:processing-job/${name}`);
    for (const field of ['CreationTime', 'ProcessingStartTime', 'ProcessingEndTime', 'LastModifiedTime']) assert.ok(d[field], field);
    assert.deepEqual(listed, [name]);
    assert.deepEqual(tags, [{ Key: 'team', Value: 'energy' }]);

    const prefix = `${name}/output/output-1/`;
    const keys = await listKeys(env, prefix);
    assert.equal(keys.length, CUSTOMERS);
    const expected = Array.from({ length: CUSTOMERS }, (_, i) => `${prefix}customer-${i + 1}.csv`).sort();
    assert.deepEqual([...keys].sort(), expected);
    // Every file: the header and exactly that customer's readings.
    for (let start = 0; start < keys.length; start += 25) {
      await Promise.all(
        keys.slice(start, start + 25).map(async (key) => {
          const customer = /customer-(\d+)\.csv$/.exec(key)?.[1] as string;
          const lines = (await getBytes(env, key)).toString('utf8').trim().split('\n');
          assert.equal(lines[0], 'customer_id,hour,kwh', key);
          assert.equal(lines.length - 1, READINGS, key);
          for (const line of lines.slice(1)) assert.equal(line.split(',')[0], customer, key);
        }),
      );
    }

    const logs = await processingLogs(env, name);
    const epoch = Math.floor(new Date(String(d['ProcessingStartTime'])).getTime() / 1000);
    assert.deepEqual([...logs.keys()], [`${name}/algo-1-${epoch}`]);
    const lines = [...logs.values()].flat();
    assert.ok(lines.includes(`wrote ${CUSTOMERS} customer files`), lines.join('\n'));
    assert.ok(
      lines.some((l) => /^scikit-learn \S+, pandas \S+: 3000 readings$/.test(l)),
      lines.join('\n'),
    );
  });

  it('gives each input object to exactly one of two hosts with ShardedByS3Key', async () => {
    const name = 'shard-parts';
    const parts = Array.from({ length: 7 }, (_, i) => `part-${i}.csv`);
    for (const part of parts) await put(env, `parts/${part}`, `${part}\n`);
    await uploadCode(env, name, 'shard_report.py');
    await env.sagemaker.send(
      new CreateProcessingJobCommand(
        sdkRequest(env, name, 'shard_report.py', {
          inputs: [{ s3Uri: `s3://${env.bucket}/parts/`, localPath: '/opt/ml/processing/input/parts', distribution: 'ShardedByS3Key' }],
          outputs: [{ localPath: '/opt/ml/processing/output' }],
          instanceCount: 2,
        }),
      ),
    );
    const job = await waitForProcessingEnd(env, name);
    assert.equal(job.ProcessingJobStatus, 'Completed', job.FailureReason);
    const reports = await Promise.all(
      ['algo-1', 'algo-2'].map(
        async (host) =>
          JSON.parse((await getBytes(env, `${name}/output/output-1/${host}.json`)).toString('utf8')) as { host: string; files: string[]; job: string },
      ),
    );
    assert.deepEqual(
      reports.map((r) => [r.host, r.job]),
      [
        ['algo-1', name],
        ['algo-2', name],
      ],
    );
    const [one, two] = reports.map((r) => r.files) as [string[], string[]];
    assert.ok(one.length > 0 && two.length > 0, JSON.stringify(reports));
    assert.deepEqual(
      one.filter((f) => two.includes(f)),
      [],
      'no object went to both hosts',
    );
    assert.deepEqual([...one, ...two].sort(), parts);
    assert.equal((await processingLogs(env, name)).size, 2);
  });
});
