import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, it } from 'node:test';
import {
  CreateProcessingJobCommand,
  DescribeProcessingJobCommand,
  StopProcessingJobCommand,
  type CreateProcessingJobCommandInput,
} from '@aws-sdk/client-sagemaker';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, testCredentials } from '../helpers/server-process.js';
import { getBytes, imageUri, role, sandboxSkipReason } from './training-harness.js';
import {
  listKeys,
  processingEnv,
  processingFixtures,
  processingLogs,
  restartProcessingEnv,
  sdkRequest,
  sklearnImage,
  sklearnSkipReason,
  uploadCode,
  waitForProcessingEnd,
  type ProcessingEnv,
} from './processing-harness.js';

describe('processing job lifecycle: Continuous upload, stop, failure, bad input', { skip: sandboxSkipReason() || sklearnSkipReason() }, () => {
  let env: ProcessingEnv;

  before(async () => {
    env = await processingEnv('processing-lifecycle');
  });
  after(async () => {
    await env?.dispose();
  });

  /** Waits until the job's Continuous output `file` is in S3 (it can only be there if uploaded while the job runs). */
  const waitForUpload = async (name: string, file: string): Promise<void> => {
    const key = `${name}/output/output-1/${file}`;
    const deadline = Date.now() + 30_000;
    while (!(await listKeys(env, key)).includes(key)) {
      assert.ok(Date.now() < deadline, `${key} was not uploaded while running (status ${await status(name)})`);
      await delay(100);
    }
  };
  const create = (request: CreateProcessingJobCommandInput): Promise<unknown> => env.sagemaker.send(new CreateProcessingJobCommand(request));
  const status = async (name: string): Promise<string | undefined> =>
    (await env.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }))).ProcessingJobStatus;

  it('uploads a Continuous output while the job runs; StopProcessingJob ends it Stopped after a final sync', async () => {
    const name = 'continuous-stop';
    await uploadCode(env, name, 'write_then_wait.py');
    await create(sdkRequest(env, name, 'write_then_wait.py', { outputs: [{ localPath: '/opt/ml/processing/output', mode: 'Continuous' }] }));
    const prefix = `${name}/output/output-1/`;
    // The script never ends by itself: the file can only be seen here because it was uploaded while the job runs.
    await waitForUpload(name, 'first.txt');
    assert.equal(await status(name), 'InProgress');
    assert.equal((await getBytes(env, `${prefix}first.txt`)).toString(), 'written while running\n');
    await env.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name }));
    assert.ok(['Stopping', 'Stopped'].includes((await status(name)) ?? ''));
    const job = await waitForProcessingEnd(env, name);
    assert.equal(job.ProcessingJobStatus, 'Stopped', job.FailureReason);
    assert.equal(job.FailureReason, undefined);
    assert.equal((await getBytes(env, `${prefix}last.txt`)).toString(), 'stopped\n', 'written in the SIGTERM handler: uploaded by the final sync');
    assert.ok([...(await processingLogs(env, name)).values()].flat().includes('got SIGTERM'));
    await assert.rejects(env.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name })), { name: 'ValidationException' });
  });

  it('keeps a running job across a server restart: re-attached, it can still be stopped and its logs are complete', async () => {
    const name = 'survives-restart';
    await uploadCode(env, name, 'write_then_wait.py');
    await create(sdkRequest(env, name, 'write_then_wait.py', { outputs: [{ localPath: '/opt/ml/processing/output', mode: 'Continuous' }] }));
    await waitForUpload(name, 'first.txt');
    env = await restartProcessingEnv(env);
    assert.equal(await status(name), 'InProgress');
    await env.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name }));
    const job = await waitForProcessingEnd(env, name);
    assert.equal(job.ProcessingJobStatus, 'Stopped', job.FailureReason);
    assert.equal((await getBytes(env, `${name}/output/output-1/last.txt`)).toString(), 'stopped\n');
    const lines = [...(await processingLogs(env, name)).values()].flat();
    assert.deepEqual(
      lines.filter((l) => l === 'first file closed; waiting to be stopped' || l === 'got SIGTERM'),
      ['first file closed; waiting to be stopped', 'got SIGTERM'],
    );
  });

  it('streams a Pipe-mode input (Gzip objects decompressed) into a FIFO at <LocalPath>_0', async () => {
    const name = 'pipe-input';
    for (const [key, text] of [
      ['stream/a.txt.gz', 'hello\n'],
      ['stream/b.txt.gz', 'world\n'],
    ] as const)
      await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: key, Body: gzipSync(text) }));
    await uploadCode(env, name, 'read_pipe.py');
    const request = sdkRequest(env, name, 'read_pipe.py', {
      inputs: [{ s3Uri: `s3://${env.bucket}/stream/`, localPath: '/opt/ml/processing/input/stream' }],
      outputs: [{ localPath: '/opt/ml/processing/output' }],
    });
    const [pipe, code] = request.ProcessingInputs as [
      NonNullable<typeof request.ProcessingInputs>[number],
      NonNullable<typeof request.ProcessingInputs>[number],
    ];
    await create({ ...request, ProcessingInputs: [{ ...pipe, S3Input: { ...pipe.S3Input!, S3InputMode: 'Pipe', S3CompressionType: 'Gzip' } }, code] });
    const job = await waitForProcessingEnd(env, name);
    assert.equal(job.ProcessingJobStatus, 'Completed', job.FailureReason);
    assert.equal((await getBytes(env, `${name}/output/output-1/streamed.txt`)).toString(), 'hello\nworld\n');
  });

  it('fails a non-zero exit with the ExitMessage tail and exit code, and does not upload its EndOfJob outputs', async () => {
    const name = 'fails-with-message';
    await uploadCode(env, name, 'fail_with_message.py');
    await create(sdkRequest(env, name, 'fail_with_message.py', { outputs: [{ localPath: '/opt/ml/processing/output' }] }));
    const job = await waitForProcessingEnd(env, name);
    assert.equal(job.ProcessingJobStatus, 'Failed');
    assert.equal(job.ExitMessage, 'reading input\nValueError: row 7 has no customer_id');
    assert.equal(job.FailureReason, 'AlgorithmError: reading input\nValueError: row 7 has no customer_id, exit code: 3');
    assert.ok(job.ProcessingEndTime);
    assert.deepEqual(await listKeys(env, `${name}/output/`), [], 'the partial output of a failed job is not published');
    assert.ok([...(await processingLogs(env, name)).values()].flat().includes('failing on purpose'));
  });

  it('fails a job whose output directory is gone at the end, naming the output', async () => {
    const name = 'removes-output';
    await uploadCode(env, name, 'remove_output.py');
    await create(sdkRequest(env, name, 'remove_output.py', { outputs: [{ localPath: '/opt/ml/processing/output' }] }));
    const job = await waitForProcessingEnd(env, name);
    assert.equal(job.ProcessingJobStatus, 'Failed');
    assert.match(
      job.FailureReason ?? '',
      /^ClientError: Output output-1: the directory \/opt\/ml\/processing\/output did not exist on algo-1 when the processing container ended/,
    );
  });

  it('runs a registered user image: its entrypoint with ContainerArguments, the request Environment and no SM_* variables', async () => {
    await promisify(execFile)(
      process.execPath,
      [
        path.join(repoRoot, 'bin/salvia.js'),
        'images',
        'add',
        'my-processor',
        path.join(processingFixtures, 'user-image'),
        '--entrypoint',
        'process.sh',
        '--endpoint-url',
        env.server.url,
      ],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey } },
    );
    const name = 'user-image';
    await create({
      ProcessingJobName: name,
      AppSpecification: { ImageUri: imageUri('my-processor'), ContainerArguments: ['--mode', 'report'] },
      Environment: { MY_SETTING: 'on' },
      ProcessingOutputConfig: {
        Outputs: [
          { OutputName: 'report', S3Output: { S3Uri: `s3://${env.bucket}/user-image/out`, LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } },
        ],
      },
      ProcessingResources: { ClusterConfig: { InstanceType: 'ml.t3.medium', InstanceCount: 1, VolumeSizeInGB: 1 } },
      RoleArn: role,
    });
    const job = await waitForProcessingEnd(env, name);
    assert.equal(job.ProcessingJobStatus, 'Completed', job.FailureReason);
    assert.equal((await getBytes(env, 'user-image/out/args.txt')).toString(), '--mode report\n');
    const variables = (await getBytes(env, 'user-image/out/env.txt')).toString().split('\n');
    assert.ok(variables.includes('MY_SETTING=on'), variables.join('\n'));
    assert.deepEqual(
      variables.filter((v) => v.startsWith('SM_')),
      [],
    );
    const resource = JSON.parse((await getBytes(env, 'user-image/out/resourceconfig.json')).toString()) as {
      current_host: string;
      hosts: string[];
      current_instance_type: string;
    };
    assert.deepEqual([resource.current_host, resource.hosts, resource.current_instance_type], ['algo-1', ['algo-1'], 'ml.t3.medium']);
    assert.ok([...(await processingLogs(env, name)).values()].flat().includes('user image ran with: --mode report'));
  });

  it('answers bad requests with ValidationException in AWS shape, duplicates with ResourceInUse', async () => {
    const good = sdkRequest(env, 'bad-input', 'x.py', {
      inputs: [{ s3Uri: `s3://${env.bucket}/raw/`, localPath: '/opt/ml/processing/input/data' }],
      outputs: [{ localPath: '/opt/ml/processing/output' }],
    });
    const inputs = good.ProcessingInputs ?? [];
    const first = inputs[0] as NonNullable<typeof good.ProcessingInputs>[number];
    const output = good.ProcessingOutputConfig?.Outputs?.[0] as NonNullable<NonNullable<typeof good.ProcessingOutputConfig>['Outputs']>[number];
    const cases: Array<[string, CreateProcessingJobCommandInput, RegExp]> = [
      [
        'outside /opt/ml/processing',
        { ...good, ProcessingInputs: [{ ...first, S3Input: { ...first.S3Input!, LocalPath: '/opt/ml/input/data' } }] },
        /must be an absolute path that begins with \/opt\/ml\/processing\//,
      ],
      [
        'output inside an input',
        { ...good, ProcessingOutputConfig: { Outputs: [{ ...output, S3Output: { ...output.S3Output!, LocalPath: '/opt/ml/processing/input/data/out' } }] } },
        /ProcessingInput input-1 and ProcessingOutput output-1 have overlapping LocalPaths/,
      ],
      [
        'duplicate InputName',
        { ...good, ProcessingInputs: [...inputs, { ...first, S3Input: { ...first.S3Input!, LocalPath: '/opt/ml/processing/other' } }] },
        /InputName input-1 appears more than once/,
      ],
      [
        'unknown instance type',
        { ...good, ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.huge' as 'ml.m5.large', VolumeSizeInGB: 1 } } },
        /instanceType|InstanceType/,
      ],
      [
        'bad S3 URI',
        { ...good, ProcessingInputs: [{ ...first, S3Input: { ...first.S3Input!, S3Uri: 's3://Bad_Bucket/x' } }] },
        /Invalid S3 URI "s3:\/\/Bad_Bucket\/x"/,
      ],
      [
        'unknown image',
        { ...good, AppSpecification: { ...good.AppSpecification, ImageUri: '1.dkr.ecr.us-east-1.amazonaws.com/nope:1' } },
        /not known to Salvia/,
      ],
      [
        'built-in algorithm image',
        { ...good, AppSpecification: { ...good.AppSpecification, ImageUri: 'linear-learner' } },
        /built-in algorithm image, which cannot run processing jobs/,
      ],
      [
        'framework image without entrypoint',
        { ...good, AppSpecification: { ImageUri: sklearnImage, ContainerArguments: ['--x'] } },
        /give AppSpecification.ContainerEntrypoint/,
      ],
      [
        'DatasetDefinition',
        { ...good, ProcessingInputs: [{ InputName: 'q', DatasetDefinition: { LocalPath: '/opt/ml/processing/q', DataDistributionType: 'FullyReplicated' } }] },
        /DatasetDefinition inputs .* are not supported/,
      ],
      [
        'Gzip in File mode',
        { ...good, ProcessingInputs: [{ ...first, S3Input: { ...first.S3Input!, S3CompressionType: 'Gzip' } }] },
        /Gzip can only be used when Pipe mode is specified as the S3InputMode/,
      ],
    ];
    for (const [what, request, message] of cases) {
      await assert.rejects(create(request), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, 'ValidationException', `${what}: ${error.name} ${error.message}`);
        assert.equal(error.$metadata?.httpStatusCode, 400, what);
        assert.match(error.message, message, what);
        return true;
      });
    }
    await assert.rejects(env.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'bad-input' })), {
      name: 'ValidationException',
      message: 'Requested resource not found.',
    });
    await assert.rejects(create({ ...good, ProcessingJobName: 'FAILS-WITH-MESSAGE' }), { name: 'ResourceInUse' });
  });
});
