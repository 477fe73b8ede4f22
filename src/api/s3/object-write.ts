import { InvalidArgument, InvalidRequest, NoSuchKey, PreconditionFailed } from '../../errors/index.js';
import type { ObjectInfo, ObjectMetadata } from '../../objectstore/index.js';
import { xmlDocument, xmlLeaf } from '../protocol/s3-xml.js';
import { checkConditions, type Conditions } from './conditions.js';
import { checksumHeaders, metadataFromHeaders } from './object-headers.js';
import { decodeRequestBody } from './request-body.js';
import { decodeUriPart } from './s3-address.js';
import { headerOf, type ObjectContext, type S3Context } from './s3-context.js';
import { assertKey } from './s3-names.js';
import { sendEmpty, sendXml } from './s3-responses.js';

/** `If-None-Match: *` / `If-Match: <etag>` on a write (S3 conditional writes). */
async function checkWriteConditions(context: ObjectContext): Promise<void> {
  const ifNoneMatch = headerOf(context, 'if-none-match');
  const ifMatch = headerOf(context, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  const existing = await context.store.headObject(context.bucket, context.key).catch((error: unknown) => {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  });
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() === '*' && existing) throw new PreconditionFailed('If-None-Match');
  if (ifMatch !== undefined) {
    if (!existing) throw new NoSuchKey(context.key);
    checkConditions(existing, { ifMatch });
  }
}

/** Response headers after a write: ETag, checksum, encryption. */
export function writeHeaders(context: S3Context, info: { etag: string; checksum?: ObjectInfo['checksum'] }): Record<string, string> {
  return {
    etag: info.etag,
    ...checksumHeaders(info.checksum),
    'x-amz-server-side-encryption': headerOf(context, 'x-amz-server-side-encryption') ?? 'AES256',
  };
}

/**
 * PUT /bucket/key: streams the body (any encoding SDKs send) through verification into the
 * store. A body that fails verification is answered with its error and stores nothing.
 */
export async function putObject(context: ObjectContext): Promise<void> {
  assertKey(context.key);
  const base = metadataFromHeaders(context.request.headers);
  const body = decodeRequestBody(context.request.raw, context.auth, context.settings.maxObjectBytes);
  let info: ObjectInfo;
  try {
    await checkWriteConditions(context);
    info = await context.store.putObject(context.bucket, context.key, {
      body: body.stream,
      ...(body.declaredLength !== undefined ? { contentLength: body.declaredLength } : {}),
      metadata: (): ObjectMetadata => {
        const checksum = body.checksum();
        return checksum ? { ...base, checksum } : base;
      },
    });
  } catch (error) {
    throw body.failure() ?? error;
  }
  sendEmpty(context, 200, writeHeaders(context, info));
}

/** `x-amz-copy-source` (`/bucket/key` or `bucket/key`, URL-encoded, optional `?versionId=null`). */
export function parseCopySource(context: S3Context): { bucket: string; key: string } {
  const raw = headerOf(context, 'x-amz-copy-source') ?? '';
  const [path = '', version] = raw.split('?versionId=');
  if (version !== undefined && version !== 'null') throw new InvalidArgument('Invalid version id specified', 'x-amz-copy-source', raw);
  const decoded = decodeUriPart(path).replace(/^\//, '');
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1)
    throw new InvalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', raw);
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

/** `x-amz-copy-source-if-*` headers. */
export function copySourceConditions(context: S3Context): Conditions {
  const conditions: Record<string, string> = {};
  for (const [field, name] of [
    ['ifMatch', 'x-amz-copy-source-if-match'],
    ['ifNoneMatch', 'x-amz-copy-source-if-none-match'],
    ['ifModifiedSince', 'x-amz-copy-source-if-modified-since'],
    ['ifUnmodifiedSince', 'x-amz-copy-source-if-unmodified-since'],
  ] as const) {
    const value = headerOf(context, name);
    if (value !== undefined) conditions[field] = value;
  }
  return conditions;
}

/** PUT /bucket/key with `x-amz-copy-source`: MetadataDirective COPY (default) or REPLACE. */
export async function copyObject(context: ObjectContext): Promise<void> {
  assertKey(context.key);
  context.request.raw.resume();
  const source = parseCopySource(context);
  const directive = (headerOf(context, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw new InvalidArgument('Unknown metadata directive.', 'MetadataDirective', directive);
  const replacement = directive === 'REPLACE' ? metadataFromHeaders(context.request.headers) : undefined;
  const sourceInfo = await context.store.headObject(source.bucket, source.key);
  checkConditions(sourceInfo, copySourceConditions(context), true);
  if (source.bucket === context.bucket && source.key === context.key && !replacement && headerOf(context, 'x-amz-storage-class') === undefined) {
    throw new InvalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const metadata = replacement && sourceInfo.checksum ? { ...replacement, checksum: sourceInfo.checksum } : replacement;
  const info = await context.store.copyObject(source, { bucket: context.bucket, key: context.key }, metadata);
  const checksum = info.checksum && info.checksum.type === 'FULL_OBJECT' ? xmlLeaf(`Checksum${info.checksum.algorithm}`, info.checksum.value) : '';
  sendXml(context, xmlDocument('CopyObjectResult', [xmlLeaf('LastModified', info.lastModified), xmlLeaf('ETag', info.etag), checksum]), 200, {
    'x-amz-server-side-encryption': 'AES256',
  });
}

/** DELETE /bucket/key — 204 whether or not the key existed. */
export async function deleteObject(context: ObjectContext): Promise<void> {
  await context.store.deleteObject(context.bucket, context.key);
  sendEmpty(context, 204);
}
