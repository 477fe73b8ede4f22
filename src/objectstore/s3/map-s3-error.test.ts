import assert from 'node:assert/strict';
import { it } from 'node:test';
import { NoSuchKey as SdkNoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { NoSuchKey } from '../../errors/index.js';
import { mapS3Error } from './map-s3-error.js';

function sdkError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: `${name} happened` });
}

it('maps SDK errors to our S3 errors by code, HEAD 404s by what was asked for', () => {
  const key = mapS3Error(new SdkNoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'x' }), { bucket: 'b', key: 'k' });
  assert.ok(key instanceof NoSuchKey);
  assert.deepEqual(key.details, { Key: 'k' });
  assert.equal(mapS3Error(sdkError('NotFound', 404), { bucket: 'b', key: 'k' }).code, 'NoSuchKey');
  assert.equal(mapS3Error(sdkError('NotFound', 404), { bucket: 'b' }).code, 'NoSuchBucket');
  assert.equal(mapS3Error(sdkError('BucketNotEmpty', 409), { bucket: 'b' }).status, 409);
  assert.equal(mapS3Error(sdkError('NoSuchUpload', 404), { bucket: 'b', key: 'k', uploadId: 'u' }).details['UploadId'], 'u');
  const other = mapS3Error(sdkError('SlowDown', 503), { bucket: 'b' });
  assert.deepEqual([other.code, other.status, other.message], ['SlowDown', 503, 'SlowDown happened']);
  assert.equal(mapS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { bucket: 'b' }).code, 'ServiceUnavailable');
  assert.equal(mapS3Error(new Error('a bug'), { bucket: 'b' }).code, 'InternalError');
  assert.equal(mapS3Error(key, { bucket: 'other' }), key);
});
