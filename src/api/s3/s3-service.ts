import type { FastifyReply, FastifyRequest } from 'fastify';
import { AwsError } from '../../errors/index.js';
import type { ObjectStore } from '../../objectstore/index.js';
import type { HttpService } from '../http-service.js';
import type { Authenticator } from '../protocol/authenticator.js';
import { assertBucketCanExist, checkExpectedOwner } from './bucket-operations.js';
import { parseS3Address, type S3Address } from './s3-address.js';
import { authenticateS3 } from './s3-auth.js';
import type { S3Context, S3Settings } from './s3-context.js';
import { routeS3 } from './s3-router.js';
import { sendS3Error } from './s3-responses.js';

/** What the S3 service is built from besides its settings. */
export interface S3ServiceDependencies {
  readonly objectStore: ObjectStore;
  /**
   * SigV4 checks (header and presigned forms). When absent every request is accepted
   * anonymously and streaming chunk signatures are parsed but not verified.
   */
  readonly authenticator?: Authenticator;
}

/** Defaults for the S3 service's limits. */
export const defaultS3Limits = { maxObjectBytes: 5 * 1024 ** 3, maxXmlBytes: 2 * 1024 * 1024 } as const;

/** S3's own code for a server fault. */
class InternalError extends AwsError {
  constructor(cause: unknown) {
    super('InternalError', 500, 'We encountered an internal error. Please try again.', { cause });
  }
}

/** `/bucket/key` for the `<Resource>` of an error. */
function resourceOf(address: S3Address | undefined): string {
  if (!address?.bucket) return '/';
  return `/${address.bucket}${address.key !== undefined ? `/${address.key}` : ''}`;
}

/**
 * The S3 REST API over the ObjectStore port: path-style and virtual-hosted-style addressing,
 * buckets, objects, listings, multipart uploads, presigned URLs and every body encoding current
 * SDKs send. Every failure is answered in S3's XML error form (bare status for HEAD).
 */
export class S3Service implements HttpService {
  readonly name = 's3';

  constructor(
    private readonly settings: S3Settings,
    private readonly dependencies: S3ServiceDependencies,
  ) {}

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const requestId = String(request.id).replace(/-/g, '').toUpperCase();
    let address: S3Address | undefined;
    try {
      address = parseS3Address(request.raw.url ?? '/', request.headers.host, this.settings);
      const auth = authenticateS3(this.dependencies.authenticator, request.raw);
      const route = routeS3(request.method, address, request.headers['x-amz-copy-source'] !== undefined);
      const context: S3Context = { request, reply, requestId, address, auth, store: this.dependencies.objectStore, settings: this.settings };
      if (route.level === 'service') return await route.run(context);
      const bucket = address.bucket ?? '';
      if (!(route.level === 'bucket' && request.method === 'PUT')) assertBucketCanExist(bucket);
      checkExpectedOwner(context);
      if (route.level === 'bucket') return await route.run({ ...context, bucket });
      return await route.run({ ...context, bucket, key: address.key ?? '' });
    } catch (error) {
      const awsError = error instanceof AwsError ? error : new InternalError(error);
      if (!(error instanceof AwsError)) request.log.error({ err: error }, 's3: unhandled error');
      if (reply.sent || reply.raw.headersSent) {
        reply.raw.destroy();
        return;
      }
      sendS3Error(reply, awsError, requestId, resourceOf(address));
    }
  }
}

/** Builds the S3 service from the platform configuration (region, account) with S3's default limits. */
export function createS3Service(config: { readonly region: string; readonly accountId: string }, dependencies: S3ServiceDependencies): S3Service {
  return new S3Service({ region: config.region, accountId: config.accountId, ...defaultS3Limits }, dependencies);
}
