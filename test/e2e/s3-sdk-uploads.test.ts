import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { rawRequest } from '../helpers/raw-http.js';
import { clientConfig, startServer, testCredentials, testRegion, type ServerProcess } from '../helpers/server-process.js';
import { s3ErrorOf } from '../helpers/sdk-errors.js';

// Uploads through @aws-sdk/client-s3 and hand-built requests: multipart (lib-storage and by hand),
// flexible checksums as headers and trailers, Content-MD5, x-amz-content-sha256, signed aws-chunked
// bodies with good and corrupted chunk signatures, and presigned URLs fetched with curl.

const run = promisify(execFile);
const bucket = 'sdk-uploads';
let server: ServerProcess;
let s3: S3Client;
let work: string;
before(async () => {
  server = await startServer();
  s3 = new S3Client(clientConfig(server));
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  work = mkdtempSync(path.join(tmpdir(), 'salvia-s3-uploads-'));
});
after(async () => {
  s3.destroy();
  await server.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function bytes(key: string): Promise<Buffer> {
  const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await output.Body?.transformToByteArray()) ?? []);
}

const md5 = (data: Buffer): Buffer => createHash('md5').update(data).digest();
const crc32 = (data: Buffer): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlib.crc32(data) >>> 0);
  return out.toString('base64');
};

describe('multipart', () => {
  test('lib-storage Upload: parts, S3 multipart ETag, byte-identical download', async () => {
    const body = randomBytes(12 * 1024 * 1024 + 123);
    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: 'big/multi.bin', Body: body }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    const result = await upload.done();
    const parts = [body.subarray(0, 5 << 20), body.subarray(5 << 20, 10 << 20), body.subarray(10 << 20)];
    const expected = `"${createHash('md5')
      .update(Buffer.concat(parts.map(md5)))
      .digest('hex')}-3"`;
    assert.equal(result.ETag, expected);
    assert.ok((await bytes('big/multi.bin')).equals(body));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/multi.bin' }));
    assert.equal(head.ContentLength, body.length);
    assert.equal(head.ETag, expected);
  });

  test('by hand: list uploads and parts, upload part copy, complete; wrong ETag, bad part numbers, abort', async () => {
    const key = 'manual/object';
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/x-manual', Metadata: { m: 'v' } }));
    const uploadId = created.UploadId ?? '';
    const first = randomBytes(5 * 1024 * 1024);
    const part1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: first }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'manual/source', Body: 'copied-tail-0123456789' }));
    const part2 = await s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: 2,
        CopySource: `${bucket}/manual/source`,
        CopySourceRange: 'bytes=0-10',
      }),
    );
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'manual/' }));
    assert.deepEqual(
      uploads.Uploads?.map((upload) => upload.UploadId),
      [uploadId],
    );
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    assert.deepEqual(
      listed.Parts?.map((part) => [part.PartNumber, part.Size]),
      [
        [1, first.length],
        [2, 11],
      ],
    );
    const badPart = await s3ErrorOf(s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 10001, Body: 'x' })));
    assert.equal(badPart.name, 'InvalidArgument');
    const wrongEtag = await s3ErrorOf(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }] },
        }),
      ),
    );
    assert.equal(wrongEtag.name, 'InvalidPart');
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: part1.ETag },
            { PartNumber: 2, ETag: part2.CopyPartResult?.ETag },
          ],
        },
      }),
    );
    assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-2"$/);
    assert.ok((await bytes(key)).equals(Buffer.concat([first, Buffer.from('copied-tail')])));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(head.ContentType, 'application/x-manual');
    assert.deepEqual(head.Metadata, { m: 'v' });

    const other = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'manual/aborted' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'manual/aborted', UploadId: other.UploadId }));
    const gone = await s3ErrorOf(s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'manual/aborted', UploadId: other.UploadId })));
    assert.equal(gone.name, 'NoSuchUpload');
  });
});

