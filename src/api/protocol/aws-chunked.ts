import { createHash, createHmac, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IncompleteBody, MalformedChunkedEncoding, MalformedTrailer, SignatureDoesNotMatch } from '../../errors/index.js';

const emptySha256 = createHash('sha256').digest('hex');
/** Longest chunk-size line or trailer line accepted (a signature line is ~100 bytes). */
const maxLineBytes = 8 * 1024;
/** Most trailer bytes accepted in all. */
const maxTrailerBytes = 16 * 1024;

/** What is needed to check `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` chunk signatures. */
export interface ChunkSigning {
  /** SigV4 signing key (kSigning). */
  readonly key: Buffer;
  /** The request's own signature: the first chunk's "previous signature". */
  readonly seedSignature: string;
  readonly amzDate: string;
  /** `yyyymmdd/region/service/aws4_request`. */
  readonly scope: string;
}

export interface AwsChunkedOptions {
  /** Chunks carry `;chunk-signature=`; checked when `signing` is given, else only parsed. */
  readonly signed: boolean;
  readonly signing?: ChunkSigning;
  /** `x-amz-decoded-content-length`: the decoded body must be exactly this long. */
  readonly decodedLength?: number;
}

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/**
 * Decodes an `aws-chunked` request body (`<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` … a
 * zero-size chunk, then optional trailer lines and a blank line) into the plain payload, streaming:
 * data is passed on as slices of the incoming buffers and never accumulated.
 *
 * The stream errors (with an S3 AwsError) on malformed framing (MalformedChunkedEncoding,
 * MalformedTrailer), a body that ends early or does not match `decodedLength` (IncompleteBody), or
 * a chunk or trailer signature that does not match (SignatureDoesNotMatch). Trailer headers
 * (`x-amz-checksum-crc32: …`) are collected in `trailers` for the consumer to check at the end.
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailer headers by lower-case name, complete once the stream has ended. */
  readonly trailers = new Map<string, string>();
  private state: State = 'size';
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private decoded = 0;
  private trailerBytes = 0;
  private trailerText = '';
  private chunkSignature: string | undefined;
  private previousSignature: string | undefined;
  private chunkHash: Hash | undefined;

  constructor(private readonly options: AwsChunkedOptions) {
    super({ readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    this.previousSignature = options.signing?.seedSignature;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // Lenient about a missing final blank line after the zero-size chunk when nothing else follows.
    if (this.state === 'trailer' && this.pending.length === 0 && this.trailers.size === 0) this.state = 'done';
    if (this.state !== 'done') return callback(new IncompleteBody());
    if (this.options.decodedLength !== undefined && this.decoded !== this.options.decodedLength) return callback(new IncompleteBody());
    callback();
  }

  private consume(input: Buffer): void {
    let offset = 0;
    while (offset < input.length) {
      switch (this.state) {
        case 'size':
        case 'data-end':
        case 'trailer': {
          const end = input.indexOf(0x0a, offset);
          if (end === -1) return this.appendPending(input.subarray(offset));
          const line = this.takeLine(input.subarray(offset, end + 1));
          offset = end + 1;
          this.onLine(line);
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, input.length - offset);
          const slice = input.subarray(offset, offset + take);
          offset += take;
          this.remaining -= take;
          this.decoded += take;
          if (this.options.decodedLength !== undefined && this.decoded > this.options.decodedLength) throw new IncompleteBody();
          this.chunkHash?.update(slice);
          this.push(slice);
          if (this.remaining === 0) {
            this.verifyChunk();
            this.state = 'data-end';
          }
          break;
        }
        case 'done':
          if (input.subarray(offset).some((byte) => byte !== 0x0d && byte !== 0x0a)) throw new MalformedChunkedEncoding('data after the final chunk');
          return;
      }
    }
  }

  private appendPending(bytes: Buffer): void {
    this.pending = this.pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.pending, bytes]);
    if (this.pending.length > maxLineBytes) throw new MalformedChunkedEncoding('chunk header line too long');
  }

  /** The line ending in `tail` (which includes its LF) plus any pending bytes, without CRLF. */
  private takeLine(tail: Buffer): string {
    const whole = this.pending.length === 0 ? tail : Buffer.concat([this.pending, tail]);
    this.pending = Buffer.alloc(0);
    if (whole.length > maxLineBytes) throw new MalformedChunkedEncoding('chunk header line too long');
    if (whole.length < 2 || whole[whole.length - 2] !== 0x0d) throw new MalformedChunkedEncoding('line does not end in CRLF');
    return whole.subarray(0, whole.length - 2).toString('latin1');
  }

  /** A whole line in a line state: a chunk header, the CRLF after chunk data, or a trailer. */
  private onLine(line: string): void {
    if (this.state === 'size') this.onSizeLine(line);
    else if (this.state === 'trailer') this.onTrailerLine(line);
    else {
      if (line !== '') throw new MalformedChunkedEncoding('chunk data is not followed by CRLF');
      this.state = 'size';
    }
  }

  private onSizeLine(line: string): void {
    const match = /^([0-9a-fA-F]{1,15})(?:;chunk-signature=([0-9a-f]{64}))?[ \t]*$/.exec(line);
    if (!match?.[1]) throw new MalformedChunkedEncoding('bad chunk size line');
    const size = Number.parseInt(match[1], 16);
    this.chunkSignature = match[2];
    if (this.options.signed && this.chunkSignature === undefined) throw new SignatureDoesNotMatch('The chunk signature is missing.');
    this.chunkHash = this.options.signing && this.options.signed ? createHash('sha256') : undefined;
    if (size === 0) {
      this.verifyChunk();
      this.state = 'trailer';
      return;
    }
    this.remaining = size;
    this.state = 'data';
  }

  private onTrailerLine(line: string): void {
    if (line === '') {
      this.verifyTrailerSignature();
      this.state = 'done';
      return;
    }
    this.trailerBytes += line.length;
    if (this.trailerBytes > maxTrailerBytes) throw new MalformedTrailer();
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedTrailer();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.trailers.set(name, value);
      return;
    }
    if (this.trailers.has('x-amz-trailer-signature')) throw new MalformedTrailer();
    this.trailers.set(name, value);
    this.trailerText += `${name}:${value}\n`;
  }

  private hmac(stringToSign: string): string {
    return createHmac('sha256', this.options.signing?.key ?? Buffer.alloc(0))
      .update(stringToSign)
      .digest('hex');
  }

  private verifyChunk(): void {
    const signing = this.options.signing;
    if (!signing || !this.options.signed) return;
    const dataHash = this.chunkHash?.digest('hex') ?? emptySha256;
    const expected = this.hmac(['AWS4-HMAC-SHA256-PAYLOAD', signing.amzDate, signing.scope, this.previousSignature ?? '', emptySha256, dataHash].join('\n'));
    if (expected !== this.chunkSignature) throw new SignatureDoesNotMatch();
    this.previousSignature = expected;
  }

  private verifyTrailerSignature(): void {
    const signing = this.options.signing;
    const given = this.trailers.get('x-amz-trailer-signature');
    this.trailers.delete('x-amz-trailer-signature');
    if (!signing || !this.options.signed) return;
    if (given === undefined) {
      if (this.trailers.size > 0) throw new SignatureDoesNotMatch('The trailer signature is missing.');
      return;
    }
    const trailerHash = createHash('sha256').update(this.trailerText).digest('hex');
    const expected = this.hmac(['AWS4-HMAC-SHA256-TRAILER', signing.amzDate, signing.scope, this.previousSignature ?? '', trailerHash].join('\n'));
    if (expected !== given) throw new SignatureDoesNotMatch();
  }
}
