import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../errors/index.js';
import { bucketFromHost, parseS3Address } from './s3-address.js';

test('virtual-hosted buckets come from the Host header; localhost and IPs alone are path-style', () => {
  assert.equal(bucketFromHost('my-bucket.localhost:7070'), 'my-bucket');
  assert.equal(bucketFromHost('my.dotted.bucket.localhost'), 'my.dotted.bucket');
  assert.equal(bucketFromHost('my-bucket.s3.localhost:7070'), 'my-bucket');
  assert.equal(bucketFromHost('my-bucket.s3.us-east-1.localhost'), 'my-bucket');
  assert.equal(bucketFromHost('my-bucket.127.0.0.1:7070'), 'my-bucket');
  assert.equal(bucketFromHost('my-bucket.s3.eu-west-1.amazonaws.com'), 'my-bucket');
  assert.equal(bucketFromHost('b1.salvia.example.com:80', { virtualHostBases: ['salvia.example.com'] }), 'b1');
  for (const host of ['localhost:7070', 'localhost', '127.0.0.1:7070', '[::1]:7070', 's3.localhost:7070', 'myhost:7070', 'salvia.example.com', undefined]) {
    assert.equal(bucketFromHost(host), undefined, String(host));
  }
});

test('keys are decoded from the raw path exactly: +, %, spaces, .., double slashes', () => {
  const address = parseS3Address('/bucket/a%20b+c/%25/../x//y?prefix=p%2Bq+r&list-type=2', 'localhost:7070');
  assert.equal(address.bucket, 'bucket');
  assert.equal(address.key, 'a b+c/%/../x//y');
  assert.equal(address.query.get('prefix'), 'p+q r');
  assert.equal(address.query.get('list-type'), '2');
  assert.deepEqual(parseS3Address('/bucket/', undefined), { bucket: 'bucket', query: new Map(), style: 'path' });
  assert.deepEqual(parseS3Address('/', undefined), { query: new Map(), style: 'path' });
  const virtual = parseS3Address('/dir/k%2Fey?uploads', 'bkt.localhost:1');
  assert.equal(virtual.bucket, 'bkt');
  assert.equal(virtual.key, 'dir/k/ey');
  assert.ok(virtual.query.has('uploads'));
  assert.equal(parseS3Address('http://localhost:7070/b/k', undefined).key, 'k');
});

test('malformed percent-encoding is InvalidURI', () => {
  for (const url of ['/b/%', '/b/%zz', '/b/%C0%AF', '/b?prefix=%E0%A4%A', '/%']) {
    assert.throws(
      () => parseS3Address(url, undefined),
      (error: unknown) => error instanceof AwsError && error.code === 'InvalidURI',
      url,
    );
  }
});
