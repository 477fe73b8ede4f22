import type { IncomingHttpHeaders } from 'node:http';
import { InvalidArgument, MetadataTooLarge, NotImplemented } from '../../errors/index.js';
import type { ObjectInfo, ObjectMetadata, StoredChecksum } from '../../objectstore/index.js';
import { checksumHeader } from '../protocol/checksums.js';

/** Stored as they come and given back on GET/HEAD. */
const storedHeaders = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires', 'x-amz-website-redirect-location'] as const;
/** S3's limit on the user-defined metadata of one object, names plus values, in bytes. */
const maxUserMetadataBytes = 2048;
/** What S3 stores when a PUT has no Content-Type. */
export const defaultContentType = 'binary/octet-stream';

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The metadata of a PUT, CopyObject (REPLACE) or CreateMultipartUpload from its headers:
 * Content-Type (default `binary/octet-stream`), `x-amz-meta-*` (names lower-cased, ≤ 2 KB) and
 * the other stored headers; `aws-chunked` is dropped from Content-Encoding. Throws
 * MetadataTooLarge, or NotImplemented for server-side encryption with customer keys.
 */
export function metadataFromHeaders(headers: IncomingHttpHeaders): ObjectMetadata {
  if (headers['x-amz-server-side-encryption-customer-algorithm'] !== undefined)
    throw new NotImplemented('x-amz-server-side-encryption-customer-algorithm (SSE-C)');
  const sse = single(headers, 'x-amz-server-side-encryption');
  if (sse !== undefined && !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(sse)) {
    throw new InvalidArgument('The encryption method specified is not supported', 'x-amz-server-side-encryption', sse);
  }
  const userMetadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    const text = Array.isArray(value) ? value.join(',') : value;
    userMetadata[key] = text;
    size += Buffer.byteLength(key) + Buffer.byteLength(text);
  }
  if (size > maxUserMetadataBytes) throw new MetadataTooLarge(size);
  const stored: Record<string, string> = {};
  for (const name of storedHeaders) {
    let value = single(headers, name);
    if (name === 'content-encoding' && value !== undefined) {
      value = value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '' && part.toLowerCase() !== 'aws-chunked')
        .join(', ');
    }
    if (value !== undefined && value !== '') stored[name] = value;
  }
  return { contentType: single(headers, 'content-type') ?? defaultContentType, userMetadata, headers: stored };
}

/** An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** Response headers naming a stored checksum (`x-amz-checksum-crc32`, `x-amz-checksum-type`). */
export function checksumHeaders(checksum: StoredChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [checksumHeader(checksum.algorithm)]: checksum.value, 'x-amz-checksum-type': checksum.type };
}

/**
 * A stored value as an HTTP header value: text outside Latin-1 (metadata written by other services
 * through the store) is sent RFC 2047-encoded, as S3 does, rather than making the response fail.
 */
function headerSafe(value: string): string {
  return /[^\t\u0020-\u007e\u0080-\u00ff]/.test(value) ? `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=` : value;
}

/** An HTTP token (RFC 9110), lower-case: what a header name may be. */
const headerName = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** `response-content-type` and friends of a GET that override stored headers. */
const responseOverrides: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/**
 * GET/HEAD response headers of an object: ETag, Last-Modified, Content-Type, stored headers,
 * `x-amz-meta-*`, and its checksum when `checksumMode` is set (and the whole object is sent).
 */
export function objectHeaders(info: ObjectInfo, options: { checksumMode: boolean; query?: ReadonlyMap<string, string> }): Record<string, string> {
  const headers: Record<string, string> = {
    etag: info.etag,
    'last-modified': httpDate(info.lastModified),
    'content-type': info.contentType ?? defaultContentType,
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  };
  for (const [name, value] of Object.entries(info.headers)) if (headerName.test(name)) headers[name] = headerSafe(value);
  headers['content-type'] = headerSafe(headers['content-type'] ?? defaultContentType);
  for (const [name, value] of Object.entries(info.userMetadata)) {
    if (headerName.test(name)) headers[`x-amz-meta-${name}`] = headerSafe(value);
  }
  if (options.checksumMode) Object.assign(headers, checksumHeaders(info.checksum));
  for (const [parameter, name] of Object.entries(responseOverrides)) {
    const value = options.query?.get(parameter);
    if (value === undefined) continue;
    if (/[^\t\u0020-\u007e\u0080-\u00ff]/.test(value)) throw new InvalidArgument('Header value contains characters that cannot be sent', parameter, value);
    headers[name] = value;
  }
  return headers;
}
