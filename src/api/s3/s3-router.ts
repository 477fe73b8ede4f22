import { InvalidArgument, MethodNotAllowed, NotImplemented } from '../../errors/index.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './bucket-operations.js';
import { deletableConfiguration, deleteBucketConfiguration, getBucketConfiguration, readableConfiguration } from './bucket-configuration.js';
import { deleteObjects } from './delete-objects.js';
import { listObjectVersions, listObjectsV1, listObjectsV2 } from './list-objects.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './multipart-operations.js';
import { getObject } from './object-read.js';
import { getObjectAcl, getObjectTagging } from './object-subresources.js';
import { copyObject, deleteObject, putObject } from './object-write.js';
import type { S3Address } from './s3-address.js';
import type { BucketContext, ObjectContext, S3Context } from './s3-context.js';

/**
 * Query parameters that select a sub-resource (another operation) in S3. A request naming one that
 * Salvia does not serve is answered NotImplemented rather than as the plain operation; other
 * parameters (`x-id`, `X-Amz-*`, `response-*`, listing options) are not sub-resources.
 */
const subresources = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metadataConfiguration',
  'metadataTable',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'renameObject',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
  'partNumber',
  'abac',
]);

/** The operation that answers one request. */
export type Route =
  | { readonly level: 'service'; readonly run: (context: S3Context) => Promise<void> }
  | { readonly level: 'bucket'; readonly run: (context: BucketContext) => Promise<void> }
  | { readonly level: 'object'; readonly run: (context: ObjectContext) => Promise<void> };

function unsupported(method: string, names: readonly string[], level: string): never {
  if (names.length > 0) throw new NotImplemented(`${method} ${level}?${names.join('&')}`);
  throw new MethodNotAllowed(method);
}

/**
 * Picks the operation from method, address level (service, bucket, object), sub-resource and
 * `x-amz-copy-source`. Throws NotImplemented for sub-resources Salvia does not serve and
 * MethodNotAllowed for methods a resource does not have.
 */
export function routeS3(method: string, address: S3Address, hasCopySource: boolean): Route {
  const query = address.query;
  const version = query.get('versionId');
  if (version !== undefined && version !== 'null') throw new InvalidArgument('Invalid version id specified', 'versionId', version);
  const named = [...query.keys()].filter((name) => subresources.has(name));
  const only = (...allowed: string[]): boolean => named.every((name) => allowed.includes(name));
  const has = (name: string): boolean => query.has(name);

  if (address.bucket === undefined) {
    if (method === 'GET' && named.length === 0) return { level: 'service', run: listBuckets };
    return unsupported(method, named, 'service');
  }
  if (address.key === undefined) {
    switch (method) {
      case 'GET': {
        if (has('uploads') && only('uploads')) return { level: 'bucket', run: listMultipartUploads };
        if (has('location') && only('location')) return { level: 'bucket', run: getBucketLocation };
        if (has('versions') && only('versions')) return { level: 'bucket', run: listObjectVersions };
        const configuration = named.length === 1 ? readableConfiguration(query) : undefined;
        if (configuration) return { level: 'bucket', run: (context) => getBucketConfiguration(context, configuration) };
        if (named.length > 0) return unsupported(method, named, 'bucket');
        const listType = query.get('list-type');
        if (listType === '2') return { level: 'bucket', run: listObjectsV2 };
        if (listType !== undefined) throw new InvalidArgument('Invalid List Type specified in Request', 'list-type', listType);
        return { level: 'bucket', run: listObjectsV1 };
      }
      case 'HEAD':
        return { level: 'bucket', run: headBucket };
      case 'PUT':
        if (named.length === 0) return { level: 'bucket', run: createBucket };
        return unsupported(method, named, 'bucket');
      case 'DELETE':
        if (named.length === 0) return { level: 'bucket', run: deleteBucket };
        if (named.length === 1 && deletableConfiguration(query)) return { level: 'bucket', run: deleteBucketConfiguration };
        return unsupported(method, named, 'bucket');
      case 'POST':
        if (has('delete') && only('delete')) return { level: 'bucket', run: deleteObjects };
        if (named.length === 0) throw new NotImplemented('POST Object (browser form uploads)');
        return unsupported(method, named, 'bucket');
      default:
        throw new MethodNotAllowed(method);
    }
  }
  switch (method) {
    case 'GET':
      if (has('uploadId') && only('uploadId')) return { level: 'object', run: listParts };
      if (has('acl') && only('acl', 'versionId')) return { level: 'object', run: getObjectAcl };
      if (has('tagging') && only('tagging', 'versionId')) return { level: 'object', run: getObjectTagging };
      if (only('versionId', 'partNumber')) return { level: 'object', run: getObject };
      return unsupported(method, named, 'object');
    case 'HEAD':
      if (only('versionId', 'partNumber')) return { level: 'object', run: getObject };
      return unsupported(method, named, 'object');
    case 'PUT':
      if (has('partNumber') && has('uploadId') && only('partNumber', 'uploadId')) return { level: 'object', run: hasCopySource ? uploadPartCopy : uploadPart };
      if (named.length === 0) return { level: 'object', run: hasCopySource ? copyObject : putObject };
      return unsupported(method, named, 'object');
    case 'DELETE':
      if (has('uploadId') && only('uploadId')) return { level: 'object', run: abortMultipartUpload };
      if (only('versionId')) return { level: 'object', run: deleteObject };
      return unsupported(method, named, 'object');
    case 'POST':
      if (has('uploads') && only('uploads')) return { level: 'object', run: createMultipartUpload };
      if (has('uploadId') && only('uploadId')) return { level: 'object', run: completeMultipartUpload };
      return unsupported(method, named, 'object');
    default:
      throw new MethodNotAllowed(method);
  }
}
