import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { pick, seededRandom } from '../helpers/random.js';
import { rawRequest, type RawResponse } from '../helpers/raw-http.js';
import { clientConfig, startServer, type ServerProcess } from '../helpers/server-process.js';

// Hundreds of malformed S3 requests (methods, paths, sub-resources, headers, XML, aws-chunked
// bodies, ranges, keys) sent raw: no answer is a server fault (a 501 is only NotImplemented, by
// design), errors are S3-shaped, the server keeps serving, and objects stored before are unchanged.

const bucket = 'fuzz';
let server: ServerProcess;
let s3: S3Client;
const kept = new Map<string, string>();

before(async () => {
  server = await startServer();
  s3 = new S3Client(clientConfig(server));
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const bodies: Array<[string, Buffer]> = [
    ['keep/a', randomBytes(100_000)],
    ['keep/weird +%key', randomBytes(10)],
    ['keep/empty', Buffer.alloc(0)],
  ];
  for (const [key, body] of bodies) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    kept.set(key, createHash('md5').update(body).digest('hex'));
  }
  const multipart = randomBytes(6 * 1024 * 1024);
  await new Upload({ client: s3, params: { Bucket: bucket, Key: 'keep/multipart', Body: multipart }, partSize: 5 * 1024 * 1024 }).done();
  kept.set('keep/multipart', createHash('md5').update(multipart).digest('hex'));
});
after(async () => {
  s3.destroy();
  await server.dispose();
});

