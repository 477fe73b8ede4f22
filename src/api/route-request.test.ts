import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeRequest } from './route-request.js';

const sign = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
});

test('X-Amz-Target picks the JSON services', () => {
  assert.equal(routeRequest('POST', '/', { 'x-amz-target': 'SageMaker.ListModels', ...sign('sagemaker') }), 'sagemaker');
  assert.equal(routeRequest('POST', '/', { 'x-amz-target': 'Logs_20140328.GetLogEvents', ...sign('logs') }), 'logs');
});

test('runtime invocations paths go to the runtime unless signed for s3', () => {
  assert.equal(routeRequest('POST', '/endpoints/my-ep/invocations', sign('sagemaker')), 'runtime');
  assert.equal(routeRequest('POST', '/endpoints/my-ep/async-invocations', {}), 'runtime');
  assert.equal(routeRequest('POST', '/endpoints/my-ep/invocations', sign('s3')), 's3');
  assert.equal(routeRequest('GET', '/endpoints/my-ep/invocations', sign('sagemaker')), 's3');
});

test('STS by form body or credential scope', () => {
  assert.equal(routeRequest('POST', '/', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...sign('sts') }), 'sts');
  assert.equal(routeRequest('GET', '/?Action=GetCallerIdentity&X-Amz-Credential=AKID%2F20261125%2Fus-east-1%2Fsts%2Faws4_request', {}), 'sts');
});

test("Salvia's own /_salvia/ API (never a bucket name)", () => {
  assert.equal(routeRequest('PUT', '/_salvia/images/team%2Falgo', sign('salvia')), 'salvia');
  assert.equal(routeRequest('GET', '/_salvia/images', {}), 'salvia');
  assert.equal(routeRequest('GET', '/_salvia', {}), 's3');
});

test('everything else is S3', () => {
  assert.equal(routeRequest('GET', '/', sign('s3')), 's3');
  assert.equal(routeRequest('PUT', '/bucket/key', {}), 's3');
  assert.equal(routeRequest('POST', '/bucket?delete', { 'content-type': 'application/xml' }), 's3');
});
