import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ObjectStore } from '../../objectstore/index.js';
import type { AuthResult } from '../protocol/authenticator.js';
import type { S3Address } from './s3-address.js';

/** The S3 service's slice of the configuration. */
export interface S3Settings {
  /** Region returned by GetBucketLocation and `x-amz-bucket-region`. */
  readonly region: string;
  /** Account that owns every bucket (`x-amz-expected-bucket-owner` must match it). */
  readonly accountId: string;
  /** Largest single PUT or part, in bytes (S3: 5 GiB). */
  readonly maxObjectBytes: number;
  /** Largest XML request body (DeleteObjects, CompleteMultipartUpload), in bytes. */
  readonly maxXmlBytes: number;
  /** Extra host names for virtual-hosted-style addressing (`<bucket>.<base>`). */
  readonly virtualHostBases?: readonly string[];
}

/** Everything an operation handler needs for one request. */
export interface S3Context {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly requestId: string;
  readonly address: S3Address;
  readonly auth: AuthResult;
  readonly store: ObjectStore;
  readonly settings: S3Settings;
}

/** A context for a request that names a bucket. */
export interface BucketContext extends S3Context {
  readonly bucket: string;
}

/** A context for a request that names a key. */
export interface ObjectContext extends BucketContext {
  readonly key: string;
}

/** An operation: answers the request through `context.reply`. */
export type S3Operation<C extends S3Context = S3Context> = (context: C) => Promise<void>;

/** The canonical user that owns everything: a stable 64-hex id derived from the account. */
export function ownerOf(settings: S3Settings): { id: string; displayName: string } {
  return { id: createHash('sha256').update(`salvia:${settings.accountId}`).digest('hex'), displayName: 'salvia' };
}

/** One request header as a single string. */
export function headerOf(context: S3Context, name: string): string | undefined {
  const value = context.request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
