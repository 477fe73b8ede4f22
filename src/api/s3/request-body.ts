import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import {
  AwsError,
  BadDigest,
  EntityTooLarge,
  IncompleteBody,
  InvalidArgument,
  InvalidDigest,
  InvalidRequest,
  MalformedTrailer,
  NotImplemented,
  XAmzContentSHA256Mismatch,
} from '../../errors/index.js';
import type { StoredChecksum } from '../../objectstore/index.js';
import type { AuthResult } from '../protocol/authenticator.js';
import { AwsChunkedDecoder } from '../protocol/aws-chunked.js';
import {
  checksumAlgorithmOfHeader,
  checksumAlgorithms,
  checksumHeader,
  checksumLength,
  createChecksumHasher,
  createMd5Hasher,
  createSha256Hasher,
  isBase64OfLength,
  type ChecksumAlgorithm,
  type Hasher,
} from '../protocol/checksums.js';

/** How the body is framed, from `x-amz-content-sha256` and `Content-Encoding`. */
interface Framing {
  readonly chunked: boolean;
  readonly signed: boolean;
  /** A hex SHA-256 the plain body must have. */
  readonly sha256?: string;
}

/** Where the object's flexible checksum comes from, if anywhere. */
interface ChecksumPlan {
  readonly algorithm: ChecksumAlgorithm;
  /** Expected base64 value from a header; undefined when it comes in a trailer or not at all. */
  readonly expected?: string;
  readonly inTrailer: boolean;
}

/** A request body being decoded and verified while it streams to the store. */
export interface DecodedBody {
  /** The payload; errors (with an S3 AwsError) if anything about the body is wrong. */
  readonly stream: Readable;
  /** The flexible checksum to store; complete once `stream` has ended without error. */
  checksum(): StoredChecksum | undefined;
  /** The error that failed `stream`, if any: answer it rather than whatever the store threw. */
  failure(): AwsError | undefined;
  /** The payload's length as the headers declare it (decoded length for aws-chunked), if they do. */
  readonly declaredLength?: number;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function framingOf(headers: IncomingHttpHeaders): Framing {
  const sha = header(headers, 'x-amz-content-sha256');
  const encoding = header(headers, 'content-encoding') ?? '';
  switch (sha) {
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER':
      return { chunked: true, signed: true };
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return { chunked: true, signed: false };
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER':
      throw new NotImplemented('SigV4a (ECDSA) streaming signatures');
    case undefined:
    case 'UNSIGNED-PAYLOAD':
      return { chunked: /(^|,)\s*aws-chunked\s*(,|$)/i.test(encoding) && headers['x-amz-decoded-content-length'] !== undefined, signed: false };
    default:
      if (/^[0-9a-fA-F]{64}$/.test(sha)) return { chunked: false, signed: false, sha256: sha.toLowerCase() };
      throw new InvalidArgument(
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD or a valid sha256 value.',
        'x-amz-content-sha256',
        sha,
      );
  }
}

function checksumPlanOf(headers: IncomingHttpHeaders, framing: Framing): ChecksumPlan | undefined {
  const given = checksumAlgorithms.filter((algorithm) => headers[checksumHeader(algorithm)] !== undefined);
  const trailer = header(headers, 'x-amz-trailer');
  const sdkAlgorithm = header(headers, 'x-amz-sdk-checksum-algorithm');
  if (given.length > 1) throw new InvalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  if (trailer !== undefined) {
    if (!framing.chunked) throw new InvalidRequest('The x-amz-trailer header is only allowed with aws-chunked encoding.');
    const algorithm = checksumAlgorithmOfHeader(trailer);
    if (!algorithm) throw new InvalidRequest(`The value specified in the x-amz-trailer header is not supported: ${trailer}`);
    if (given.length > 0) throw new InvalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
    return { algorithm, inTrailer: true };
  }
  const algorithm = given[0];
  if (algorithm) {
    const expected = header(headers, checksumHeader(algorithm)) ?? '';
    if (!isBase64OfLength(expected, checksumLength(algorithm))) throw new InvalidRequest(`Value for ${checksumHeader(algorithm)} header is invalid.`);
    return { algorithm, expected, inTrailer: false };
  }
  if (sdkAlgorithm !== undefined) {
    const named = checksumAlgorithmOfHeader(`x-amz-checksum-${sdkAlgorithm}`);
    if (!named)
      throw new InvalidRequest(
        'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
      );
    return { algorithm: named, inTrailer: false };
  }
  return undefined;
}

function parseLength(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value.trim())) throw new InvalidArgument(`${name} must be a non-negative integer`, name, value);
  return Number(value.trim());
}

