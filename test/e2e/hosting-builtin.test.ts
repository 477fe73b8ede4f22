// Hosting end to end: a built-in XGBoost model trained by a real training job, deployed through the
// control plane (CreateModel → CreateEndpointConfig → CreateEndpoint) on model server processes of the
// platform, invoked with @aws-sdk/client-sagemaker-runtime over CSV and JSON across two instances,
// its server output in CloudWatch Logs, a bad payload as ModelError 424, the endpoint re-deployed
// after a crash of the server (kill -9), and no model server left once it is deleted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  SageMakerClient,
  waitUntilEndpointDeleted,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { clientConfig } from '../helpers/server-process.js';
import { builtinEnv, images, runBuiltinJob, uploadDataset, type BuiltinEnv } from './builtin-harness.js';
import { descendants } from './endpoints-harness.js';

const role = 'arn:aws:iam::000000000000:role/SageMakerRole';

/** Rows `label,x0,x1,x2` with label 1 exactly when x0 + x1 > 1 (a pattern a few trees learn). */
function dataset(rows: number): string {
  let seed = 11;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const x = [random(), random(), random()];
    lines.push([(x[0] as number) + (x[1] as number) > 1 ? 1 : 0, ...x.map((v) => v.toFixed(4))].join(','));
  }
  return lines.join('\n') + '\n';
}

