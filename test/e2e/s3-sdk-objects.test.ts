import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { rawRequest } from '../helpers/raw-http.js';
import { clientConfig, startServer, type ServerProcess } from '../helpers/server-process.js';
import { s3ErrorOf } from '../helpers/sdk-errors.js';

// The S3 API through @aws-sdk/client-s3 against the real server: buckets, objects, metadata,
// ranges, conditions, copies, listings (v1 and v2), tricky keys and virtual-hosted addressing.

let server: ServerProcess;
let s3: S3Client;
before(async () => {
  server = await startServer();
  s3 = new S3Client(clientConfig(server));
});
after(async () => {
  s3.destroy();
  await server.dispose();
});

async function text(bucket: string, key: string, range?: string): Promise<string> {
  const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: range } : {}) }));
  return (await output.Body?.transformToString()) ?? '';
}

describe('buckets', () => {
  test('create (with and without configuration), list, head, location, sub-resources, delete', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-plain' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-configured', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const owned = await rawRequest(server.url, 'PUT', '/sdk-owned', { 'x-amz-expected-bucket-owner': '000000000000' });
    assert.equal(owned.status, 200);
    const otherOwner = await rawRequest(server.url, 'HEAD', '/sdk-owned', { 'x-amz-expected-bucket-owner': '111111111111' });
    assert.equal(otherOwner.status, 403);
    const listed = await s3.send(new ListBucketsCommand({}));
    const names = listed.Buckets?.map((bucket) => bucket.Name) ?? [];
    assert.ok(names.includes('sdk-plain') && names.includes('sdk-configured'));
    assert.ok(listed.Owner?.ID);
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'sdk-plain' }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'sdk-plain' }));
    assert.equal(location.LocationConstraint ?? '', '');
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: 'sdk-plain' }));
    assert.equal(versioning.Status, undefined);
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: 'sdk-plain' }));
    assert.equal(acl.Grants?.[0]?.Permission, 'FULL_CONTROL');
    assert.equal((await s3ErrorOf(s3.send(new GetBucketPolicyCommand({ Bucket: 'sdk-plain' })))).name, 'NoSuchBucketPolicy');
    assert.equal((await s3ErrorOf(s3.send(new CreateBucketCommand({ Bucket: 'sdk-plain' })))).name, 'BucketAlreadyOwnedByYou');
    assert.equal((await s3ErrorOf(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })))).name, 'InvalidBucketName');
    await s3.send(new DeleteBucketCommand({ Bucket: 'sdk-configured' }));
    assert.equal((await s3ErrorOf(s3.send(new DeleteBucketCommand({ Bucket: 'sdk-configured' })))).name, 'NoSuchBucket');
  });

  test('HeadBucket on a missing bucket is a bare 404', async () => {
    const error = await s3ErrorOf(s3.send(new HeadBucketCommand({ Bucket: 'sdk-missing-bucket' })));
    assert.equal(error.$metadata.httpStatusCode, 404);
    const raw = await rawRequest(server.url, 'HEAD', '/sdk-missing-bucket', {});
    assert.equal(raw.status, 404);
    assert.equal(raw.body.length, 0);
    assert.ok(raw.headers['x-amz-request-id']);
  });

  test('a bucket with objects cannot be deleted', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-full' }));
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-full', Key: 'x', Body: 'x' }));
    assert.equal((await s3ErrorOf(s3.send(new DeleteBucketCommand({ Bucket: 'sdk-full' })))).name, 'BucketNotEmpty');
  });
});

