import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it, before, after } from 'node:test';
import type { ObjectMetadata, ObjectStore } from '../../src/objectstore/index.js';
import { body, failingBody, md5Etag, MiB, noMetadata, readAll, rejectsWith } from './contract-helpers.js';
import { multipartContract } from './multipart-contract.js';

export { body, failingBody, readAll, rejectsWith } from './contract-helpers.js';

/** A store under test, and how to get a second instance over the same storage (a restart). */
export interface ContractSubject {
  readonly store: ObjectStore;
  /** A new instance over the same data, as after a restart; omitted if the adapter has no such notion. */
  reopen?(): Promise<ObjectStore>;
  dispose(): Promise<void>;
}

function utf8Sorted(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Every key and common prefix a listing yields, page by page of `pageSize`. */
async function listAll(store: ObjectStore, bucket: string, options: { prefix?: string; delimiter?: string }, pageSize: number): Promise<string[]> {
  const seen: string[] = [];
  let startAfter: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await store.listObjects(bucket, { ...options, maxKeys: pageSize, ...(startAfter !== undefined ? { startAfter } : {}) });
    assert.ok(result.objects.length + result.commonPrefixes.length <= pageSize);
    const entries = [...result.objects.map((o) => ({ name: o.key, shown: o.key })), ...result.commonPrefixes.map((p) => ({ name: p, shown: `P:${p}` }))];
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    seen.push(...entries.map((e) => e.shown));
    if (!result.isTruncated) return seen;
    startAfter = result.lastReturned;
  }
  throw new Error('listing never ended');
}

/**
 * The behaviour every ObjectStore adapter must have, as one suite. `subject` makes a fresh store
 * (its own storage) per describe block; bucket names are unique per run so that shared backends work.
 */
