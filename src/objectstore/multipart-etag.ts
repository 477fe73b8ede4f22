import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { StoredChecksum } from './object-store.js';

/** A part's ETag as sent back to clients: `"<md5 hex>"`. */
export function quoteEtag(md5: Buffer): string {
  return `"${md5.toString('hex')}"`;
}

/** An ETag without its quotes (clients send both forms in CompleteMultipartUpload). */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^"+|"+$/g, '');
}

/** A multipart object's ETag: `"<md5 of the concatenated binary part MD5s>-<number of parts>"`. */
export function multipartEtag(partEtags: readonly string[]): string {
  const hash = createHash('md5');
  for (const etag of partEtags) hash.update(Buffer.from(unquoteEtag(etag), 'hex'));
  return `"${hash.digest('hex')}-${partEtags.length}"`;
}

let crc32cTable: Uint32Array | undefined;

function crc32c(data: Buffer): number {
  if (!crc32cTable) {
    crc32cTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      crc32cTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = (crc32cTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

/**
 * The checksum S3 gives a multipart object whose parts all carry a checksum of the same algorithm:
 * the algorithm over the concatenated binary part checksums, `-<N>` appended (type COMPOSITE).
 * Undefined when a part lacks one, algorithms differ, or the algorithm has no composite form (CRC64NVME).
 */
export function compositeChecksum(parts: readonly (StoredChecksum | undefined)[]): StoredChecksum | undefined {
  const first = parts[0];
  if (!first || parts.some((part) => part?.algorithm !== first.algorithm)) return undefined;
  const joined = Buffer.concat(parts.map((part) => Buffer.from(part?.value ?? '', 'base64')));
  let digest: Buffer;
  switch (first.algorithm) {
    case 'SHA1':
    case 'SHA256':
      digest = createHash(first.algorithm === 'SHA1' ? 'sha1' : 'sha256')
        .update(joined)
        .digest();
      break;
    case 'CRC32':
      digest = uint32(crc32(joined));
      break;
    case 'CRC32C':
      digest = uint32(crc32c(joined));
      break;
    case 'CRC64NVME':
      return undefined;
  }
  return { algorithm: first.algorithm, value: `${digest.toString('base64')}-${parts.length}`, type: 'COMPOSITE' };
}