const readPaths = [
  '/',
  `/${bucket}`,
  `/${bucket}/`,
  `/${bucket}/keep/a`,
  `/${bucket}/keep/weird%20%2B%25key`,
  `/${bucket}/keep/empty`,
  `/${bucket}/keep/multipart`,
];
const writePaths = [
  `/${bucket}`,
  `/${bucket}/t/x`,
  `/${bucket}/t/%`,
  `/${bucket}/t/%E0%A4%A`,
  `/${bucket}/t/%C0%AF`,
  `/${bucket}/t/${'k'.repeat(1100)}`,
  `/${bucket}/t/..%2F..%2F..%2Fetc%2Fpasswd`,
  `/${bucket}/t/%00%01`,
  `/${bucket}/t//double//slash`,
  `/${bucket}/t/%F0%9F%99%82`,
  '/nosuch-bucket/x',
  '/nosuch-bucket',
  '/..',
  '/../fuzz/t/x',
  '/UPPER_bucket/x',
  '/a/x',
  '/%2e%2e/t',
  `/${bucket}/t/a+b`,
];
const queries = [
  '',
  '?uploads',
  '?uploadId=nope',
  '?uploadId=nope&partNumber=0',
  '?uploadId=nope&partNumber=abc',
  '?uploadId=nope&partNumber=10001',
  '?uploadId=&partNumber=1',
  '?delete',
  '?list-type=3',
  '?list-type=2&max-keys=-1',
  '?list-type=2&max-keys=abc',
  '?list-type=2&max-keys=99999999999999',
  '?list-type=2&continuation-token=%%%',
  '?list-type=2&continuation-token=abc',
  '?list-type=2&encoding-type=bogus',
  '?max-keys=0',
  '?marker=%FF',
  '?acl',
  '?tagging',
  '?versioning',
  '?location',
  '?policy',
  '?cors',
  '?versionId=123',
  '?versionId=null',
  '?select&select-type=2',
  '?torrent',
  '?inventory',
  '?uploads&max-uploads=-5',
  '?uploadId=nope&max-parts=x&part-number-marker=-1',
  '?partNumber=2',
  '?response-content-type=%0A',
  '?response-content-disposition=a%0D%0Ab',
  '?x-id=GetObject',
  '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=salvia%2F2026&X-Amz-Signature=zz',
];
const headerOptions: Array<Record<string, string>> = [
  {},
  { range: 'bytes=5-2' },
  { range: 'bytes=abc' },
  { range: 'bytes=-0' },
  { range: 'bytes=99999999-' },
  { range: 'bytes=0-0,5-6' },
  { range: 'items=1-2' },
  { range: 'bytes=-99999999999999999999' },
  { 'content-md5': 'AAAA' },
  { 'content-md5': 'XrY7u+Ae7tCTyyK7j1rNww==' },
  { 'x-amz-content-sha256': 'nothex' },
  { 'x-amz-content-sha256': 'a'.repeat(64) },
  { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' },
  {
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '3',
    'x-amz-trailer': 'x-amz-checksum-crc32',
  },
  { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-decoded-content-length': '-1' },
  { 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' },
  { 'x-amz-trailer': 'x-amz-checksum-bogus' },
  { 'x-amz-checksum-crc32': '!!!!' },
  { 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-checksum-sha1': 'AAAAAA==' },
  { 'x-amz-sdk-checksum-algorithm': 'MD7' },
  { 'x-amz-copy-source': '' },
  { 'x-amz-copy-source': '/' },
  { 'x-amz-copy-source': 'fuzz' },
  { 'x-amz-copy-source': '%' },
  { 'x-amz-copy-source': '/nosuch/k' },
  { 'x-amz-copy-source': '/fuzz/keep/a?versionId=5' },
  { 'x-amz-copy-source': '/fuzz/keep/a', 'x-amz-metadata-directive': 'BOGUS' },
  { 'x-amz-copy-source': '/fuzz/keep/a', 'x-amz-copy-source-range': 'bytes=9-1' },
  { 'x-amz-copy-source': '/fuzz/keep/a', 'x-amz-copy-source-if-match': 'nope' },
  { 'if-match': '"garbage"' },
  { 'if-none-match': '*' },
  { 'if-modified-since': 'not a date' },
  { 'if-unmodified-since': 'Mon, 01 Jan 1990 00:00:00 GMT' },
  { authorization: 'AWS4-HMAC-SHA256 garbage' },
  { authorization: 'Bearer token' },
  { authorization: 'AWS4-HMAC-SHA256 Credential=salvia/20261125/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=zz' },
  { 'x-amz-date': 'yesterday' },
  { 'x-amz-meta-big': 'v'.repeat(3000) },
  { 'x-amz-expected-bucket-owner': '999999999999' },
  { 'x-amz-server-side-encryption': 'ROT13' },
  { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' },
  { 'content-type': '\u00ff\u00fe' },
  { 'x-amz-checksum-mode': 'ENABLED' },
  { host: 'fuzz.localhost' },
  { host: 'nosuch.s3.localhost:1' },
  { host: '[::1]:7070' },
];
const bodies: Array<string | Buffer | null> = [
  null,
  '',
  '<Delete>',
  '<Delete></Delete>',
  '<Delete><Object></Object></Delete>',
  '<Delete><Object><Key>t/x</Key></Object><Quiet>maybe</Quiet></Delete>',
  `<Delete>${'<Object><Key>t/x</Key></Object>'.repeat(1001)}</Delete>`,
  '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>',
  '<CompleteMultipartUpload></CompleteMultipartUpload>',
  '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>',
  '<CreateBucketConfiguration><LocationConstraint>mars-1</LocationConstraint></CreateBucketConfiguration>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>',
  `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`,
  'zz\r\n',
  '5\r\nab',
  '5;chunk-signature=zz\r\nabcde\r\n0\r\n\r\n',
  '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:!!\r\n\r\n',
  '3\r\nabc\r\n0\r\nno-colon-line\r\n\r\n',
  '3\r\nabcXX0\r\n\r\n',
  'fffffffffffffff\r\nabc',
  `${'9'.repeat(10000)}\r\n`,
  '0\r\n\r\ntrailing garbage',
];

function isServerFault(response: RawResponse): boolean {
  if (response.status < 500) return false;
  // NotImplemented (501) is S3's answer for features Salvia does not have: a designed answer.
  return !(response.status === 501 && (response.body.length === 0 || response.body.toString().includes('<Code>NotImplemented</Code>')));
}

/** A raw socket request that stops partway (declared body longer than sent, or a broken request line). */
function brokenSocketRequest(text: string): Promise<void> {
  const url = new URL(server.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(text);
      socket.end();
    });
    socket.on('data', () => undefined);
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
}

test('malformed S3 requests never get a server fault, and stored objects stay intact', async () => {
  const seed = 20261125;
  const random = seededRandom(seed);
  const faults: string[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < 400; i++) {
    const method = pick(random, ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH']);
    const mutating = method !== 'GET' && method !== 'HEAD';
    const pathname = pick(random, mutating ? writePaths : [...readPaths, ...writePaths]) + pick(random, queries);
    const headers: Record<string, string> = { ...pick(random, headerOptions), ...(random() < 0.3 ? pick(random, headerOptions) : {}) };
    if (mutating && headers.host !== undefined) delete headers.host;
    if (mutating && headers['x-amz-copy-source'] !== undefined && !pathname.includes('/t/')) delete headers['x-amz-copy-source'];
    const body = method === 'GET' || method === 'HEAD' ? undefined : (pick(random, bodies) ?? undefined);
    const description = `#${i} seed ${seed}: ${method} ${pathname.slice(0, 120)} ${JSON.stringify(headers).slice(0, 200)}`;
    let response: RawResponse;
    try {
      response = await rawRequest(server.url, method, pathname, headers, body);
    } catch (error) {
      // The client refusing to send (invalid header characters) is not a server answer.
      if (error instanceof TypeError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_')) continue;
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') continue;
      throw new Error(`${description}: ${String(error)}`);
    }
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (isServerFault(response)) faults.push(`${description} → ${response.status} ${response.body.toString().slice(0, 300)}`);
    if (response.status >= 400 && method !== 'HEAD' && response.body.length > 0) {
      assert.match(response.body.toString(), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>[A-Za-z0-9]+<\/Code><Message>/, description);
      assert.ok(response.headers['x-amz-request-id'], description);
    }
  }
  for (const text of [
    `PUT /${bucket}/t/truncated HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly a little`,
    `PUT /${bucket}/keep/a HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'z'.repeat(5000)}`,
    `PUT /${bucket}/keep/a HTTP/1.1\r\nHost: x\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nContent-Encoding: aws-chunked\r\nx-amz-decoded-content-length: 100\r\nContent-Length: 200\r\n\r\n64\r\nabc`,
    `PUT /${bucket}/keep/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc`,
    'GARBAGE\r\n\r\n',
    `GET /${bucket}/%%% HTTP/1.1\r\nHost: x\r\n\r\n`,
  ]) {
    await brokenSocketRequest(text);
  }
  assert.deepEqual(faults, []);
  // Most requests must really have been answered, and mostly with errors.
  const answered = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  assert.ok(answered > 300, `only ${answered} answered: ${JSON.stringify([...statuses])}`);
  assert.ok([...statuses.keys()].filter((status) => status >= 400).length >= 5, JSON.stringify([...statuses]));

  const buckets = await s3.send(new ListBucketsCommand({}));
  assert.ok(buckets.Buckets?.some((entry) => entry.Name === bucket));
  for (const [key, digest] of kept) {
    const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const data = Buffer.from((await output.Body?.transformToByteArray()) ?? []);
    assert.equal(createHash('md5').update(data).digest('hex'), digest, key);
  }
});
