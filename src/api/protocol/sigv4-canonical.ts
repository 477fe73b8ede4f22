import { createHash, createHmac } from 'node:crypto';

// The pure parts of Signature Version 4: canonical request, string to sign, key derivation and
// the chunk/trailer signatures of S3's streaming uploads. No I/O, no clock.

/** `AWS4-HMAC-SHA256`, the only algorithm Salvia verifies. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** Hex SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The payload hash presigned S3 URLs (and S3 clients that skip hashing) sign. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * AWS's URI encoding: every byte except the unreserved `A-Za-z0-9-_.~` as `%XX` (upper-case hex);
 * `/` too unless `keepSlash`.
 */
export function uriEncode(value: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Decodes `%XX` escapes (only those: `+` stays a plus); malformed escapes are kept verbatim. */
export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    // A stray `%`: decode the well-formed escapes one UTF-8 sequence at a time.
    return value.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Removes empty, `.` and `..` segments as RFC 3986 does, keeping a leading and a trailing slash. */
function normalizePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const joined = segments.join('/');
  return `/${joined}${joined !== '' && path.endsWith('/') ? '/' : ''}`;
}

/**
 * Canonical URIs a request's path may have been signed with. S3 signs the path exactly as sent
 * (already URI-encoded once); every other service normalises it and encodes it again (the
 * "double encoding" of the SigV4 spec). Second candidates, tried only when the first does not
 * verify: for S3 a re-encoding of the decoded path (clients that send characters unencoded which
 * they encode when signing); for the others the normalised path encoded once (curl's
 * `--aws-sigv4` signs it so). Either still needs the secret, so nothing is weakened.
 */
export function canonicalUris(rawPath: string, service: string): string[] {
  const path = rawPath === '' ? '/' : rawPath;
  if (service === 's3') {
    const reencoded = uriEncode(percentDecode(path), true);
    return reencoded === path ? [path] : [path, reencoded];
  }
  const normalized = normalizePath(path);
  const doubled = uriEncode(normalized, true);
  const once = uriEncode(percentDecode(normalized), true);
  return doubled === once ? [doubled] : [doubled, once];
}

/**
 * The canonical query string: parameters decoded, re-encoded with {@link uriEncode}, sorted by
 * name then value, `X-Amz-Signature` left out.
 */
export function canonicalQuery(rawQuery: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = uriEncode(percentDecode(eq < 0 ? part : part.slice(0, eq)));
    if (name.toLowerCase() === 'x-amz-signature') continue;
    const value = eq < 0 ? '' : uriEncode(percentDecode(part.slice(eq + 1)));
    pairs.push([name, value]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header value as SigV4 canonicalises it: trimmed, runs of spaces collapsed to one. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/**
 * Canonical header block (`name:value\n` per signed header) from Node's `rawHeaders`
 * (name/value pairs as received; repeated headers are joined with `,`).
 * Returns `{ missing }` naming the first signed header the request does not carry.
 */
export function canonicalHeaders(rawHeaders: readonly string[], signedHeaders: readonly string[]): { block: string } | { missing: string } {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const list = values.get(name) ?? [];
    list.push(canonicalHeaderValue(rawHeaders[i + 1] ?? ''));
    values.set(name, list);
  }
  let block = '';
  for (const name of signedHeaders) {
    const list = values.get(name);
    if (list === undefined) return { missing: name };
    block += `${name}:${list.join(',')}\n`;
  }
  return { block };
}

/** What a canonical request is built from. */
export interface CanonicalRequestParts {
  readonly method: string;
  readonly canonicalUri: string;
  readonly canonicalQuery: string;
  readonly canonicalHeaders: string;
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
}

/** The canonical request: method, URI, query, headers, blank line, signed-header list, payload hash. */
export function canonicalRequest(parts: CanonicalRequestParts): string {
  return [parts.method, parts.canonicalUri, parts.canonicalQuery, parts.canonicalHeaders, parts.signedHeaders.join(';'), parts.payloadHash].join('\n');
}

/** `AWS4-HMAC-SHA256\n<amzDate>\n<scope>\n<hex sha256(canonical request)>`. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/**
 * The SigV4 signing key: HMAC chain over `AWS4<secret>`, date (`yyyymmdd`), region, service and
 * `aws4_request`.
 */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** Hex HMAC-SHA256 of a string to sign under a signing key. */
export function sign(signingKey: Buffer, text: string): string {
  return createHmac('sha256', signingKey).update(text, 'utf8').digest('hex');
}

/** What a chunk of an `aws-chunked` S3 upload is signed with. */
export interface ChunkSigningContext {
  readonly signingKey: Buffer;
  /** The request's `X-Amz-Date`. */
  readonly amzDate: string;
  /** Credential scope `yyyymmdd/region/s3/aws4_request`. */
  readonly scope: string;
}

/**
 * The signature of one chunk of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` upload: string to sign
 * `AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n<previous signature>\n<sha256("")>\n<sha256(chunk)>`.
 * The first chunk's previous signature is the request's seed signature; the final, empty chunk is
 * signed too. `chunk` may be the data or its hex SHA-256 (`{ hash }`), for callers that hash
 * incrementally.
 */
export function chunkSignature(context: ChunkSigningContext, previousSignature: string, chunk: Uint8Array | { readonly hash: string }): string {
  const hash = chunk instanceof Uint8Array ? sha256Hex(chunk) : chunk.hash;
  return sign(context.signingKey, `${SIGV4_ALGORITHM}-PAYLOAD\n${context.amzDate}\n${context.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${hash}`);
}

/**
 * The signature of the trailing headers of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` upload:
 * string to sign `AWS4-HMAC-SHA256-TRAILER\n<date>\n<scope>\n<last chunk signature>\n<sha256(trailer)>`,
 * where `trailer` is the trailer lines as sent (`name:value\n` each, without `x-amz-trailer-signature`).
 */
export function trailerSignature(context: ChunkSigningContext, previousSignature: string, trailer: string): string {
  return sign(context.signingKey, `${SIGV4_ALGORITHM}-TRAILER\n${context.amzDate}\n${context.scope}\n${previousSignature}\n${sha256Hex(trailer)}`);
}
