// A model trained by a real training job (built-in XGBoost on sklearn's digits), deployed as a
// real-time endpoint and invoked with CSV and JSON through @aws-sdk/client-sagemaker-runtime and
// boto3 (whose endpoint_in_service / endpoint_deleted waiters drive the lifecycle); the runtime's
// errors as SageMaker Runtime returns them; deleting the endpoint leaves no model server behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateModelCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { repoRoot } from '../helpers/server-process.js';
import { algorithmPython, images, runBuiltinJob, uploadDataset } from './builtin-harness.js';
import {
  accountId,
  alive,
  boto3,
  commandLine,
  createConfig,
  descendants,
  endpointsEnv,
  invoke,
  role,
  runtimeFailure,
  type EndpointsEnv,
} from './endpoints-harness.js';

const execFileAsync = promisify(execFile);
const script = path.join(repoRoot, 'test/fixtures/algorithms/xgboost_digits.py');

describe('a built-in XGBoost model trained by a job, served by a real-time endpoint', () => {
  let env: EndpointsEnv;
  let features: string[];
  let labels: number[];
  let modelProcesses: number[] = [];

  before(async () => {
    env = await endpointsEnv('endpoints-xgboost');
    const dir = path.join(env.work, 'digits');
    await execFileAsync(algorithmPython, [script, 'data', dir]);
    features = readFileSync(path.join(dir, 'test-features.csv'), 'utf8').trim().split('\n');
    labels = JSON.parse(readFileSync(path.join(dir, 'test-labels.json'), 'utf8')) as number[];
    const train = await uploadDataset(env, 'digits/train', { 'train.csv': readFileSync(path.join(dir, 'train.csv')) });
    const job = await runBuiltinJob(env, {
      name: 'digits-xgb',
      image: images.xgboost,
      hyperparameters: { num_round: '10', objective: 'multi:softmax', num_class: '10', max_depth: '4', eta: '0.3' },
      channels: { train: { s3Uri: train, contentType: 'text/csv' } },
    });
    await env.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'digits-xgb',
        PrimaryContainer: { Image: images.xgboost, ModelDataUrl: job.description.ModelArtifacts?.S3ModelArtifacts },
        ExecutionRoleArn: role,
      }),
    );
    await createConfig(env, 'digits-config', [{ variantName: 'AllTraffic', modelName: 'digits-xgb' }]);
  });
  after(async () => {
    await env?.dispose();
  });

  it('boto3 creates the endpoint and its endpoint_in_service waiter returns once it is InService; CSV and JSON predictions are the digits', async () => {
    const before = descendants(env.server.child.pid as number);
    const created = await boto3<{
      arn: string;
      status: string;
      variants: { VariantName: string; CurrentWeight: number; CurrentInstanceCount: number }[];
      csv: string;
      type: string;
      variant: string;
    }>(
      env,
      `sm = boto3.client('sagemaker')
arn = sm.create_endpoint(EndpointName='digits', EndpointConfigName='digits-config')['EndpointArn']
sm.get_waiter('endpoint_in_service').wait(EndpointName='digits', WaiterConfig={'Delay': 1, 'MaxAttempts': 120})
d = sm.describe_endpoint(EndpointName='digits')
r = boto3.client('sagemaker-runtime').invoke_endpoint(EndpointName='digits', ContentType='text/csv', Body=${JSON.stringify(features.join('\n'))})
print(json.dumps({'arn': arn, 'status': d['EndpointStatus'], 'variants': d['ProductionVariants'], 'csv': r['Body'].read().decode(), 'type': r['ContentType'], 'variant': r['InvokedProductionVariant']}, default=str))`,
    );
    assert.equal(created.arn, `arn:aws:sagemaker:us-east-1:${accountId}:endpoint/digits`);
    assert.equal(created.status, 'InService');
    assert.equal(created.variants[0]?.VariantName, 'AllTraffic');
    assert.equal(created.variants[0]?.CurrentWeight, 1);
    assert.equal(created.variants[0]?.CurrentInstanceCount, 1);
    assert.equal(created.type, 'text/csv');
    assert.equal(created.variant, 'AllTraffic');
    const predictions = created.csv.split(',').map(Number);
    assert.equal(predictions.length, labels.length);
    const accuracy = predictions.filter((p, i) => p === labels[i]).length / labels.length;
    assert.ok(accuracy > 0.85, `accuracy ${accuracy}`);

    const json = await invoke(env, {
      EndpointName: 'digits',
      ContentType: 'application/json',
      Accept: 'application/json',
      Body: JSON.stringify({ instances: features.slice(0, 20).map((row) => ({ features: row.split(',').map(Number) })) }),
    });
    assert.equal(json.contentType, 'application/json');
    assert.equal(json.variant, 'AllTraffic');
    assert.deepEqual(JSON.parse(json.body), { predictions: predictions.slice(0, 20).map((score) => ({ score })) });

    const csv = await invoke(env, { EndpointName: 'digits', ContentType: 'text/csv', Accept: 'application/jsonlines', Body: features[3] ?? '' });
    assert.deepEqual(JSON.parse(csv.body.trim()), { score: predictions[3] });

    modelProcesses = [...descendants(env.server.child.pid as number)].filter((pid) => !before.has(pid));
    assert.ok(modelProcesses.length > 0, 'the endpoint runs a model server process under the server');
    assert.ok(
      modelProcesses.some((pid) => /salvia_algorithms\.xgboost serve/.test(commandLine(pid))),
      modelProcesses.map(commandLine).join('\n'),
    );
  });

  it('answers bad invocations with SageMaker Runtime errors', async () => {
    const unknown = await runtimeFailure(invoke(env, { EndpointName: 'no-such-endpoint', ContentType: 'text/csv', Body: '1' }));
    assert.deepEqual(
      { name: unknown.name, status: unknown.status, message: unknown.message },
      { name: 'ValidationError', status: 400, message: `Endpoint no-such-endpoint of account ${accountId} not found.` },
    );

    const mismatch = await runtimeFailure(invoke(env, { EndpointName: 'digits', ContentType: 'text/csv', Body: '1,2,3' }));
    assert.equal(mismatch.name, 'ModelError');
    assert.equal(mismatch.status, 424);
    assert.equal(mismatch.originalStatusCode, 400);
    assert.match(mismatch.originalMessage ?? '', /^Unable to evaluate payload provided: Feature size of text\/csv inference data 3 is not consistent/);
    assert.match(mismatch.message, /^Received client error \(400\) from primary with message "Unable to evaluate payload provided: /);
    assert.match(mismatch.logStreamArn ?? '', new RegExp(`^arn:aws:logs:us-east-1:${accountId}:log-group:/aws/sagemaker/Endpoints/digits`));

    const unsupported = await runtimeFailure(invoke(env, { EndpointName: 'digits', ContentType: 'image/png', Body: 'x' }));
    assert.equal(unsupported.name, 'ModelError');
    assert.equal(unsupported.originalStatusCode, 415);

    const tooLarge = await runtimeFailure(invoke(env, { EndpointName: 'digits', ContentType: 'text/csv', Body: Buffer.alloc(6_291_457, 0x31) }));
    assert.equal(tooLarge.name, 'ValidationError');
    assert.equal(tooLarge.status, 400);
    assert.match(tooLarge.message, /6291456 bytes/);

    const targetModel = await runtimeFailure(
      invoke(env, { EndpointName: 'digits', ContentType: 'text/csv', Body: features[0] ?? '', TargetModel: 'a.tar.gz' }),
    );
    assert.deepEqual(
      { name: targetModel.name, status: targetModel.status, message: targetModel.message },
      { name: 'ValidationError', status: 400, message: 'Endpoint digits is not a multi-model endpoint and does not support target model header.' },
    );

    const variant = await runtimeFailure(invoke(env, { EndpointName: 'digits', ContentType: 'text/csv', Body: features[0] ?? '', TargetVariant: 'Nope' }));
    assert.equal(variant.name, 'ValidationError');
    assert.equal(variant.status, 400);
    assert.match(variant.message, /Nope/);

    // The endpoint still serves after all that.
    const ok = await invoke(env, { EndpointName: 'digits', ContentType: 'text/csv', Body: features[0] ?? '' });
    assert.match(ok.body, /^\d+(\.0)?$/);
  });

  it('boto3 deletes the endpoint, its endpoint_deleted waiter returns, and no model server process is left', async () => {
    assert.ok(modelProcesses.length > 0, 'the first test saw the model server');
    const deleted = await boto3<{ error: string }>(
      env,
      `import botocore
sm = boto3.client('sagemaker')
sm.delete_endpoint(EndpointName='digits')
sm.get_waiter('endpoint_deleted').wait(EndpointName='digits', WaiterConfig={'Delay': 1, 'MaxAttempts': 60})
try:
    sm.describe_endpoint(EndpointName='digits')
    print(json.dumps({'error': ''}))
except botocore.exceptions.ClientError as e:
    print(json.dumps({'error': e.response['Error']['Code'] + ': ' + e.response['Error']['Message']}))`,
    );
    assert.match(deleted.error, /^ValidationException: Could not find endpoint/);
    assert.deepEqual(alive(modelProcesses), [], 'model server processes outlived the endpoint');
    const gone = await runtimeFailure(invoke(env, { EndpointName: 'digits', ContentType: 'text/csv', Body: features[0] ?? '' }));
    assert.equal(gone.message, `Endpoint digits of account ${accountId} not found.`);
    await assert.rejects(env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'digits' })), /Could not find endpoint/);
  });
});
