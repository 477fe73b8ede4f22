import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListModelsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { pick, seededRandom } from '../helpers/random.js';
import { rawRequest } from '../helpers/raw-http.js';
import { clientConfig, startServer, type ServerProcess } from '../helpers/server-process.js';

// Many malformed requests to the JSON, Query and REST-JSON services: every answer is an AWS-shaped
// client error (never a 5xx), and the server keeps serving.

let server: ServerProcess;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.dispose();
});

const authorization = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=salvia/20261125/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

const targets = [
  'SageMaker.CreateModel',
  'SageMaker.DescribeModel',
  'SageMaker.ListModels',
  'SageMaker.AddTags',
  'SageMaker.CreateTrainingJob',
  'SageMaker.ListTrainingJobs',
  'SageMaker.CreateEndpointConfig',
  'SageMaker.CreateEndpoint',
  'SageMaker.ListEndpoints',
  'SageMaker.CreateProcessingJob',
  'SageMaker.DescribeProcessingJob',
  'SageMaker.ListProcessingJobs',
  'SageMaker.StopProcessingJob',
  'SageMaker.CreateTransformJob',
  'SageMaker.DescribeTransformJob',
  'SageMaker.ListTransformJobs',
  'SageMaker.StopTransformJob',
  'SageMaker.NoSuchOperation',
  'SageMaker.',
  'Logs_20140328.GetLogEvents',
  'Logs_20140328.DescribeLogStreams',
  'Logs_20140328.FilterLogEvents',
  'Logs_20140328.PutLogEvents',
  'Logs_20140328.Bogus',
];

const callableWithoutMembers = new Set([
  'SageMaker.ListModels',
  'SageMaker.ListTrainingJobs',
  'SageMaker.ListEndpoints',
  'SageMaker.ListProcessingJobs',
  'SageMaker.ListTransformJobs',
]);

const bodies = [
  '',
  '{',
  'null',
  '[]',
  '"text"',
  '12',
  '{"ModelName": 5}',
  '{"ModelName": "bad_name!"}',
  '{"ModelName": "' + 'x'.repeat(5000) + '"}',
  '{"ModelName": null, "PrimaryContainer": []}',
  '{"MaxResults": "ten", "SortOrder": "Sideways"}',
  '{"NextToken": "%%%not-a-token%%%"}',
  '{"ResourceArn": {"nested": true}, "Tags": [{"Key": 1}]}',
  '{"logGroupName": "", "logStreamName": 7, "limit": -1}',
  '{"logGroupName": "/aws/sagemaker/TrainingJobs", "nextToken": "f/garbage"}',
  '{"ProcessingJobName": "p", "RoleArn": "arn:aws:iam::000000000000:role/r", "AppSpecification": {"ImageUri": 3}, "ProcessingResources": {"ClusterConfig": {"InstanceCount": "x"}}}',
  '{"ProcessingJobName": "p", "RoleArn": "arn:aws:iam::000000000000:role/r", "AppSpecification": {"ImageUri": "x"}, "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 1}}, "ProcessingInputs": [{"InputName": "a", "S3Input": {"S3Uri": "s3://b/k", "LocalPath": "/etc", "S3DataType": "S3Prefix", "S3InputMode": "File"}}]}',
  '{"TransformJobName": "t", "ModelName": "m", "TransformInput": {"DataSource": {}}, "TransformOutput": {}, "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 0}}',
  '{"TransformJobName": "t", "ModelName": "m", "MaxPayloadInMB": 101, "DataProcessing": {"InputFilter": "$[[["}, "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in/"}}}, "TransformOutput": {"S3OutputPath": "s3://b/out/"}, "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}}',
  '{"EndpointConfigName": "c", "ProductionVariants": [{"VariantName": "v", "ModelName": "missing", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}]}',
  '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
  '\u0000\u0001\u0002',
  '{"a":' + '['.repeat(2000) + ']'.repeat(2000) + '}',
];

test('malformed JSON-service requests get AWS-shaped client errors, never a 5xx', async () => {
  const random = seededRandom(20261125);
  for (let i = 0; i < 500; i++) {
    const target = pick(random, targets);
    const body = pick(random, bodies);
    const headers: Record<string, string> = {
      'content-type': pick(random, ['application/x-amz-json-1.1', 'application/json', 'text/plain', '']),
      'x-amz-target': target,
      authorization: authorization(target.startsWith('Logs') ? 'logs' : 'sagemaker'),
      'x-amz-date': '20261125T080000Z',
    };
    const response = await rawRequest(server.url, pick(random, ['POST', 'POST', 'POST', 'GET', 'PUT']), '/', headers, body);
    const context = `request ${i}: ${target} ${JSON.stringify(body.slice(0, 80))} → ${response.status} ${response.body.toString().slice(0, 200)}`;
    assert.ok(response.status < 500, context);
    if (response.status === 200) {
      // Only an implemented operation whose members are all optional may succeed.
      assert.ok(callableWithoutMembers.has(target), context);
      continue;
    }
    assert.ok(response.status >= 400, context);
    const parsed = JSON.parse(response.body.toString()) as { __type?: string; message?: string };
    assert.ok(parsed.__type && parsed.message, context);
  }
});

test('malformed runtime and STS requests get client errors', async () => {
  const cases: Array<[string, string, Record<string, string>, string]> = [
    ['POST', '/endpoints/-bad-/invocations', { authorization: authorization('sagemaker') }, 'x'],
    ['POST', '/endpoints/' + 'a'.repeat(64) + '/invocations', { authorization: authorization('sagemaker') }, 'x'],
    ['POST', '/endpoints/missing/invocations', { authorization: authorization('sagemaker'), 'x-amzn-sagemaker-custom-attributes': 'x'.repeat(2000) }, 'x'],
    ['POST', '/', { authorization: authorization('sts'), 'content-type': 'application/x-www-form-urlencoded' }, 'Action=NoSuchAction&Version=2011-06-15'],
    ['POST', '/', { authorization: authorization('sts'), 'content-type': 'application/x-www-form-urlencoded' }, '%%%'],
  ];
  for (const [method, path, headers, body] of cases) {
    const response = await rawRequest(server.url, method, path, headers, body);
    assert.ok(response.status >= 400 && response.status < 500, `${method} ${path} → ${response.status} ${response.body.toString().slice(0, 200)}`);
  }
});

test('the server still serves real clients afterwards', async () => {
  const sagemaker = new SageMakerClient(clientConfig(server));
  const listed = await sagemaker.send(new ListModelsCommand({}));
  assert.deepEqual(listed.Models, []);
  const logs = new CloudWatchLogsClient(clientConfig(server));
  const groups = await logs.send(new DescribeLogGroupsCommand({}));
  assert.ok(Array.isArray(groups.logGroups));
});