describe('hosting: a trained built-in XGBoost model behind a real endpoint', () => {
  let env: BuiltinEnv;
  let runtime: SageMakerRuntimeClient;
  let modelDataUrl: string;

  before(async () => {
    env = await builtinEnv('hosting-e2e');
    runtime = new SageMakerRuntimeClient({ ...clientConfig(env.server), maxAttempts: 1 });
    const train = await uploadDataset(env, 'xgb/train', { 'train.csv': dataset(400) });
    const job = await runBuiltinJob(env, {
      name: 'hosting-xgb',
      image: images.xgboost,
      hyperparameters: { num_round: '20', objective: 'binary:logistic', max_depth: '3', eta: '0.5' },
      channels: { train: { s3Uri: train, contentType: 'text/csv' } },
    });
    modelDataUrl = job.description.ModelArtifacts?.S3ModelArtifacts ?? '';
    assert.match(modelDataUrl, /^s3:\/\/hosting-e2e\/.*model\.tar\.gz$/);
  });
  after(async () => {
    runtime?.destroy();
    await env?.dispose();
  });

  const invoke = async (body: string, contentType: string, accept: string): Promise<{ text: string; contentType?: string; variant?: string }> => {
    const response = await runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'xgb-endpoint', Body: Buffer.from(body), ContentType: contentType, Accept: accept }),
    );
    return {
      text: Buffer.from(response.Body ?? new Uint8Array()).toString('utf8'),
      ...(response.ContentType !== undefined ? { contentType: response.ContentType } : {}),
      ...(response.InvokedProductionVariant !== undefined ? { variant: response.InvokedProductionVariant } : {}),
    };
  };

  it('deploys, answers CSV and JSON from both instances, logs to CloudWatch, maps a model 4xx to ModelError, survives a server restart and leaves no process when deleted', async () => {
    await env.sagemaker.send(
      new CreateModelCommand({ ModelName: 'xgb-model', ExecutionRoleArn: role, PrimaryContainer: { Image: images.xgboost, ModelDataUrl: modelDataUrl } }),
    );
    await env.sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'xgb-config',
        ProductionVariants: [
          { VariantName: 'AllTraffic', ModelName: 'xgb-model', InitialInstanceCount: 2, InstanceType: 'ml.m5.large', InitialVariantWeight: 1 },
        ],
      }),
    );
    await env.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'xgb-endpoint', EndpointConfigName: 'xgb-config' }));
    await waitUntilEndpointInService({ client: env.sagemaker, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: 'xgb-endpoint' });

    const csv = await invoke('0.9,0.8,0.5\n0.1,0.2,0.5', 'text/csv', 'text/csv');
    assert.equal(csv.contentType, 'text/csv');
    assert.equal(csv.variant, 'AllTraffic');
    const [high, low] = csv.text.split(/[,\n]/).map(Number);
    assert.ok((high as number) > 0.5 && (low as number) < 0.5, csv.text);
    const json = await invoke(JSON.stringify({ instances: [[0.95, 0.9, 0.1]] }), 'application/json', 'application/json');
    assert.equal(json.contentType, 'application/json');
    assert.ok((JSON.parse(json.text) as { predictions: { score: number }[] }).predictions[0]!.score > 0.5, json.text);
    await Promise.all(Array.from({ length: 20 }, () => invoke('0.9,0.8,0.5', 'text/csv', 'text/csv')));

    // both instances' servers logged to the endpoint's group, one stream per instance
    const streams = await env.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/sagemaker/Endpoints/xgb-endpoint' }));
    const names = (streams.logStreams ?? []).map((s) => s.logStreamName ?? '');
    assert.equal(names.length, 2, names.join(','));
    for (const name of names) {
      assert.match(name, /^AllTraffic\/i-[0-9a-f]{17}$/);
      const events = await env.logs.send(
        new GetLogEventsCommand({ logGroupName: '/aws/sagemaker/Endpoints/xgb-endpoint', logStreamName: name, startFromHead: true }),
      );
      assert.ok((events.events ?? []).length > 0, `stream ${name} is empty`);
    }

    // a row with the wrong number of features: the model answers 4xx, the client gets ModelError 424
    const error = await runtime
      .send(new InvokeEndpointCommand({ EndpointName: 'xgb-endpoint', Body: Buffer.from('1,2,3,4,5,6,7'), ContentType: 'text/csv' }))
      .then(
        () => assert.fail('expected a ModelError'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof ModelError, String(error));
    assert.equal(error.$metadata.httpStatusCode, 424);
    assert.ok(error.OriginalStatusCode !== undefined && error.OriginalStatusCode >= 400 && error.OriginalStatusCode < 500, String(error.OriginalStatusCode));
    assert.match(error.message, /^Received client error \(\d+\) from primary with message "/);
    assert.equal(error.LogStreamArn, 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/xgb-endpoint');

    // the server dies hard: its model servers go with it (they are its children), and a new server re-deploys the endpoint
    await env.server.kill9();
    const server = await env.server.restart();
    const sagemaker = new SageMakerClient(clientConfig(server));
    const runtime2 = new SageMakerRuntimeClient({ ...clientConfig(server), maxAttempts: 1 });
    try {
      await waitUntilEndpointInService({ client: sagemaker, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: 'xgb-endpoint' });
      const again = await runtime2.send(new InvokeEndpointCommand({ EndpointName: 'xgb-endpoint', Body: Buffer.from('0.9,0.8,0.5'), ContentType: 'text/csv' }));
      assert.ok(Number(Buffer.from(again.Body ?? new Uint8Array()).toString()) > 0.5);
      assert.ok(descendants(server.child.pid as number).size > 0, 'model servers run as children of the server');

      await sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'xgb-endpoint' }));
      await waitUntilEndpointDeleted({ client: sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: 'xgb-endpoint' });
      assert.deepEqual([...descendants(server.child.pid as number)], [], 'no model server is left');
      await assert.rejects(sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'xgb-endpoint' })), { name: 'ValidationException' });
      await assert.rejects(runtime2.send(new InvokeEndpointCommand({ EndpointName: 'xgb-endpoint', Body: Buffer.from('1,2,3'), ContentType: 'text/csv' })), {
        name: 'ValidationError',
        message: 'Endpoint xgb-endpoint of account 000000000000 not found.',
      });
    } finally {
      sagemaker.destroy();
      runtime2.destroy();
      await server.stop();
    }
  });
});