describe('checksums', () => {
  for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
    test(`${algorithm}: sent as header (buffer body) and trailer (stream body), stored and returned`, async () => {
      const data = randomBytes(300 * 1024);
      for (const [key, body] of [
        [`sum/${algorithm}/buffer`, data],
        [`sum/${algorithm}/stream`, Readable.from([data.subarray(0, 100_000), data.subarray(100_000)])],
      ] as const) {
        const put = await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: data.length, ChecksumAlgorithm: algorithm as ChecksumAlgorithm }),
        );
        const field = `Checksum${algorithm}` as const;
        assert.ok(put[field], `${key}: PutObject returns the checksum`);
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
        assert.equal(got[field], put[field]);
        assert.ok(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(data));
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
        assert.equal(head[field], put[field]);
      }
    });
  }

  test('SHA256 value matches an independent computation', async () => {
    const data = Buffer.from('checksum me');
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sum/sha', Body: data, ChecksumAlgorithm: 'SHA256' }));
    assert.equal(put.ChecksumSHA256, createHash('sha256').update(data).digest('base64'));
  });

  test('a wrong checksum is BadDigest and leaves the stored object unchanged', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sum/keep', Body: 'original' }));
    const error = await s3ErrorOf(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sum/keep', Body: 'replacement', ChecksumCRC32: crc32(Buffer.from('other')) })),
    );
    assert.equal(error.name, 'BadDigest');
    assert.equal(error.message, 'The CRC32 you specified did not match the calculated checksum.');
    assert.equal((await bytes('sum/keep')).toString(), 'original');

    const trailer = (value: string): Buffer => Buffer.from(`b\r\nreplacement\r\n0\r\nx-amz-checksum-crc32:${value}\r\n\r\n`);
    const headers = (body: Buffer): Record<string, string> => ({
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': '11',
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'content-length': String(body.length),
    });
    const bad = trailer(crc32(Buffer.from('nope')));
    const rejected = await rawRequest(server.url, 'PUT', `/${bucket}/sum/keep`, headers(bad), bad);
    assert.equal(rejected.status, 400);
    assert.match(rejected.body.toString(), /<Code>BadDigest<\/Code>/);
    assert.equal((await bytes('sum/keep')).toString(), 'original');
    const good = trailer(crc32(Buffer.from('replacement')));
    const accepted = await rawRequest(server.url, 'PUT', `/${bucket}/sum/trailer-ok`, headers(good), good);
    assert.equal(accepted.status, 200);
    assert.equal(accepted.headers['x-amz-checksum-crc32'], crc32(Buffer.from('replacement')));
    assert.equal((await bytes('sum/trailer-ok')).toString(), 'replacement');
  });

  test('Content-MD5, x-amz-content-sha256 and x-amz-decoded-content-length are verified', async () => {
    const body = Buffer.from('payload');
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ 'content-md5': md5(Buffer.from('other')).toString('base64') }, 400, 'BadDigest'],
      [{ 'content-md5': 'not-base64!' }, 400, 'InvalidDigest'],
      [{ 'x-amz-content-sha256': createHash('sha256').update('other').digest('hex') }, 400, 'XAmzContentSHA256Mismatch'],
      [{ 'x-amz-content-sha256': 'bogus' }, 400, 'InvalidArgument'],
      [{ 'x-amz-checksum-crc32': 'AAAA' }, 400, 'InvalidRequest'],
    ];
    for (const [headers, status, code] of cases) {
      const response = await rawRequest(server.url, 'PUT', `/${bucket}/verify/bad`, headers, body);
      assert.equal(response.status, status, JSON.stringify(headers));
      assert.match(response.body.toString(), new RegExp(`<Code>${code}</Code>`), JSON.stringify(headers));
    }
    const short = Buffer.from('7\r\npayload\r\n0\r\n\r\n');
    const incomplete = await rawRequest(
      server.url,
      'PUT',
      `/${bucket}/verify/bad`,
      { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-decoded-content-length': '9' },
      short,
    );
    assert.match(incomplete.body.toString(), /<Code>IncompleteBody<\/Code>/);
    const none = await rawRequest(server.url, 'HEAD', `/${bucket}/verify/bad`, {});
    assert.equal(none.status, 404);
    const ok = await rawRequest(
      server.url,
      'PUT',
      `/${bucket}/verify/good`,
      { 'content-md5': md5(body).toString('base64'), 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
      body,
    );
    assert.equal(ok.status, 200);
  });
});