/**
 * Validates the body-related headers of a PUT (object or part) and returns its payload as a
 * stream that decodes `aws-chunked` framing (checking chunk signatures when `auth` has a signing
 * key) and verifies Content-MD5, a hex `x-amz-content-sha256`, `x-amz-decoded-content-length` and
 * any `x-amz-checksum-*` header or trailer. On any mismatch the stream errors, so the store keeps
 * nothing. Throws (before reading anything) for invalid headers or a declared size over `maxBytes`.
 */
export function decodeRequestBody(request: IncomingMessage, auth: AuthResult, maxBytes: number): DecodedBody {
  const headers = request.headers;
  const framing = framingOf(headers);
  const plan = checksumPlanOf(headers, framing);
  const contentLength = parseLength(header(headers, 'content-length'), 'Content-Length');
  const decodedLength = parseLength(header(headers, 'x-amz-decoded-content-length'), 'x-amz-decoded-content-length');
  const declared = framing.chunked ? decodedLength : contentLength;
  if (declared !== undefined && declared > maxBytes) throw new EntityTooLarge();
  const contentMd5 = header(headers, 'content-md5');
  if (contentMd5 !== undefined && !isBase64OfLength(contentMd5.trim(), 16)) throw new InvalidDigest();

  const md5 = contentMd5 !== undefined ? createMd5Hasher() : undefined;
  const sha256 = framing.sha256 !== undefined ? createSha256Hasher() : undefined;
  const flexible: Hasher | undefined = plan ? createChecksumHasher(plan.algorithm) : undefined;
  const signing =
    framing.signed && auth.signingKey && auth.seedSignature && auth.amzDate && auth.scope
      ? { key: auth.signingKey, seedSignature: auth.seedSignature, amzDate: auth.amzDate, scope: auth.scope }
      : undefined;
  const decoder = framing.chunked
    ? new AwsChunkedDecoder({ signed: framing.signed, ...(signing ? { signing } : {}), ...(decodedLength !== undefined ? { decodedLength } : {}) })
    : undefined;

  let failure: AwsError | undefined;
  let stored: StoredChecksum | undefined;
  let received = 0;

  const verify = async (): Promise<void> => {
    if (!framing.chunked && contentLength !== undefined && received !== contentLength) throw new IncompleteBody();
    if (md5 && contentMd5 !== undefined && (await md5.digest()).toString('base64') !== contentMd5.trim()) throw new BadDigest();
    if (sha256 && framing.sha256 !== undefined) {
      const computed = (await sha256.digest()).toString('hex');
      if (computed !== framing.sha256) throw new XAmzContentSHA256Mismatch(framing.sha256, computed);
    }
    if (plan && flexible) {
      const computed = (await flexible.digest()).toString('base64');
      let expected = plan.expected;
      if (plan.inTrailer) {
        expected = decoder?.trailers.get(checksumHeader(plan.algorithm));
        if (expected === undefined || !isBase64OfLength(expected, checksumLength(plan.algorithm))) throw new MalformedTrailer();
      }
      if (expected !== undefined && expected !== computed) throw new BadDigest(`The ${plan.algorithm} you specified did not match the calculated checksum.`);
      stored = { algorithm: plan.algorithm, value: computed, type: 'FULL_OBJECT' };
    }
  };

  const verifier = new Transform({
    readableHighWaterMark: 1 << 20,
    writableHighWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      received += chunk.length;
      if (received > maxBytes) return callback((failure ??= new EntityTooLarge()));
      md5?.update(chunk);
      sha256?.update(chunk);
      flexible?.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      verify().then(
        () => callback(),
        (error: unknown) => callback((failure ??= error instanceof AwsError ? error : new IncompleteBody())),
      );
    },
  });

  const fail = (error: unknown): void => {
    failure ??= error instanceof AwsError ? error : new IncompleteBody();
    request.unpipe();
    verifier.destroy(failure);
  };
  request.once('aborted', () => fail(new IncompleteBody()));
  request.once('close', () => {
    if (!request.complete) fail(new IncompleteBody());
  });
  request.on('error', fail);
  // The verdict can come (in flush) before the store starts reading: keep the error from being
  // "unhandled"; the store still sees it as the stream's error when it reads.
  verifier.on('error', () => undefined);
  if (decoder) {
    decoder.on('error', fail);
    request.pipe(decoder).pipe(verifier);
  } else {
    request.pipe(verifier);
  }
  return { stream: verifier, checksum: () => stored, failure: () => failure, ...(declared !== undefined ? { declaredLength: declared } : {}) };
}

/**
 * Reads a small request body (XML documents) whole, with the same decoding and verification as
 * object bodies (Content-MD5, flexible checksums, aws-chunked). Throws the body's AwsError, or
 * EntityTooLarge past `maxBytes`.
 */
export async function readVerifiedBody(request: IncomingMessage, auth: AuthResult, maxBytes: number): Promise<Buffer> {
  const body = decodeRequestBody(request, auth, maxBytes);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body.stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (error) {
    throw body.failure() ?? error;
  }
  return Buffer.concat(chunks);
}
