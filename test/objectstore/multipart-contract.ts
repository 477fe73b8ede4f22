import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { it } from 'node:test';
import type { ObjectMetadata, ObjectStore } from '../../src/objectstore/index.js';
import { body, md5Etag, MiB, noMetadata, readAll, rejectsWith } from './contract-helpers.js';

/** The multipart part of the ObjectStore contract; runs inside objectStoreContract's describe. */
export function multipartContract(getStore: () => ObjectStore, bucketName: (label: string) => string): void {
  it('assembles multipart uploads: replace a part, list, complete', async () => {
    const store = getStore();
    const bucket = bucketName('mpu');
    await store.createBucket(bucket);
    const metadata: ObjectMetadata = { contentType: 'application/x-tar', userMetadata: { job: 'j1' }, headers: {} };
    const upload = await store.createMultipartUpload(bucket, 'model.tar.gz', metadata);
    assert.ok(upload.uploadId.length > 0);
    const part1 = randomBytes(5 * MiB);
    const part2 = randomBytes(1234);
    await store.uploadPart(bucket, 'model.tar.gz', upload.uploadId, 1, body(randomBytes(5 * MiB + 7)));
    const p1 = await store.uploadPart(bucket, 'model.tar.gz', upload.uploadId, 1, body(part1));
    const p2 = await store.uploadPart(bucket, 'model.tar.gz', upload.uploadId, 2, body(part2), undefined, part2.length);
    assert.equal(p1.etag, md5Etag(part1));
    const parts = await store.listParts(bucket, 'model.tar.gz', upload.uploadId);
    assert.deepEqual(
      parts.map((p) => [p.partNumber, p.etag, p.size]),
      [
        [1, p1.etag, 5 * MiB],
        [2, p2.etag, 1234],
      ],
    );
    const uploads = await store.listMultipartUploads(bucket);
    assert.deepEqual(
      uploads.map((u) => [u.key, u.uploadId]),
      [['model.tar.gz', upload.uploadId]],
    );
    assert.deepEqual(await store.listMultipartUploads(bucket, 'other'), []);
    assert.deepEqual((await store.listObjects(bucket, { maxKeys: 10 })).objects, [], 'an upload in progress is not an object');

    const info = await store.completeMultipartUpload(bucket, 'model.tar.gz', upload.uploadId, [
      { partNumber: 1, etag: p1.etag },
      { partNumber: 2, etag: p2.etag.replace(/"/g, '') },
    ]);
    const expectedEtag = `"${createHash('md5')
      .update(Buffer.concat([createHash('md5').update(part1).digest(), createHash('md5').update(part2).digest()]))
      .digest('hex')}-2"`;
    assert.equal(info.etag, expectedEtag);
    assert.equal(info.size, 5 * MiB + 1234);
    const got = await store.getObject(bucket, 'model.tar.gz');
    assert.ok(Buffer.concat([part1, part2]).equals(await readAll(got.body)));
    assert.equal(got.info.etag, expectedEtag);
    assert.equal(got.info.contentType, 'application/x-tar');
    assert.deepEqual(got.info.userMetadata, { job: 'j1' });
    const ranged = await store.getObject(bucket, 'model.tar.gz', { start: 5 * MiB - 2, end: 5 * MiB + 1 });
    assert.ok(Buffer.concat([part1.subarray(-2), part2.subarray(0, 2)]).equals(await readAll(ranged.body)));
    assert.deepEqual(await store.listMultipartUploads(bucket), []);
    await rejectsWith(store.listParts(bucket, 'model.tar.gz', upload.uploadId), 'NoSuchUpload');
    await rejectsWith(store.uploadPart(bucket, 'model.tar.gz', upload.uploadId, 3, body('x')), 'NoSuchUpload');

    const single = await store.createMultipartUpload(bucket, 'one', { userMetadata: {}, headers: {} });
    const only = await store.uploadPart(bucket, 'one', single.uploadId, 7, body('small is fine when last'));
    const one = await store.completeMultipartUpload(bucket, 'one', single.uploadId, [{ partNumber: 7, etag: only.etag }]);
    assert.match(one.etag, /^"[0-9a-f]{32}-1"$/);
  });

  it('rejects bad multipart requests with S3 errors', async () => {
    const store = getStore();
    const bucket = bucketName('mpuerr');
    await store.createBucket(bucket);
    const upload = await store.createMultipartUpload(bucket, 'k', noMetadata);
    const id = upload.uploadId;
    const small = await store.uploadPart(bucket, 'k', id, 1, body('tiny'));
    const big = await store.uploadPart(bucket, 'k', id, 2, body(randomBytes(5 * MiB)));
    const last = await store.uploadPart(bucket, 'k', id, 3, body('end'));
    await rejectsWith(store.uploadPart(bucket, 'k', id, 0, body('x')), 'InvalidArgument');
    await rejectsWith(store.uploadPart(bucket, 'k', id, 10001, body('x')), 'InvalidArgument');
    await rejectsWith(store.uploadPart(bucket, 'k', 'not-an-upload', 1, body('x')), 'NoSuchUpload');
    await rejectsWith(store.uploadPart(bucket, 'other-key', id, 1, body('x')), 'NoSuchUpload');
    await rejectsWith(
      store.completeMultipartUpload(bucket, 'k', id, [
        { partNumber: 2, etag: big.etag },
        { partNumber: 1, etag: small.etag },
      ]),
      'InvalidPartOrder',
    );
    await rejectsWith(
      store.completeMultipartUpload(bucket, 'k', id, [
        { partNumber: 2, etag: big.etag },
        { partNumber: 2, etag: big.etag },
      ]),
      'InvalidPartOrder',
    );
    await rejectsWith(store.completeMultipartUpload(bucket, 'k', id, [{ partNumber: 4, etag: last.etag }]), 'InvalidPart');
    await rejectsWith(store.completeMultipartUpload(bucket, 'k', id, [{ partNumber: 3, etag: small.etag }]), 'InvalidPart');
    await rejectsWith(
      store.completeMultipartUpload(bucket, 'k', id, [
        { partNumber: 1, etag: small.etag },
        { partNumber: 2, etag: big.etag },
      ]),
      'EntityTooSmall',
    );
    await rejectsWith(store.headObject(bucket, 'k'), 'NoSuchKey');
    await rejectsWith(store.completeMultipartUpload(bucket, 'k', 'bogus', [{ partNumber: 1, etag: small.etag }]), 'NoSuchUpload');
    const done = await store.completeMultipartUpload(bucket, 'k', id, [
      { partNumber: 2, etag: big.etag },
      { partNumber: 3, etag: last.etag },
    ]);
    assert.equal(done.size, 5 * MiB + 3);
    await rejectsWith(store.abortMultipartUpload(bucket, 'k', id), 'NoSuchUpload');

    const aborted = await store.createMultipartUpload(bucket, 'gone', noMetadata);
    await store.uploadPart(bucket, 'gone', aborted.uploadId, 1, body('x'));
    await store.abortMultipartUpload(bucket, 'gone', aborted.uploadId);
    await rejectsWith(store.listParts(bucket, 'gone', aborted.uploadId), 'NoSuchUpload');
    await rejectsWith(store.completeMultipartUpload(bucket, 'gone', aborted.uploadId, [{ partNumber: 1, etag: '"x"' }]), 'NoSuchUpload');
    await rejectsWith(store.createMultipartUpload(bucketName('missing'), 'k', noMetadata), 'NoSuchBucket');
    await rejectsWith(store.headObject(bucket, 'gone'), 'NoSuchKey');
  });
}
