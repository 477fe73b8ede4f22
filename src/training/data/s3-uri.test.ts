import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatS3Uri, parseS3Uri, prefixDirectory } from './s3-uri.js';

describe('parseS3Uri', () => {
  it('splits bucket and key, the key possibly empty or a prefix', () => {
    assert.deepEqual(parseS3Uri('s3://bucket/data/train/a.csv'), { bucket: 'bucket', key: 'data/train/a.csv' });
    assert.deepEqual(parseS3Uri('s3://bucket/data/train/'), { bucket: 'bucket', key: 'data/train/' });
    assert.deepEqual(parseS3Uri('s3://bucket'), { bucket: 'bucket', key: '' });
    assert.deepEqual(parseS3Uri('s3://bucket/'), { bucket: 'bucket', key: '' });
    assert.deepEqual(parseS3Uri('s3://my.bucket-1/a b/ü/'), { bucket: 'my.bucket-1', key: 'a b/ü/' });
    assert.deepEqual(parseS3Uri('s3://b12/line\nbreak'), { bucket: 'b12', key: 'line\nbreak' });
  });

  it('throws ValidationException naming the URI for anything else', () => {
    for (const uri of ['', 'bucket/key', 'https://bucket/key', 's3:/bucket/key', 's3://', 's3:///key', 's3://Bad_Bucket/key', 's3://ab/k']) {
      assert.throws(
        () => parseS3Uri(uri),
        (error: Error & { code?: string }) => error.code === 'ValidationException' && error.message.includes(`"${uri}"`),
        uri,
      );
    }
  });

  it('formatS3Uri and prefixDirectory', () => {
    assert.equal(formatS3Uri({ bucket: 'b', key: 'k/x' }), 's3://b/k/x');
    assert.equal(prefixDirectory('data/train'), 'data/');
    assert.equal(prefixDirectory('data/train/'), 'data/train/');
    assert.equal(prefixDirectory('train'), '');
  });
});
