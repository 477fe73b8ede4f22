import { InvalidArgument } from '../../errors/index.js';
import type { ListObjectsResult, ObjectInfo } from '../../objectstore/index.js';
import { xmlDocument, xmlLeaf, xmlNode } from '../protocol/s3-xml.js';
import { ownerOf, type BucketContext } from './s3-context.js';
import { sendXml } from './s3-responses.js';

/** S3's page size limit. */
const maxPage = 1000;

/** Parses `max-keys`-like parameters: 0…limit (larger values are capped), default `limit`. */
export function parseMaxItems(value: string | undefined, name: string, limit = maxPage): number {
  if (value === undefined || value === '') return limit;
  if (!/^-?\d{1,10}$/.test(value.trim()) || Number(value) > 2147483647)
    throw new InvalidArgument(`Provided ${name} not an integer or within integer range`, name, value);
  const number = Number(value);
  if (number < 0) throw new InvalidArgument(`Argument ${name} must be an integer between 0 and 2147483647`, name, value);
  return Math.min(number, limit);
}

/** `encoding-type=url`: keys and prefixes URL-encoded (keeping `/`), for keys XML cannot carry. */
export function keyEncoder(encodingType: string | undefined): (text: string) => string {
  if (encodingType === undefined) return (text) => text;
  if (encodingType.toLowerCase() !== 'url') throw new InvalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
  return (text) => encodeURIComponent(text).replace(/%2F/g, '/');
}

const tokenPrefix = 'salvia-v1:';

function encodeToken(key: string): string {
  return Buffer.from(tokenPrefix + key).toString('base64url');
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_-]+$/.test(token) || !text.startsWith(tokenPrefix)) {
    throw new InvalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
  return text.slice(tokenPrefix.length);
}

function contentsXml(context: BucketContext, objects: readonly ObjectInfo[], encode: (text: string) => string, withOwner: boolean): string[] {
  const owner = ownerOf(context.settings);
  const ownerXml = withOwner ? xmlNode('Owner', [xmlLeaf('ID', owner.id), xmlLeaf('DisplayName', owner.displayName)]) : '';
  return objects.map((object) =>
    xmlNode('Contents', [
      xmlLeaf('Key', encode(object.key)),
      xmlLeaf('LastModified', object.lastModified),
      xmlLeaf('ETag', object.etag),
      object.checksum ? xmlLeaf('ChecksumAlgorithm', object.checksum.algorithm) + xmlLeaf('ChecksumType', object.checksum.type) : '',
      xmlLeaf('Size', object.size),
      ownerXml,
      xmlLeaf('StorageClass', 'STANDARD'),
    ]),
  );
}

function prefixesXml(result: ListObjectsResult, encode: (text: string) => string): string[] {
  return result.commonPrefixes.map((prefix) => xmlNode('CommonPrefixes', [xmlLeaf('Prefix', encode(prefix))]));
}

async function list(context: BucketContext, startAfter: string | undefined, maxKeys: number): Promise<ListObjectsResult> {
  const query = context.address.query;
  const prefix = query.get('prefix') || undefined;
  const delimiter = query.get('delimiter') || undefined;
  if (maxKeys === 0) {
    await context.store.headBucket(context.bucket);
    return { objects: [], commonPrefixes: [], isTruncated: false };
  }
  return context.store.listObjects(context.bucket, {
    ...(prefix !== undefined ? { prefix } : {}),
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(startAfter ? { startAfter } : {}),
    maxKeys,
  });
}

/** GET /bucket?list-type=2 — ListObjectsV2 with continuation tokens. */
export async function listObjectsV2(context: BucketContext): Promise<void> {
  const query = context.address.query;
  const encodingType = query.get('encoding-type');
  const encode = keyEncoder(encodingType);
  const maxKeys = parseMaxItems(query.get('max-keys'), 'max-keys');
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after');
  const after = token !== undefined ? decodeToken(token) : startAfter;
  const result = await list(context, after, maxKeys);
  const fetchOwner = query.get('fetch-owner') === 'true';
  const delimiter = query.get('delimiter');
  sendXml(
    context,
    xmlDocument('ListBucketResult', [
      xmlLeaf('Name', context.bucket),
      xmlLeaf('Prefix', encode(query.get('prefix') ?? '')),
      delimiter ? xmlLeaf('Delimiter', encode(delimiter)) : '',
      xmlLeaf('MaxKeys', maxKeys),
      encodingType !== undefined ? xmlLeaf('EncodingType', 'url') : '',
      xmlLeaf('KeyCount', result.objects.length + result.commonPrefixes.length),
      xmlLeaf('IsTruncated', result.isTruncated),
      token !== undefined ? xmlLeaf('ContinuationToken', token) : '',
      result.isTruncated && result.lastReturned !== undefined ? xmlLeaf('NextContinuationToken', encodeToken(result.lastReturned)) : '',
      startAfter !== undefined ? xmlLeaf('StartAfter', encode(startAfter)) : '',
      ...contentsXml(context, result.objects, encode, fetchOwner),
      ...prefixesXml(result, encode),
    ]),
  );
}

