import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { rawRequest } from '../helpers/raw-http.js';
import { awsEnv, clientConfig, startServer, type ServerProcess } from '../helpers/server-process.js';
import { sdkErrorOf } from '../helpers/sdk-errors.js';

const run = promisify(execFile);
const account = '123456789012';

let server: ServerProcess;
let home: string;

before(async () => {
  server = await startServer({ args: ['--account-id', account] });
  home = mkdtempSync(path.join(tmpdir(), 'salvia-aws-home-'));
});

after(async () => {
  await server?.dispose();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('STS GetCallerIdentity: JS SDK, boto3, GET query form, unknown actions', async () => {
  const sts = new STSClient(clientConfig(server));
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  sts.destroy();
  assert.equal(identity.Account, account);
  assert.equal(identity.Arn, `arn:aws:iam::${account}:root`);
  assert.equal(identity.UserId, account);
  assert.match(identity.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);

  const { stdout } = await run('python3', ['-c', 'import boto3, json; print(json.dumps(boto3.client("sts").get_caller_identity()["Account"]))'], {
    env: awsEnv(server, home),
  });
  assert.equal(JSON.parse(stdout), account);

  const get = await rawRequest(server.url, 'GET', '/?Action=GetCallerIdentity&Version=2011-06-15', {
    authorization: 'AWS4-HMAC-SHA256 Credential=salvia/20261125/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + '0'.repeat(64),
    'x-amz-date': '20261125T000000Z',
  });
  assert.equal(get.status, 200);
  assert.match(get.body.toString(), new RegExp(`<Account>${account}</Account>`));

  const other = await rawRequest(server.url, 'POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=AssumeRole&Version=2011-06-15');
  assert.equal(other.status, 400);
  assert.match(
    other.body.toString(),
    /<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation AssumeRole for version 2011-06-15<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/,
  );
});

test('runtime: InvokeEndpoint on a missing endpoint is ValidationError NO_SUCH_ENDPOINT; limits', async () => {
  const runtime = new SageMakerRuntimeClient(clientConfig(server));
  try {
    const missing = await sdkErrorOf(
      runtime.send(new InvokeEndpointCommand({ EndpointName: 'my-endpoint', Body: Buffer.from('1,2,3'), ContentType: 'text/csv' })),
    );
    assert.deepEqual(missing, { name: 'ValidationError', message: `Endpoint my-endpoint of account ${account} not found.`, status: 400 });
    const asyncMissing = await sdkErrorOf(
      runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: 'my-endpoint', InputLocation: 's3://bucket/input.csv' })),
    );
    assert.equal(asyncMissing.name, 'ValidationError');

    const big = await sdkErrorOf(runtime.send(new InvokeEndpointCommand({ EndpointName: 'my-endpoint', Body: Buffer.alloc(6 * 1024 * 1024 + 1, 97) })));
    assert.equal(big.name, 'ValidationError');
    assert.match(big.message, /6291457 bytes.*maximum payload size for InvokeEndpoint is 6291456 bytes/);
    // Exactly 6 MiB is accepted (and then the endpoint is missing).
    const limit = await sdkErrorOf(runtime.send(new InvokeEndpointCommand({ EndpointName: 'my-endpoint', Body: Buffer.alloc(6 * 1024 * 1024, 97) })));
    assert.match(limit.message, /not found/);

    const attributes = await sdkErrorOf(
      runtime.send(new InvokeEndpointCommand({ EndpointName: 'my-endpoint', Body: Buffer.from('x'), CustomAttributes: 'a'.repeat(1025) })),
    );
    assert.equal(attributes.name, 'ValidationError');
    assert.match(
      attributes.message,
      /^1 validation error detected: Value 'a+' at 'customAttributes' failed to satisfy constraint: Member must have length less than or equal to 1024$/,
    );
    const inference = await sdkErrorOf(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'my-endpoint', Body: Buffer.from('x'), InferenceId: 'i'.repeat(65), TargetModel: 'm'.repeat(1025) }),
      ),
    );
    assert.match(inference.message, /^2 validation errors detected: .*'targetModel'.*; .*'inferenceId'.*/);
  } finally {
    runtime.destroy();
  }
});

test('runtime: wire form of the error and name validation', async () => {
  const response = await rawRequest(server.url, 'POST', '/endpoints/my-endpoint/invocations', { 'content-type': 'application/json' }, '{}');
  assert.equal(response.status, 400);
  assert.equal(response.headers['x-amzn-errortype'], 'ValidationError:http://internal.amazon.com/coral/com.amazon.sagemaker/');
  assert.deepEqual(JSON.parse(response.body.toString()), { ErrorCode: 'NO_SUCH_ENDPOINT', Message: `Endpoint my-endpoint of account ${account} not found.` });
  const badName = await rawRequest(server.url, 'POST', '/endpoints/bad_name/invocations', {}, 'x');
  assert.equal(badName.status, 400);
  assert.match(
    JSON.parse(badName.body.toString()).Message as string,
    /Value 'bad_name' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  );
  const long = await rawRequest(server.url, 'POST', `/endpoints/${'e'.repeat(64)}/invocations`, {}, 'x');
  assert.match(JSON.parse(long.body.toString()).Message as string, /Member must have length less than or equal to 63/);
  const stream = await rawRequest(server.url, 'POST', '/endpoints/my-endpoint/invocations-response-stream', {}, 'x');
  assert.equal(stream.status, 400);
  assert.equal(JSON.parse(stream.body.toString()).ErrorCode, 'NO_SUCH_ENDPOINT');
});