export function objectStoreContract(name: string, subject: () => Promise<ContractSubject>): void {
  const run = randomBytes(3).toString('hex');
  let n = 0;
  const bucketName = (label: string): string => `c-${run}-${label}-${n++}`;

  describe(`ObjectStore contract: ${name}`, { timeout: 120_000 }, () => {
    let s: ContractSubject;
    let store: ObjectStore;
    before(async () => {
      s = await subject();
      store = s.store;
    });
    after(async () => s.dispose());

    it('validates bucket names and keeps buckets with their creation date', async () => {
      for (const bad of ['ab', 'a'.repeat(64), 'Upper', 'under_score', '-start', 'end-', 'a..b', '192.168.1.1', 'with space', 'xn--abc']) {
        await rejectsWith(store.createBucket(bad), 'InvalidBucketName');
      }
      const bucket = bucketName('rules');
      const before = Date.now() - 2000;
      await store.createBucket(bucket);
      await rejectsWith(store.createBucket(bucket), 'BucketAlreadyOwnedByYou');
      const head = await store.headBucket(bucket);
      assert.equal(head.name, bucket);
      assert.ok(head.creationDate.getTime() >= before && head.creationDate.getTime() <= Date.now() + 2000);
      const listed = (await store.listBuckets()).find((b) => b.name === bucket);
      assert.ok(listed);
      await rejectsWith(store.headBucket(bucketName('missing')), 'NoSuchBucket');
      await rejectsWith(store.deleteBucket(bucketName('missing')), 'NoSuchBucket');
      await store.createBucket('a.b-c.3');
      await store.deleteBucket('a.b-c.3');
    });

    it('deletes a bucket only when it holds no objects and no uploads', async () => {
      const bucket = bucketName('del');
      await store.createBucket(bucket);
      await store.putObject(bucket, 'k', { body: body('x'), metadata: noMetadata });
      await rejectsWith(store.deleteBucket(bucket), 'BucketNotEmpty');
      await store.deleteObject(bucket, 'k');
      const upload = await store.createMultipartUpload(bucket, 'u', noMetadata);
      await rejectsWith(store.deleteBucket(bucket), 'BucketNotEmpty');
      await store.abortMultipartUpload(bucket, 'u', upload.uploadId);
      await store.deleteBucket(bucket);
      await rejectsWith(store.headBucket(bucket), 'NoSuchBucket');
      await rejectsWith(store.putObject(bucket, 'k', { body: body('x'), metadata: noMetadata }), 'NoSuchBucket');
      assert.equal(
        (await store.listBuckets()).find((b) => b.name === bucket),
        undefined,
      );
      await store.createBucket(bucket);
      assert.deepEqual((await store.listObjects(bucket, { maxKeys: 10 })).objects, []);
    });

    it('puts, gets, heads and deletes objects with their metadata', async () => {
      const bucket = bucketName('crud');
      await store.createBucket(bucket);
      const metadata: ObjectMetadata = {
        contentType: 'text/csv',
        userMetadata: { color: 'blue', 'x-y': 'z' },
        headers: { 'cache-control': 'no-cache', 'content-disposition': 'attachment; filename="a.csv"' },
      };
      const put = await store.putObject(bucket, 'dir/file.csv', { body: body('a,b\n1,2\n'), metadata: () => metadata });
      assert.equal(put.etag, md5Etag('a,b\n1,2\n'));
      assert.equal(put.size, 8);
      const head = await store.headObject(bucket, 'dir/file.csv');
      assert.equal(head.etag, put.etag);
      assert.equal(head.size, 8);
      assert.equal(head.contentType, 'text/csv');
      assert.deepEqual(head.userMetadata, metadata.userMetadata);
      assert.equal(head.headers['cache-control'], 'no-cache');
      assert.equal(head.headers['content-disposition'], 'attachment; filename="a.csv"');
      assert.ok(Math.abs(head.lastModified.getTime() - Date.now()) < 60_000);
      const got = await store.getObject(bucket, 'dir/file.csv');
      assert.equal((await readAll(got.body)).toString(), 'a,b\n1,2\n');
      assert.equal(got.info.etag, put.etag);

      const sized = await store.putObject(bucket, 'sized', { body: body('0123456789'), metadata: { ...noMetadata, contentType: 'a/b' }, contentLength: 10 });
      assert.equal(sized.etag, md5Etag('0123456789'));
      assert.equal((await store.headObject(bucket, 'sized')).contentType, 'a/b');
      const large = randomBytes(9 * MiB);
      const put9 = await store.putObject(bucket, 'large', { body: body(large), metadata: () => ({ ...noMetadata, userMetadata: { late: 'yes' } }) });
      assert.equal(put9.etag, md5Etag(large));
      assert.deepEqual((await store.headObject(bucket, 'large')).userMetadata, { late: 'yes' });
      assert.ok(large.equals(await readAll((await store.getObject(bucket, 'large')).body)));

      const huge = randomBytes(20 * MiB);
      const chunks = Array.from({ length: 20 }, (_, i) => huge.subarray(i * MiB, (i + 1) * MiB));
      const put20 = await store.putObject(bucket, 'huge', { body: Readable.from(chunks), metadata: { ...noMetadata, contentType: 'x/huge' } });
      assert.equal(put20.size, huge.length);
      const got20 = await store.getObject(bucket, 'huge');
      assert.equal(got20.info.contentType, 'x/huge');
      assert.ok(huge.equals(await readAll(got20.body)));

      const empty = await store.putObject(bucket, 'empty', { body: Readable.from([]), metadata: noMetadata });
      assert.equal(empty.size, 0);
      assert.equal(empty.etag, '"d41d8cd98f00b204e9800998ecf8427e"');
      assert.equal((await readAll((await store.getObject(bucket, 'empty')).body)).length, 0);

      await store.deleteObject(bucket, 'dir/file.csv');
      await store.deleteObject(bucket, 'dir/file.csv');
      await store.deleteObject(bucket, 'never-existed');
      await rejectsWith(store.headObject(bucket, 'dir/file.csv'), 'NoSuchKey');
      await rejectsWith(store.getObject(bucket, 'dir/file.csv'), 'NoSuchKey');
      await rejectsWith(store.getObject(bucketName('missing'), 'x'), 'NoSuchBucket');
      await rejectsWith(store.putObject(bucketName('missing'), 'x', { body: body('x'), metadata: noMetadata }), 'NoSuchBucket');
      await rejectsWith(store.putObject(bucket, 'k'.repeat(1025), { body: body('x'), metadata: noMetadata }), 'KeyTooLongError');
      await rejectsWith(store.putObject(bucket, 'é'.repeat(513), { body: body('x'), metadata: noMetadata }), 'KeyTooLongError');
      await rejectsWith(store.putObject(bucket, 'lone \ud800 surrogate', { body: body('x'), metadata: noMetadata }), 'InvalidArgument');
    });

    it('overwrites: the last PUT wins, concurrent PUTs never mix', async () => {
      const bucket = bucketName('over');
      await store.createBucket(bucket);
      await store.putObject(bucket, 'k', { body: body('first version'), metadata: { ...noMetadata, contentType: 'a/b' } });
      await store.putObject(bucket, 'k', { body: body('second'), metadata: noMetadata });
      const head = await store.headObject(bucket, 'k');
      assert.equal(head.size, 6);
      assert.notEqual(head.contentType, 'a/b', 'metadata is replaced with the data');
      const versions = Array.from({ length: 6 }, (_, i) => Buffer.alloc(256 * 1024 + i * 1000, String(i)));
      await Promise.all(versions.map((data) => store.putObject(bucket, 'race', { body: body(data), metadata: noMetadata })));
      const final = await readAll((await store.getObject(bucket, 'race')).body);
      assert.ok(
        versions.some((data) => data.equals(final)),
        'the object is one whole version',
      );
      assert.equal((await store.headObject(bucket, 'race')).etag, md5Etag(final));
      const listed = await store.listObjects(bucket, { prefix: 'race', maxKeys: 10 });
      assert.equal(listed.objects.length, 1);
      assert.equal(listed.objects[0]?.etag, md5Etag(final));
    });

    it('a GET that has started keeps reading its version while the key is overwritten and deleted', async () => {
      const bucket = bucketName('read');
      await store.createBucket(bucket);
      const original = randomBytes(3 * MiB);
      await store.putObject(bucket, 'k', { body: body(original), metadata: noMetadata });
      const got = await store.getObject(bucket, 'k');
      await store.putObject(bucket, 'k', { body: body(randomBytes(3 * MiB)), metadata: noMetadata });
      await store.deleteObject(bucket, 'k');
      assert.ok(original.equals(await readAll(got.body)));
    });

    it('serves byte ranges', async () => {
      const bucket = bucketName('range');
      await store.createBucket(bucket);
      await store.putObject(bucket, 'k', { body: body('0123456789'), metadata: noMetadata });
      const cases: [number, number, string][] = [
        [0, 0, '0'],
        [2, 5, '2345'],
        [7, 9, '789'],
        [0, 9, '0123456789'],
      ];
      for (const [start, end, text] of cases) {
        const got = await store.getObject(bucket, 'k', { start, end });
        assert.equal((await readAll(got.body)).toString(), text);
        assert.equal(got.info.size, 10);
      }
      await rejectsWith(store.getObject(bucket, 'k', { start: 10, end: 12 }), 'InvalidRange');
    });

    it('stores tricky keys apart and lists them in UTF-8 binary order', async () => {
      const bucket = bucketName('keys');
      await store.createBucket(bucket);
      const keys = [
        'a',
        'a/',
        'a/b',
        'a//b',
        '/lead',
        'trail/',
        '..',
        '.',
        '../escape',
        'sp ace',
        'ü',
        'é/x',
        '\uffff',
        '😀',
        'k'.repeat(1024),
        'ä'.repeat(512),
        'a+b=c&d?e#f%20',
      ];
      for (const key of keys) await store.putObject(bucket, key, { body: body(`value of ${key}`), metadata: noMetadata });
      for (const key of keys) assert.equal((await readAll((await store.getObject(bucket, key)).body)).toString(), `value of ${key}`);
      const listed = await store.listObjects(bucket, { maxKeys: 1000 });
      assert.deepEqual(
        listed.objects.map((o) => o.key),
        utf8Sorted(keys),
      );
      assert.equal(listed.isTruncated, false);
      assert.deepEqual(await listAll(store, bucket, {}, 3), utf8Sorted(keys));
      await store.deleteObject(bucket, 'a');
      assert.equal((await readAll((await store.getObject(bucket, 'a/b')).body)).toString(), 'value of a/b');
    });

    it('lists with prefix, delimiter, start-after and max-keys, page by page', async () => {
      const bucket = bucketName('list');
      await store.createBucket(bucket);
      const keys = ['a', 'a/', 'a/b', 'a/c/d', 'a/c/e', 'ab', 'b/1', 'b/2', 'c', 'd/x/y'];
      for (const key of keys) await store.putObject(bucket, key, { body: body(key), metadata: noMetadata });

      const top = await store.listObjects(bucket, { delimiter: '/', maxKeys: 1000 });
      assert.deepEqual(
        top.objects.map((o) => o.key),
        ['a', 'ab', 'c'],
      );
      assert.deepEqual(top.commonPrefixes, ['a/', 'b/', 'd/']);
      assert.equal(top.isTruncated, false);

      const inA = await store.listObjects(bucket, { prefix: 'a/', delimiter: '/', maxKeys: 1000 });
      assert.deepEqual(
        inA.objects.map((o) => o.key),
        ['a/', 'a/b'],
      );
      assert.deepEqual(inA.commonPrefixes, ['a/c/']);
      assert.equal(inA.objects[1]?.size, 3);
      assert.equal(inA.objects[1]?.etag, md5Etag('a/b'));

      const prefixed = await store.listObjects(bucket, { prefix: 'a', maxKeys: 1000 });
      assert.deepEqual(
        prefixed.objects.map((o) => o.key),
        ['a', 'a/', 'a/b', 'a/c/d', 'a/c/e', 'ab'],
      );

      const after = await store.listObjects(bucket, { startAfter: 'a/c', maxKeys: 3 });
      assert.deepEqual(
        after.objects.map((o) => o.key),
        ['a/c/d', 'a/c/e', 'ab'],
      );
      assert.equal(after.isTruncated, true);
      assert.equal(after.lastReturned, 'ab');

      const zero = await store.listObjects(bucket, { maxKeys: 0 });
      assert.deepEqual([zero.objects.length, zero.commonPrefixes.length], [0, 0]);
      const none = await store.listObjects(bucket, { prefix: 'zzz', maxKeys: 10 });
      assert.deepEqual([none.objects.length, none.commonPrefixes.length, none.isTruncated], [0, 0, false]);

      const exact = await store.listObjects(bucket, { delimiter: '/', maxKeys: 6 });
      assert.equal(exact.isTruncated, false);

      const whole = await listAll(store, bucket, { delimiter: '/' }, 1000);
      for (const size of [1, 2, 4]) assert.deepEqual(await listAll(store, bucket, { delimiter: '/' }, size), whole, `page size ${size}`);
      const flat = await listAll(store, bucket, {}, 1000);
      assert.deepEqual(flat, keys);
      assert.deepEqual(await listAll(store, bucket, {}, 3), keys);
      await rejectsWith(store.listObjects(bucketName('missing'), { maxKeys: 10 }), 'NoSuchBucket');
    });

    multipartContract(() => store, bucketName);

    it('copies objects, keeping or replacing metadata', async () => {
      const bucket = bucketName('copy');
      const other = bucketName('copy2');
      await store.createBucket(bucket);
      await store.createBucket(other);
      const data = randomBytes(2 * MiB + 3);
      await store.putObject(bucket, 'src', {
        body: body(data),
        metadata: { contentType: 'x/y', userMetadata: { a: '1' }, headers: { 'cache-control': 'max-age=5' } },
      });
      const kept = await store.copyObject({ bucket, key: 'src' }, { bucket: other, key: 'dst/kept' });
      assert.equal(kept.etag, md5Etag(data));
      const head = await store.headObject(other, 'dst/kept');
      assert.equal(head.contentType, 'x/y');
      assert.deepEqual(head.userMetadata, { a: '1' });
      assert.ok(data.equals(await readAll((await store.getObject(other, 'dst/kept')).body)));
      await store.copyObject({ bucket, key: 'src' }, { bucket, key: 'src' }, { contentType: 'text/plain', userMetadata: { b: '2' }, headers: {} });
      const replaced = await store.headObject(bucket, 'src');
      assert.equal(replaced.contentType, 'text/plain');
      assert.deepEqual(replaced.userMetadata, { b: '2' });
      assert.ok(data.equals(await readAll((await store.getObject(bucket, 'src')).body)));
      await rejectsWith(store.copyObject({ bucket, key: 'missing' }, { bucket, key: 'x' }), 'NoSuchKey');
      await rejectsWith(store.copyObject({ bucket: bucketName('missing'), key: 'src' }, { bucket, key: 'x' }), 'NoSuchBucket');
    });

    it('a body that fails midway leaves the old object intact', async () => {
      const bucket = bucketName('fail');
      await store.createBucket(bucket);
      await store.putObject(bucket, 'k', { body: body('old'), metadata: noMetadata });
      // The body's own error comes back (the client is to blame, not the store).
      await assert.rejects(store.putObject(bucket, 'k', { body: failingBody(randomBytes(MiB)), metadata: noMetadata }), /client went away/);
      await assert.rejects(store.putObject(bucket, 'new', { body: failingBody(randomBytes(MiB)), metadata: () => noMetadata }), /client went away/);
      await assert.rejects(store.putObject(bucket, 'new', { body: failingBody(randomBytes(MiB)), metadata: noMetadata, contentLength: 2 * MiB }));
      assert.equal((await readAll((await store.getObject(bucket, 'k')).body)).toString(), 'old');
      await rejectsWith(store.headObject(bucket, 'new'), 'NoSuchKey');
      assert.deepEqual(
        (await store.listObjects(bucket, { maxKeys: 10 })).objects.map((o) => o.key),
        ['k'],
      );
      const upload = await store.createMultipartUpload(bucket, 'm', noMetadata);
      await assert.rejects(store.uploadPart(bucket, 'm', upload.uploadId, 1, failingBody(randomBytes(MiB))), /client went away/);
      await assert.rejects(store.uploadPart(bucket, 'm', upload.uploadId, 2, failingBody(randomBytes(MiB)), undefined, 2 * MiB));
      assert.deepEqual(await store.listParts(bucket, 'm', upload.uploadId), []);
      await store.abortMultipartUpload(bucket, 'm', upload.uploadId);
    });

    it('keeps everything across a restart', async (t) => {
      if (!s.reopen) return t.skip('no restart for this adapter');
      const bucket = bucketName('restart');
      await store.createBucket(bucket);
      await store.putObject(bucket, 'dir/a', { body: body('A'), metadata: { contentType: 't/a', userMetadata: { m: 'v' }, headers: {} } });
      await store.putObject(bucket, 'dir/b', { body: body('B'), metadata: noMetadata });
      const upload = await store.createMultipartUpload(bucket, 'up', noMetadata);
      const part = await store.uploadPart(bucket, 'up', upload.uploadId, 1, body('P'));
      const created = (await store.headBucket(bucket)).creationDate;

      const again = await s.reopen();
      assert.equal((await again.headBucket(bucket)).creationDate.getTime(), created.getTime());
      const listed = await again.listObjects(bucket, { prefix: 'dir/', maxKeys: 10 });
      assert.deepEqual(
        listed.objects.map((o) => o.key),
        ['dir/a', 'dir/b'],
      );
      const head = await again.headObject(bucket, 'dir/a');
      assert.equal(head.contentType, 't/a');
      assert.deepEqual(head.userMetadata, { m: 'v' });
      assert.equal((await readAll((await again.getObject(bucket, 'dir/a')).body)).toString(), 'A');
      assert.deepEqual(
        (await again.listMultipartUploads(bucket)).map((u) => u.uploadId),
        [upload.uploadId],
      );
      const info = await again.completeMultipartUpload(bucket, 'up', upload.uploadId, [{ partNumber: 1, etag: part.etag }]);
      assert.equal(info.size, 1);
      assert.equal((await readAll((await again.getObject(bucket, 'up')).body)).toString(), 'P');
    });
  });
}
