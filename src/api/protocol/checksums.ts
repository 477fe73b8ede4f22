import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';

/** The flexible-checksum algorithms S3 accepts (`x-amz-checksum-<algorithm>`). */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

/** Every algorithm, in the order S3 documents them. */
export const checksumAlgorithms: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** An incremental hash whose digest is the raw bytes (base64 them for the wire). */
export interface Hasher {
  update(data: Buffer): void;
  digest(): Promise<Buffer>;
}

/** `x-amz-checksum-crc32` → `CRC32`; undefined for any other header name. */
export function checksumAlgorithmOfHeader(header: string): ChecksumAlgorithm | undefined {
  const match = /^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/i.exec(header.trim());
  return match?.[1] ? (match[1].toUpperCase() as ChecksumAlgorithm) : undefined;
}

/** The header (and trailer) name of an algorithm: `CRC32` → `x-amz-checksum-crc32`. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** Digest length in bytes, to check that a client's base64 value is even plausible. */
export function checksumLength(algorithm: ChecksumAlgorithm): number {
  switch (algorithm) {
    case 'CRC32':
    case 'CRC32C':
      return 4;
    case 'CRC64NVME':
      return 8;
    case 'SHA1':
      return 20;
    case 'SHA256':
      return 32;
  }
}

/** CRC32 through zlib's native implementation (Node ≥ 20.15), else the SDK's. */
class ZlibCrc32 implements Hasher {
  private value = 0;
  update(data: Buffer): void {
    this.value = zlib.crc32(data, this.value);
  }
  async digest(): Promise<Buffer> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return out;
  }
}

/** Adapts one of the AWS SDK's own checksum classes, so our values agree with what SDKs compute. */
class SdkChecksum implements Hasher {
  constructor(private readonly inner: { update(data: Uint8Array): void; digest(): Promise<Uint8Array> }) {}
  update(data: Buffer): void {
    this.inner.update(data);
  }
  async digest(): Promise<Buffer> {
    const bytes = await this.inner.digest();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

class NodeHash implements Hasher {
  private readonly hash;
  constructor(algorithm: 'md5' | 'sha1' | 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(data: Buffer): void {
    this.hash.update(data);
  }
  async digest(): Promise<Buffer> {
    return this.hash.digest();
  }
}

const hasNativeCrc32 = typeof (zlib as { crc32?: unknown }).crc32 === 'function';

/** A fresh hasher for a flexible-checksum algorithm. */
export function createChecksumHasher(algorithm: ChecksumAlgorithm): Hasher {
  switch (algorithm) {
    case 'CRC32':
      return hasNativeCrc32 ? new ZlibCrc32() : new SdkChecksum(new Crc32());
    case 'CRC32C':
      return new SdkChecksum(new Crc32c());
    case 'CRC64NVME':
      return new SdkChecksum(new Crc64Nvme());
    case 'SHA1':
      return new NodeHash('sha1');
    case 'SHA256':
      return new NodeHash('sha256');
  }
}

/** A fresh MD5 hasher (Content-MD5, ETags). */
export function createMd5Hasher(): Hasher {
  return new NodeHash('md5');
}

/** A fresh SHA-256 hasher (`x-amz-content-sha256`). */
export function createSha256Hasher(): Hasher {
  return new NodeHash('sha256');
}

/** True when `value` is canonical base64 that decodes to exactly `length` bytes. */
export function isBase64OfLength(value: string, length: number): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return false;
  return Buffer.from(value, 'base64').length === length;
}
