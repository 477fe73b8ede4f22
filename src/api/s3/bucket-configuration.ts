import { NoSuchBucketConfiguration } from '../../errors/index.js';
import { xmlDocument, xmlLeaf, xmlNode } from '../protocol/s3-xml.js';
import { ownerOf, type BucketContext, type S3Context } from './s3-context.js';
import { sendEmpty, sendXml } from './s3-responses.js';

/** The `<AccessControlPolicy>` every bucket and object has: the owner with FULL_CONTROL. */
export function ownerOnlyAcl(context: S3Context): string {
  const owner = ownerOf(context.settings);
  const ownerXml = [xmlLeaf('ID', owner.id), xmlLeaf('DisplayName', owner.displayName)];
  return xmlDocument('AccessControlPolicy', [
    xmlNode('Owner', ownerXml),
    xmlNode('AccessControlList', [
      `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${ownerXml.join('')}</Grantee><Permission>FULL_CONTROL</Permission></Grant>`,
    ]),
  ]);
}

/** Answers for bucket sub-resources that always hold S3's default (never-configured) value. */
const defaults: Readonly<Record<string, (context: BucketContext) => string | NoSuchBucketConfiguration>> = {
  versioning: () => xmlDocument('VersioningConfiguration', []),
  acl: (context) => ownerOnlyAcl(context),
  policy: (context) => new NoSuchBucketConfiguration('NoSuchBucketPolicy', 'The bucket policy does not exist', context.bucket),
  policyStatus: () => xmlDocument('PolicyStatus', [xmlLeaf('IsPublic', 'false')]),
  tagging: (context) => new NoSuchBucketConfiguration('NoSuchTagSet', 'The TagSet does not exist', context.bucket),
  cors: (context) => new NoSuchBucketConfiguration('NoSuchCORSConfiguration', 'The CORS configuration does not exist', context.bucket),
  lifecycle: (context) => new NoSuchBucketConfiguration('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', context.bucket),
  website: (context) =>
    new NoSuchBucketConfiguration('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration', context.bucket),
  replication: (context) =>
    new NoSuchBucketConfiguration('ReplicationConfigurationNotFoundError', 'The replication configuration was not found', context.bucket),
  publicAccessBlock: (context) =>
    new NoSuchBucketConfiguration('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', context.bucket),
  'object-lock': (context) =>
    new NoSuchBucketConfiguration('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket', context.bucket),
  encryption: () =>
    xmlDocument('ServerSideEncryptionConfiguration', [
      xmlNode('Rule', [xmlNode('ApplyServerSideEncryptionByDefault', [xmlLeaf('SSEAlgorithm', 'AES256')]), xmlLeaf('BucketKeyEnabled', 'false')]),
    ]),
  ownershipControls: () => xmlDocument('OwnershipControls', [xmlNode('Rule', [xmlLeaf('ObjectOwnership', 'BucketOwnerEnforced')])]),
  accelerate: () => xmlDocument('AccelerateConfiguration', []),
  requestPayment: () => xmlDocument('RequestPaymentConfiguration', [xmlLeaf('Payer', 'BucketOwner')]),
  logging: () => xmlDocument('BucketLoggingStatus', []),
  notification: () => xmlDocument('NotificationConfiguration', []),
};

/** Sub-resources whose DELETE is a no-op success because nothing can be configured. */
const deletable = new Set(['policy', 'tagging', 'cors', 'lifecycle', 'website', 'replication', 'publicAccessBlock', 'encryption', 'ownershipControls']);

/** The sub-resource of `query` a GET answers with a default, if any. */
export function readableConfiguration(query: ReadonlyMap<string, string>): string | undefined {
  return Object.keys(defaults).find((name) => query.has(name));
}

/** The sub-resource of `query` a DELETE accepts as a no-op, if any. */
export function deletableConfiguration(query: ReadonlyMap<string, string>): string | undefined {
  return [...deletable].find((name) => query.has(name));
}

/** GET /bucket?<sub-resource> for a never-configured setting. */
export async function getBucketConfiguration(context: BucketContext, name: string): Promise<void> {
  await context.store.headBucket(context.bucket);
  const answer = defaults[name]?.(context);
  if (answer === undefined || typeof answer !== 'string') throw answer ?? new Error(`no default for ${name}`);
  sendXml(context, answer);
}

/** DELETE /bucket?<sub-resource>: nothing is configured, so 204. */
export async function deleteBucketConfiguration(context: BucketContext): Promise<void> {
  await context.store.headBucket(context.bucket);
  sendEmpty(context, 204);
}