/** SHA-256 and HMAC-SHA-256 for @smithy/signature-v4, from node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key =
      typeof secret === 'string' || secret === undefined
        ? secret
        : ArrayBuffer.isView(secret)
          ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
          : Buffer.from(secret);
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(
      typeof data === 'string' ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data),
    );
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

/** A PUT with a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body signed with the test key; `corrupt` spoils chunk 2's signature. */
async function signedChunkedPut(key: string, chunks: readonly Buffer[], corrupt: boolean): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  const decodedLength = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const signatureLine = (size: number): number => size.toString(16).length + ';chunk-signature='.length + 64 + 2;
  const encodedLength = [...chunks, Buffer.alloc(0)].reduce((sum, chunk) => sum + signatureLine(chunk.length) + chunk.length + 2, 0);
  const signer = new SignatureV4({ credentials: testCredentials, region: testRegion, service: 's3', sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: `/${bucket}/${key}`,
    query: {},
    headers: {
      host: url.host,
      'content-encoding': 'aws-chunked',
      'content-length': String(encodedLength),
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-decoded-content-length': String(decodedLength),
    },
  });
  const headers = signed.headers as Record<string, string>;
  const amzDate = headers['x-amz-date'] ?? '';
  let previous = /Signature=([0-9a-f]{64})/.exec(headers.authorization ?? '')?.[1] ?? '';
  const scope = `${amzDate.slice(0, 8)}/${testRegion}/s3/aws4_request`;
  const hmac = (keyBytes: string | Buffer, text: string): Buffer => createHmac('sha256', keyBytes).update(text).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${testCredentials.secretAccessKey}`, amzDate.slice(0, 8)), testRegion), 's3'), 'aws4_request');
  const emptyHash = createHash('sha256').digest('hex');
  const pieces: Buffer[] = [];
  [...chunks, Buffer.alloc(0)].forEach((chunk, index) => {
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, emptyHash, createHash('sha256').update(chunk).digest('hex')].join('\n');
    let signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
    previous = signature;
    if (corrupt && index === 1) signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    pieces.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk, Buffer.from('\r\n'));
  });
  const body = Buffer.concat(pieces);
  assert.equal(body.length, encodedLength);
  const response = await rawRequest(server.url, 'PUT', `/${bucket}/${key}`, headers, body);
  return { status: response.status, body: response.body.toString() };
}

/** Sends request head text on a raw socket and returns the first response's status line and body text. */
function socketExchange(text: string): Promise<string> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('</Error>')) socket.destroy();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('limits', () => {
  test('a single PUT over 5 GiB is EntityTooLarge before any byte is read', async () => {
    const declared = String(5 * 1024 ** 3 + 1);
    const plain = await socketExchange(`PUT /${bucket}/huge HTTP/1.1\r\nHost: x\r\nContent-Length: ${declared}\r\n\r\nabc`);
    assert.match(plain, /^HTTP\/1.1 400 /);
    assert.match(plain, /<Code>EntityTooLarge<\/Code>/);
    const chunked = await socketExchange(
      `PUT /${bucket}/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nContent-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nx-amz-decoded-content-length: ${declared}\r\n\r\n`,
    );
    assert.match(chunked, /<Code>EntityTooLarge<\/Code>/);
    assert.equal((await rawRequest(server.url, 'HEAD', `/${bucket}/huge`, {})).status, 404);
  });
});

describe('signed aws-chunked bodies', () => {
  test('good chunk signatures store the object; a corrupted one is SignatureDoesNotMatch and stores nothing', async () => {
    const chunks = [randomBytes(64 * 1024), randomBytes(64 * 1024), randomBytes(1000)];
    const good = await signedChunkedPut('chunked/good', chunks, false);
    assert.equal(good.status, 200, good.body);
    assert.ok((await bytes('chunked/good')).equals(Buffer.concat(chunks)));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'chunked/keep', Body: 'before' }));
    const bad = await signedChunkedPut('chunked/keep', chunks, true);
    assert.equal(bad.status, 403);
    assert.match(bad.body, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.equal((await bytes('chunked/keep')).toString(), 'before');
  });
});

describe('presigned URLs', () => {
  test('GET and PUT with curl', async () => {
    const file = path.join(work, 'upload.bin');
    const data = randomBytes(200 * 1024);
    writeFileSync(file, data);
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'presigned/file name+.bin' }), { expiresIn: 300 });
    const put = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'PUT', '--data-binary', `@${file}`, '-H', 'content-type:', putUrl]);
    assert.equal(put.stdout, '200');
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'presigned/file name+.bin' }), { expiresIn: 300 });
    const out = path.join(work, 'download.bin');
    const get = await run('curl', ['-sS', '-o', out, '-w', '%{http_code}', getUrl]);
    assert.equal(get.stdout, '200');
    assert.ok(readFileSync(out).equals(data));
  });
});