/** GET /bucket — ListObjects (v1) with marker; NextMarker when a delimiter is used. */
export async function listObjectsV1(context: BucketContext): Promise<void> {
  const query = context.address.query;
  const encodingType = query.get('encoding-type');
  const encode = keyEncoder(encodingType);
  const maxKeys = parseMaxItems(query.get('max-keys'), 'max-keys');
  const marker = query.get('marker') ?? '';
  const delimiter = query.get('delimiter');
  const result = await list(context, marker || undefined, maxKeys);
  sendXml(
    context,
    xmlDocument('ListBucketResult', [
      xmlLeaf('Name', context.bucket),
      xmlLeaf('Prefix', encode(query.get('prefix') ?? '')),
      xmlLeaf('Marker', encode(marker)),
      xmlLeaf('MaxKeys', maxKeys),
      delimiter ? xmlLeaf('Delimiter', encode(delimiter)) : '',
      encodingType !== undefined ? xmlLeaf('EncodingType', 'url') : '',
      xmlLeaf('IsTruncated', result.isTruncated),
      delimiter && result.isTruncated && result.lastReturned !== undefined ? xmlLeaf('NextMarker', encode(result.lastReturned)) : '',
      ...contentsXml(context, result.objects, encode, true),
      ...prefixesXml(result, encode),
    ]),
  );
}

/**
 * GET /bucket?versions — ListObjectVersions for an unversioned bucket: every object is its only
 * version, `null`, and the latest. Paginates by key (`key-marker`).
 */
export async function listObjectVersions(context: BucketContext): Promise<void> {
  const query = context.address.query;
  const encodingType = query.get('encoding-type');
  const encode = keyEncoder(encodingType);
  const maxKeys = parseMaxItems(query.get('max-keys'), 'max-keys');
  const keyMarker = query.get('key-marker') ?? '';
  const delimiter = query.get('delimiter');
  const result = await list(context, keyMarker || undefined, maxKeys);
  const owner = ownerOf(context.settings);
  sendXml(
    context,
    xmlDocument('ListVersionsResult', [
      xmlLeaf('Name', context.bucket),
      xmlLeaf('Prefix', encode(query.get('prefix') ?? '')),
      xmlLeaf('KeyMarker', encode(keyMarker)),
      xmlLeaf('VersionIdMarker', query.get('version-id-marker') ?? ''),
      result.isTruncated && result.lastReturned !== undefined
        ? xmlLeaf('NextKeyMarker', encode(result.lastReturned)) + xmlLeaf('NextVersionIdMarker', 'null')
        : '',
      xmlLeaf('MaxKeys', maxKeys),
      delimiter ? xmlLeaf('Delimiter', encode(delimiter)) : '',
      encodingType !== undefined ? xmlLeaf('EncodingType', 'url') : '',
      xmlLeaf('IsTruncated', result.isTruncated),
      ...result.objects.map((object) =>
        xmlNode('Version', [
          xmlLeaf('Key', encode(object.key)),
          xmlLeaf('VersionId', 'null'),
          xmlLeaf('IsLatest', true),
          xmlLeaf('LastModified', object.lastModified),
          xmlLeaf('ETag', object.etag),
          xmlLeaf('Size', object.size),
          xmlNode('Owner', [xmlLeaf('ID', owner.id), xmlLeaf('DisplayName', owner.displayName)]),
          xmlLeaf('StorageClass', 'STANDARD'),
        ]),
      ),
      ...prefixesXml(result, encode),
    ]),
  );
}
