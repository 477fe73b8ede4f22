import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  InvokeEndpointAsyncCommand,
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { placeholderService } from '../placeholder-service.js';
import { buildServer } from '../server.js';
import type {
  AsyncInvocationRequest,
  AsyncInvocationResponse,
  EndpointRouter,
  InvocationRequest,
  InvocationResponse,
  StreamingInvocationResponse,
} from './endpoint-router.js';
import { NoSuchEndpoint } from '../../errors/index.js';
import { createRuntimeHttpService } from './runtime-http.js';
import { RuntimeService } from './runtime-service.js';

// The runtime route's success paths, which the later endpoints issue fills in: a one-behaviour
// router (endpoint "echo" answers with the request, upper-cased) behind the real HTTP layer,
// driven by the real SageMaker Runtime client.

class EchoRouter implements EndpointRouter {
  async invoke(request: InvocationRequest): Promise<InvocationResponse> {
    if (request.endpointName !== 'echo') throw new NoSuchEndpoint(request.endpointName, '000000000000');
    return {
      body: Buffer.from(request.body.toString('utf8').toUpperCase()),
      contentType: `${request.contentType ?? 'none'};accept=${request.accept ?? 'none'}`,
      invokedProductionVariant: 'AllTraffic',
      ...(request.customAttributes ? { customAttributes: `seen:${request.customAttributes}` } : {}),
    };
  }

  async invokeAsync(request: AsyncInvocationRequest): Promise<AsyncInvocationResponse> {
    return { inferenceId: request.inferenceId ?? 'generated-id', outputLocation: `s3://out/${request.endpointName}.out` };
  }

  async invokeWithResponseStream(request: InvocationRequest): Promise<StreamingInvocationResponse> {
    const text = request.body.toString('utf8');
    return {
      parts: (async function* () {
        for (const word of text.split(' ')) yield Buffer.from(word);
      })(),
      contentType: 'text/plain',
      invokedProductionVariant: 'AllTraffic',
    };
  }
}

let app: FastifyInstance;
let client: SageMakerRuntimeClient;

before(async () => {
  const others = {
    sagemaker: placeholderService('sagemaker'),
    logs: placeholderService('logs'),
    sts: placeholderService('sts'),
    s3: placeholderService('s3'),
    salvia: placeholderService('salvia'),
  };
  app = buildServer({ ...others, runtime: createRuntimeHttpService(new RuntimeService(new EchoRouter())) }, { logger: pino({ level: 'silent' }) });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  client = new SageMakerRuntimeClient({ endpoint: address, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
});

after(async () => {
  client.destroy();
  await app.close();
});

test('InvokeEndpoint returns the container body, content type, variant and custom attributes', async () => {
  const result = await client.send(
    new InvokeEndpointCommand({
      EndpointName: 'echo',
      Body: Buffer.from('hello'),
      ContentType: 'text/csv',
      Accept: 'application/json',
      CustomAttributes: 'c=1',
    }),
  );
  assert.equal(Buffer.from(result.Body ?? []).toString(), 'HELLO');
  assert.equal(result.ContentType, 'text/csv;accept=application/json');
  assert.equal(result.InvokedProductionVariant, 'AllTraffic');
  assert.equal(result.CustomAttributes, 'seen:c=1');
});

test('InvokeEndpointAsync answers 202 with the inference id and output location', async () => {
  const result = await client.send(
    new InvokeEndpointAsyncCommand({ EndpointName: 'echo', InputLocation: 's3://in/x.csv', InferenceId: 'my-id', RequestTTLSeconds: 120 }),
  );
  assert.equal(result.InferenceId, 'my-id');
  assert.equal(result.OutputLocation, 's3://out/echo.out');
  assert.equal(result.$metadata.httpStatusCode, 202);
  await assert.rejects(
    client.send(new InvokeEndpointAsyncCommand({ EndpointName: 'echo', InputLocation: 's3://in/x.csv', RequestTTLSeconds: 5 })),
    /requestTTLSeconds.*greater than or equal to 60/,
  );
});

test('InvokeEndpointWithResponseStream: PayloadPart events decode with the SDK', async () => {
  const result = await client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'echo', Body: Buffer.from('one two three') }));
  assert.equal(result.ContentType, 'text/plain');
  const parts: string[] = [];
  for await (const event of result.Body ?? []) {
    if (event.PayloadPart?.Bytes) parts.push(Buffer.from(event.PayloadPart.Bytes).toString());
  }
  assert.deepEqual(parts, ['one', 'two', 'three']);
});
