import { ValidationException } from '../../errors/index.js';
import type { ObjectStore } from '../../objectstore/index.js';
import type { ChannelObject } from './channel-object.js';
import { ChannelError } from './channel-error.js';
import { isFolderMarker, listAllObjects } from './list-prefix.js';
import { headAll, parseAugmentedManifest, parseManifest, readManifest, type AugmentedManifestLine } from './manifests.js';
import { formatS3Uri, parseS3Uri, type S3Location } from './s3-uri.js';

// shardObjects and downloadChannel are re-exported here: the agreed seam names this module for them.
export { shardObjects } from './shard-objects.js';
export { downloadChannel } from './download-channel.js';
export type { ChannelObject } from './channel-object.js';

/** The S3DataSource members that decide which objects a channel gets. */
export interface ChannelSource {
  S3DataType: string;
  S3Uri: string;
  AttributeNames?: string[];
}

/** Context for messages a person can act on (SageMaker names the region and the role). */
export interface ListChannelOptions {
  region?: string;
  roleArn?: string;
  /** AugmentedManifestFile: HEAD every `-ref` object so a missing one fails now (default true). */
  checkReferences?: boolean;
}

/** What a channel delivers. */
export interface ChannelListing {
  objects: ChannelObject[];
  /** AugmentedManifestFile only: its lines, reduced to AttributeNames (for Pipe mode). */
  augmentedManifestLines?: AugmentedManifestLine[];
}

function noObjects(uri: string, bucket: string, options: ListChannelOptions): ChannelError {
  const region = options.region === undefined ? 'the selected region' : `the selected region (${options.region})`;
  const role = options.roleArn === undefined ? 'the role' : `the role "${options.roleArn}"`;
  return new ChannelError(
    'NoObjects',
    `No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket exists in ${region}, that objects exist under that S3 prefix, and that ${role} has "s3:ListBucket" permissions on bucket "${bucket}".`,
  );
}

/**
 * `key` below the channel directory, as SageMaker lays File mode out (and as the SageMaker Python
 * SDK's local mode copies it): the key minus the whole prefix, leading `/` dropped — prefix
 * `data/train` (with or without a trailing `/`) puts `data/train/a.csv` at `a.csv`. A key equal to
 * the prefix (an S3Uri naming one object) keeps its base name.
 */
function relativeTo(prefix: string, key: string): string {
  if (key === prefix) return key.slice(key.lastIndexOf('/') + 1);
  return key.slice(prefix.length).replace(/^\/+/, '');
}

/**
 * The objects a channel's S3DataSource names, with where each lands in File mode:
 * - `S3Prefix`: every object whose key starts with the prefix (paged; keys ending in `/` — folder
 *   markers — skipped), placed by `relativeTo`: prefix `data/train` or `data/train/` puts
 *   `data/train/a.csv` at `a.csv` (what training scripts reading `SM_CHANNEL_TRAIN/a.csv` expect).
 *   An S3Uri naming one object (no trailing `/`) is that object alone, under its base name.
 * - `ManifestFile`: the manifest's prefix + each entry (each HEADed: missing ones fail together),
 *   relativePath by the same rule against the manifest's prefix.
 * - `AugmentedManifestFile`: the manifest object itself (relativePath = its base name) plus its
 *   parsed lines in `augmentedManifestLines`; `-ref` objects are checked to exist unless
 *   `checkReferences: false`. (SageMaker accepts augmented manifests in Pipe mode only.)
 * Throws ValidationException for a bad S3Uri or unknown S3DataType, ChannelError (NoObjects,
 * ManifestInvalid, ManifestMissingKeys) for data problems.
 */
export async function listChannelObjects(store: ObjectStore, source: ChannelSource, options: ListChannelOptions = {}): Promise<ChannelListing> {
  const location = parseS3Uri(source.S3Uri);
  switch (source.S3DataType) {
    case 'S3Prefix':
      return { objects: await listPrefixObjects(store, location, source.S3Uri, options) };
    case 'ManifestFile':
      return { objects: await listManifestObjects(store, location, source.S3Uri) };
    case 'AugmentedManifestFile':
      return listAugmentedManifest(store, location, source, options);
    default:
      throw new ValidationException(`S3DataType "${source.S3DataType}" is not supported; use S3Prefix, ManifestFile or AugmentedManifestFile.`);
  }
}

async function listPrefixObjects(store: ObjectStore, location: S3Location, uri: string, options: ListChannelOptions): Promise<ChannelObject[]> {
  const listed = (await listAllObjects(store, location.bucket, location.key)).filter((object) => !isFolderMarker(object));
  const exact = location.key.endsWith('/') ? undefined : listed.find((object) => object.key === location.key);
  const objects = (exact ? [exact] : listed).map((object) => ({
    bucket: location.bucket,
    key: object.key,
    size: object.size,
    relativePath: relativeTo(location.key, object.key),
  }));
  if (objects.length === 0) throw noObjects(uri, location.bucket, options);
  return objects;
}

async function listManifestObjects(store: ObjectStore, location: S3Location, uri: string): Promise<ChannelObject[]> {
  const { text } = await readManifest(store, location, 'manifest file');
  const { prefix, keys } = parseManifest(text, uri);
  if (keys.length === 0) throw new ChannelError('NoObjects', `The manifest file "${uri}" given in input data source lists no S3 objects.`);
  const infos = await headAll(
    store,
    keys.map((key) => ({ bucket: prefix.bucket, key })),
    uri,
  );
  return infos.map((info) => ({ bucket: prefix.bucket, key: info.key, size: info.size, relativePath: relativeTo(prefix.key, info.key) }));
}

async function listAugmentedManifest(store: ObjectStore, location: S3Location, source: ChannelSource, options: ListChannelOptions): Promise<ChannelListing> {
  const { info, text } = await readManifest(store, location, 'augmented manifest file');
  const lines = parseAugmentedManifest(text, source.S3Uri, source.AttributeNames);
  if (options.checkReferences ?? true) {
    const refs = new Map<string, S3Location>();
    for (const line of lines) for (const attribute of line.attributes) if (attribute.ref) refs.set(formatS3Uri(attribute.ref), attribute.ref);
    await headAll(store, [...refs.values()], source.S3Uri);
  }
  const manifest: ChannelObject = {
    bucket: location.bucket,
    key: location.key,
    size: info.size,
    relativePath: location.key.slice(location.key.lastIndexOf('/') + 1),
  };
  return { objects: [manifest], augmentedManifestLines: lines };
}