describe('objects', () => {
  const bucket = 'sdk-objects';
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  test('put, get, head, delete with metadata and content headers', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'doc.txt',
        Body: 'hello world',
        ContentType: 'text/plain',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="doc.txt"',
        ContentEncoding: 'identity',
        Metadata: { owner: 'alice', Mixed: 'Case' },
        ServerSideEncryption: 'aws:kms',
      }),
    );
    assert.equal(put.ETag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello world');
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.CacheControl, 'max-age=60');
    assert.equal(got.ContentDisposition, 'attachment; filename="doc.txt"');
    assert.equal(got.ContentEncoding, 'identity');
    assert.deepEqual(got.Metadata, { owner: 'alice', mixed: 'Case' });
    assert.equal(got.ETag, put.ETag);
    assert.ok(got.$metadata.requestId);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doc.txt' }));
    assert.equal(head.ContentLength, 11);
    assert.equal(head.Metadata?.owner, 'alice');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doc.txt' }));
    assert.equal((await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' })))).name, 'NoSuchKey');
    assert.equal((await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doc.txt' })))).name, 'NotFound');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doc.txt' }));
    assert.equal((await s3ErrorOf(s3.send(new PutObjectCommand({ Bucket: 'sdk-no-such', Key: 'k', Body: 'x' })))).name, 'NoSuchBucket');
  });

  test('ranges: closed, open, suffix, clamped; unsatisfiable is InvalidRange 416', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'digits', Body: '0123456789' }));
    assert.equal(await text(bucket, 'digits', 'bytes=2-4'), '234');
    assert.equal(await text(bucket, 'digits', 'bytes=7-'), '789');
    assert.equal(await text(bucket, 'digits', 'bytes=-3'), '789');
    assert.equal(await text(bucket, 'digits', 'bytes=8-100'), '89');
    assert.equal(await text(bucket, 'digits', 'bytes=-100'), '0123456789');
    const partial = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', Range: 'bytes=1-2' }));
    assert.equal(partial.ContentRange, 'bytes 1-2/10');
    assert.equal(partial.$metadata.httpStatusCode, 206);
    await partial.Body?.transformToString();
    const error = await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', Range: 'bytes=10-' })));
    assert.equal(error.name, 'InvalidRange');
    assert.equal(error.$metadata.httpStatusCode, 416);
  });

  test('conditional GETs: If-Match, If-None-Match, If-Modified-Since', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond', Body: 'c' }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfMatch: put.ETag }))).Body?.transformToString(), 'c');
    assert.equal((await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfMatch: '"nope"' })))).$metadata.httpStatusCode, 412);
    assert.equal((await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfNoneMatch: put.ETag })))).$metadata.httpStatusCode, 304);
    const future = new Date(Date.now() + 3600_000);
    assert.equal((await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfModifiedSince: future })))).$metadata.httpStatusCode, 304);
  });

  test('copy: COPY keeps metadata, REPLACE replaces it, URL-encoded source keys, copy onto itself needs REPLACE', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src dir/ä+b.txt', Body: 'copy me', ContentType: 'text/x-src', Metadata: { a: '1' } }));
    const source = `${bucket}/${encodeURIComponent('src dir/ä+b.txt')}`;
    const copied = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy-1', CopySource: source }));
    assert.equal(
      copied.CopyObjectResult?.ETag,
      '"' + (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'src dir/ä+b.txt' }))).ETag?.replace(/"/g, '') + '"',
    );
    const head1 = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy-1' }));
    assert.equal(head1.ContentType, 'text/x-src');
    assert.deepEqual(head1.Metadata, { a: '1' });
    await s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'copy-2', CopySource: source, MetadataDirective: 'REPLACE', ContentType: 'text/y', Metadata: { b: '2' } }),
    );
    const head2 = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy-2' }));
    assert.equal(head2.ContentType, 'text/y');
    assert.deepEqual(head2.Metadata, { b: '2' });
    assert.equal(await text(bucket, 'copy-2'), 'copy me');
    assert.equal((await s3ErrorOf(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy-2', CopySource: `${bucket}/copy-2` })))).name, 'InvalidRequest');
    assert.equal((await s3ErrorOf(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy-3', CopySource: `${bucket}/missing` })))).name, 'NoSuchKey');
  });

  test('keys with spaces, +, %, .., unicode, and a 1024-byte key round-trip; 1025 bytes is KeyTooLongError', async () => {
    const keys = [
      'folder/',
      'a b',
      'plus+sign',
      '100%',
      '../up',
      'dir/../x',
      'x//y',
      'ü/日本/🙂',
      '?question#hash',
      'amp&lt;',
      'k'.repeat(1024),
      ' lead',
      'trail ',
    ];
    for (const key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body:${key}` }));
      assert.equal(await text(bucket, key), `body:${key}`, key);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const key of keys)
      assert.ok(
        listed.Contents?.some((object) => object.Key === key),
        key,
      );
    assert.equal((await s3ErrorOf(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k'.repeat(1025), Body: 'x' })))).name, 'KeyTooLongError');
  });

  test('DeleteObjects, quiet and verbose', async () => {
    for (const key of ['d/1', 'd/2', 'd/3']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const verbose = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'd/1' }, { Key: 'd/missing' }] } }));
    assert.deepEqual(verbose.Deleted?.map((deleted) => deleted.Key).sort(), ['d/1', 'd/missing']);
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'd/2' }, { Key: 'd/3' }], Quiet: true } }));
    assert.equal(quiet.Deleted, undefined);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'd/' }));
    assert.equal(left.KeyCount, 0);
  });
});

describe('listings', () => {
  const bucket = 'sdk-listing';
  const keys = ['a/1', 'a/2', 'a/b/3', 'b/4', 'c', 'd e/5', 'd+e/6'];
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  });

  test('ListObjectsV2: pagination with continuation tokens, KeyCount, start-after, prefix, delimiter, fetch-owner', async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: bucket })) {
      pages++;
      assert.equal(page.KeyCount, page.Contents?.length ?? 0);
      seen.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    }
    assert.deepEqual(seen, [...keys].sort());
    assert.equal(pages, 4);
    const delimited = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', FetchOwner: true }));
    assert.deepEqual(
      delimited.CommonPrefixes?.map((prefix) => prefix.Prefix),
      ['a/', 'b/', 'd e/', 'd+e/'],
    );
    assert.deepEqual(
      delimited.Contents?.map((object) => object.Key),
      ['c'],
    );
    assert.equal(delimited.KeyCount, 5);
    assert.ok(delimited.Contents?.[0]?.Owner?.ID);
    const prefixed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/', Delimiter: '/' }));
    assert.deepEqual(
      prefixed.Contents?.map((object) => object.Key),
      ['a/1', 'a/2'],
    );
    assert.deepEqual(
      prefixed.CommonPrefixes?.map((prefix) => prefix.Prefix),
      ['a/b/'],
    );
    const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'b/4' }));
    assert.deepEqual(
      after.Contents?.map((object) => object.Key),
      ['c', 'd e/5', 'd+e/6'],
    );
    const encoded = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'd', EncodingType: 'url' }));
    assert.deepEqual(
      encoded.Contents?.map((object) => object.Key),
      ['d%20e/5', 'd%2Be/6'],
    );
    assert.equal((await s3ErrorOf(s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: 'garbage!' })))).name, 'InvalidArgument');
    assert.equal((await s3ErrorOf(s3.send(new ListObjectsV2Command({ Bucket: 'sdk-listing-missing' })))).name, 'NoSuchBucket');
  });

  test('ListObjects v1: marker, NextMarker with a delimiter; ListObjectVersions', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 2, Delimiter: '/' }));
    assert.equal(first.IsTruncated, true);
    assert.deepEqual(
      first.CommonPrefixes?.map((prefix) => prefix.Prefix),
      ['a/', 'b/'],
    );
    assert.equal(first.NextMarker, 'b/');
    const second = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: first.NextMarker, Delimiter: '/' }));
    assert.deepEqual(
      second.Contents?.map((object) => object.Key),
      ['c'],
    );
    assert.deepEqual(
      second.CommonPrefixes?.map((prefix) => prefix.Prefix),
      ['d e/', 'd+e/'],
    );
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'a/', MaxKeys: 2 }));
    assert.deepEqual(
      versions.Versions?.map((version) => [version.Key, version.VersionId, version.IsLatest]),
      [
        ['a/1', 'null', true],
        ['a/2', 'null', true],
      ],
    );
    assert.equal(versions.IsTruncated, true);
    assert.equal(versions.NextKeyMarker, 'a/2');
    const plain = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: 'a/b/3' }));
    assert.deepEqual(
      plain.Contents?.map((object) => object.Key),
      ['b/4', 'c', 'd e/5', 'd+e/6'],
    );
  });
});

describe('addressing', () => {
  test('virtual-hosted-style requests name the bucket in the Host header', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-vhost' }));
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-vhost', Key: 'dir/file.txt', Body: 'virtual' }));
    const port = new URL(server.url).port;
    for (const host of [`sdk-vhost.localhost:${port}`, `sdk-vhost.s3.localhost:${port}`, `sdk-vhost.127.0.0.1:${port}`]) {
      const got = await rawRequest(server.url, 'GET', '/dir/file.txt', { host });
      assert.equal(got.body.toString(), 'virtual', host);
      const listed = await rawRequest(server.url, 'GET', '/?list-type=2', { host });
      assert.match(listed.body.toString(), /<Key>dir\/file\.txt<\/Key>/, host);
    }
    // Plain localhost:port and 127.0.0.1:port stay path-style.
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const got = await rawRequest(server.url, 'GET', '/sdk-vhost/dir/file.txt', { host });
      assert.equal(got.body.toString(), 'virtual', host);
    }
  });

  test('unsupported sub-resources answer NotImplemented; malformed URLs InvalidURI', async () => {
    const notImplemented = await rawRequest(server.url, 'GET', '/sdk-vhost?inventory', {});
    assert.equal(notImplemented.status, 501);
    assert.match(notImplemented.body.toString(), /<Code>NotImplemented<\/Code>/);
    for (const path of ['/sdk-vhost/%zz', '/sdk-vhost/%C0%AF', '/sdk-vhost?prefix=%']) {
      const bad = await rawRequest(server.url, 'GET', path, {});
      assert.equal(bad.status, 400, path);
      assert.match(bad.body.toString(), /<Code>InvalidURI<\/Code>.*<RequestId>/s, path);
    }
  });
});
