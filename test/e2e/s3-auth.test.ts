import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { rawRequest } from '../helpers/raw-http.js';
import { clientConfig, startServer, type ServerProcess } from '../helpers/server-process.js';
import { s3ErrorOf } from '../helpers/sdk-errors.js';

// S3 with `--auth`: SigV4 failures map to S3's codes (AccessDenied, InvalidAccessKeyId,
// SignatureDoesNotMatch, AuthorizationHeaderMalformed), presigned URLs are checked, signed
// requests of every body encoding pass.

let server: ServerProcess;
let s3: S3Client;
before(async () => {
  server = await startServer({ args: ['--auth'] });
  s3 = new S3Client(clientConfig(server));
});
after(async () => {
  s3.destroy();
  await server.dispose();
});

test('signed requests pass, including streamed (aws-chunked, trailer) bodies', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'auth-bucket' }));
  await s3.send(new PutObjectCommand({ Bucket: 'auth-bucket', Key: 'k', Body: 'secret data' }));
  await s3.send(new PutObjectCommand({ Bucket: 'auth-bucket', Key: 'streamed', Body: Readable.from([Buffer.alloc(70_000, 1)]), ContentLength: 70_000 }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'auth-bucket', Key: 'streamed' }));
  assert.equal((await got.Body?.transformToByteArray())?.length, 70_000);
});

test('failures map to S3 codes', async () => {
  const anonymous = await rawRequest(server.url, 'GET', '/auth-bucket/k', {});
  assert.equal(anonymous.status, 403);
  assert.match(anonymous.body.toString(), /<Code>AccessDenied<\/Code>/);
  const anonymousHead = await rawRequest(server.url, 'HEAD', '/auth-bucket/k', {});
  assert.equal(anonymousHead.status, 403);
  assert.equal(anonymousHead.body.length, 0);

  const wrongSecret = new S3Client({ ...clientConfig(server), credentials: { accessKeyId: 'salvia', secretAccessKey: 'wrong' } });
  assert.equal((await s3ErrorOf(wrongSecret.send(new ListBucketsCommand({})))).name, 'SignatureDoesNotMatch');
  wrongSecret.destroy();
  const unknownKey = new S3Client({ ...clientConfig(server), credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' } });
  assert.equal((await s3ErrorOf(unknownKey.send(new ListBucketsCommand({})))).name, 'InvalidAccessKeyId');
  unknownKey.destroy();

  const malformed = await rawRequest(server.url, 'GET', '/auth-bucket/k', { authorization: 'AWS4-HMAC-SHA256 nonsense' });
  assert.equal(malformed.status, 400);
  assert.match(malformed.body.toString(), /<Code>AuthorizationHeaderMalformed<\/Code>/);
});

test('presigned URLs: valid, tampered, expired', async () => {
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'auth-bucket', Key: 'k' }), { expiresIn: 300 });
  const ok = await fetch(url);
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'secret data');
  const tampered = await fetch(url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`));
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  const old = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'auth-bucket', Key: 'k' }), {
    expiresIn: 60,
    signingDate: new Date(Date.now() - 3600_000),
  });
  const expired = await fetch(old);
  assert.equal(expired.status, 403);
  assert.match(await expired.text(), /<Code>AccessDenied<\/Code>/);
});
