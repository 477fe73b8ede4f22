import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../errors/index.js';
import type { ObjectInfo } from '../../objectstore/index.js';
import { metadataFromHeaders, objectHeaders } from './object-headers.js';

test('metadata from request headers: user metadata lower-cased, aws-chunked dropped, defaults, limits', () => {
  const metadata = metadataFromHeaders({
    'x-amz-meta-owner': 'alice',
    'content-encoding': 'aws-chunked, gzip',
    'cache-control': 'no-cache',
    'x-amz-server-side-encryption': 'aws:kms',
  });
  assert.deepEqual(metadata, {
    contentType: 'binary/octet-stream',
    userMetadata: { owner: 'alice' },
    headers: { 'content-encoding': 'gzip', 'cache-control': 'no-cache' },
  });
  assert.deepEqual(metadataFromHeaders({ 'content-encoding': 'aws-chunked', 'content-type': 'text/csv' }).headers, {});
  const code = (headers: Record<string, string>): string => {
    try {
      metadataFromHeaders(headers);
      return 'ok';
    } catch (error) {
      assert.ok(error instanceof AwsError);
      return error.code;
    }
  };
  assert.equal(code({ 'x-amz-meta-big': 'x'.repeat(2100) }), 'MetadataTooLarge');
  assert.equal(code({ 'x-amz-server-side-encryption': 'ROT13' }), 'InvalidArgument');
  assert.equal(code({ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }), 'NotImplemented');
});

test('object headers: stored values outside Latin-1 are RFC 2047-encoded, overrides apply, checksum only when asked', () => {
  const info: ObjectInfo = {
    bucket: 'b',
    key: 'k',
    size: 3,
    etag: '"abc"',
    lastModified: new Date('2026-01-02T03:04:05Z'),
    contentType: 'text/plain',
    userMetadata: { name: '日本', plain: 'ok', 'bad name': 'dropped' },
    headers: { 'content-disposition': 'attachment' },
    checksum: { algorithm: 'CRC32', value: 'AAAAAA==', type: 'FULL_OBJECT' },
  };
  const headers = objectHeaders(info, { checksumMode: false, query: new Map([['response-content-type', 'application/json']]) });
  assert.equal(headers['x-amz-meta-name'], `=?UTF-8?B?${Buffer.from('日本').toString('base64')}?=`);
  assert.equal(headers['x-amz-meta-plain'], 'ok');
  assert.equal(headers['x-amz-meta-bad name'], undefined);
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(headers['last-modified'], 'Fri, 02 Jan 2026 03:04:05 GMT');
  assert.equal(headers['x-amz-checksum-crc32'], undefined);
  assert.equal(objectHeaders(info, { checksumMode: true })['x-amz-checksum-crc32'], 'AAAAAA==');
});
