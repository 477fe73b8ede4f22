import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { AwsError } from '../../errors/index.js';
import { AwsChunkedDecoder, type AwsChunkedOptions } from './aws-chunked.js';
import { chunkSignature, deriveSigningKey, trailerSignature } from './sigv4.js';

/** Feeds `input` to a decoder in pieces of `step` bytes (to cross every boundary) and returns the payload. */
async function decode(input: string | Buffer, options: AwsChunkedOptions, step = 3): Promise<{ payload: string; decoder: AwsChunkedDecoder }> {
  const bytes = Buffer.from(input);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += step) pieces.push(bytes.subarray(i, i + step));
  const decoder = new AwsChunkedDecoder(options);
  const payload = await text(Readable.from(pieces).pipe(decoder));
  return { payload, decoder };
}

async function decodeError(input: string, options: AwsChunkedOptions): Promise<string> {
  try {
    await decode(input, options);
  } catch (error) {
    assert.ok(error instanceof AwsError, String(error));
    return error.code;
  }
  assert.fail('expected the stream to error');
}

test('unsigned chunks with a trailer decode, in any split', async () => {
  const input = '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
  for (const step of [1, 2, 7, 1000]) {
    const { payload, decoder } = await decode(input, { signed: false, decodedLength: 11 }, step);
    assert.equal(payload, 'hello world');
    assert.equal(decoder.trailers.get('x-amz-checksum-crc32'), 'DUoRhQ==');
  }
});

test('framing errors, early ends and length mismatches error the stream', async () => {
  assert.equal(await decodeError('zz\r\nabc', { signed: false }), 'InvalidRequest');
  assert.equal(await decodeError('3\r\nabcXX0\r\n\r\n', { signed: false }), 'InvalidRequest');
  assert.equal(await decodeError('5\r\nab', { signed: false }), 'IncompleteBody');
  assert.equal(await decodeError('3\r\nabc\r\n0\r\n\r\n', { signed: false, decodedLength: 4 }), 'IncompleteBody');
  assert.equal(await decodeError('3\r\nabc\r\n0\r\n\r\n', { signed: false, decodedLength: 2 }), 'IncompleteBody');
  assert.equal(await decodeError('3\r\nabc\r\n0\r\nno colon\r\n\r\n', { signed: false }), 'MalformedTrailerError');
  assert.equal(await decodeError(`${'1'.repeat(9000)}\r\n`, { signed: false }), 'InvalidRequest');
  assert.equal(await decodeError('3\r\nabc\r\n', { signed: true }), 'SignatureDoesNotMatch');
});

test('signed chunks are checked against the chained signatures (AWS documentation example)', async () => {
  // From "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks".
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, '20130524'), 'us-east-1'), 's3'), 'aws4_request');
  const signing = {
    key,
    seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
    amzDate: '20130524T000000Z',
    scope: '20130524/us-east-1/s3/aws4_request',
  };
  const chunk1 = 'a'.repeat(65536);
  const chunk2 = 'a'.repeat(1024);
  const body =
    `10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n${chunk1}\r\n` +
    `400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n${chunk2}\r\n` +
    '0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n';
  const { payload } = await decode(body, { signed: true, signing, decodedLength: 66560 }, 4096);
  assert.equal(payload.length, 66560);
  assert.equal(await decodeError(body.replace('0055627c', '1055627c'), { signed: true, signing }), 'SignatureDoesNotMatch');
  assert.equal(await decodeError(body.replace(`${chunk2}\r\n`, `${chunk2.slice(1)}b\r\n`), { signed: true, signing }), 'SignatureDoesNotMatch');
  // Without a signing key the signatures are parsed, not checked.
  assert.equal((await decode(body.replace('0055627c', '1055627c'), { signed: true })).payload.length, 66560);
  assert.equal(createHash('sha256').update(payload).digest('hex').length, 64);
});

test('signed trailers (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) are checked, cross-checked with the SigV4 module', async () => {
  const context = {
    signingKey: deriveSigningKey('salvia-secret-key', '20261125', 'us-east-1', 's3'),
    amzDate: '20261125T080000Z',
    scope: '20261125/us-east-1/s3/aws4_request',
  };
  const seed = 'a'.repeat(64);
  const data = Buffer.from('hello trailer');
  const first = chunkSignature(context, seed, data);
  const last = chunkSignature(context, first, new Uint8Array(0));
  const trailer = 'x-amz-checksum-crc32:AAAAAA==\n';
  const body = (trailerSig: string): string =>
    `${data.length.toString(16)};chunk-signature=${first}\r\n${data.toString()}\r\n0;chunk-signature=${last}\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:${trailerSig}\r\n\r\n`;
  const options = { signed: true, signing: { key: context.signingKey, seedSignature: seed, amzDate: context.amzDate, scope: context.scope } };
  const { payload, decoder } = await decode(body(trailerSignature(context, last, trailer)), options, 5);
  assert.equal(payload, 'hello trailer');
  assert.equal(decoder.trailers.get('x-amz-checksum-crc32'), 'AAAAAA==');
  assert.equal(decoder.trailers.has('x-amz-trailer-signature'), false);
  assert.equal(await decodeError(body(trailerSignature(context, last, 'x-amz-checksum-crc32:BBBBBB==\n')), options), 'SignatureDoesNotMatch');
});
