import { isAwsError } from '../../errors/index.js';
import type { ObjectInfo, ObjectStore } from '../../objectstore/index.js';
import { ChannelError } from './channel-error.js';
import { forEachLimited } from './concurrency.js';
import { formatS3Uri, parseS3Uri, type S3Location } from './s3-uri.js';

/** HeadObject calls in flight while checking the keys a manifest names. */
const headConcurrency = 16;

/** Reads a whole (manifest) object as UTF-8; ChannelError when it is missing. */
export async function readManifest(store: ObjectStore, location: S3Location, what: string): Promise<{ info: ObjectInfo; text: string }> {
  try {
    const { info, body } = await store.getObject(location.bucket, location.key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { info, text: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    if (isAwsError(error) && (error.code === 'NoSuchKey' || error.code === 'NoSuchBucket')) {
      throw new ChannelError(
        'NoObjects',
        `The ${what} "${formatS3Uri(location)}" given in input data source does not exist. Please ensure that the bucket and the object exist.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * A ManifestFile's content (`[{"prefix": "s3://bucket/p/"}, "rel/a", …]`) as the objects it names
 * (prefix + each suffix, duplicates once, in manifest order). Throws ChannelError (ManifestInvalid)
 * for any other shape.
 */
export function parseManifest(text: string, uri: string): { prefix: S3Location; keys: string[] } {
  const invalid = (why: string, cause?: unknown): ChannelError =>
    new ChannelError(
      'ManifestInvalid',
      `The manifest file "${uri}" is not valid: ${why}. Expected a JSON array: [{"prefix": "s3://<bucket>/<prefix>/"}, "<relative key>", …].`,
      { cause },
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid('it is not JSON', error);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw invalid('it is not a non-empty JSON array');
  const [head, ...suffixes] = parsed as unknown[];
  const prefixUri = typeof head === 'object' && head !== null ? (head as { prefix?: unknown }).prefix : undefined;
  if (typeof prefixUri !== 'string') throw invalid('its first element is not {"prefix": "s3://…"}');
  let prefix: S3Location;
  try {
    prefix = parseS3Uri(prefixUri);
  } catch (error) {
    throw invalid(`its prefix "${prefixUri}" is not an s3:// URI`, error);
  }
  const keys = new Set<string>();
  suffixes.forEach((suffix, index) => {
    if (typeof suffix !== 'string' || suffix === '') throw invalid(`element ${index + 1} is not a non-empty string`);
    keys.add(prefix.key + suffix);
  });
  return { prefix, keys: [...keys] };
}

/** HEADs every location; throws ChannelError (ManifestMissingKeys) naming the missing ones. */
export async function headAll(store: ObjectStore, locations: readonly S3Location[], manifestUri: string): Promise<ObjectInfo[]> {
  const found: (ObjectInfo | undefined)[] = new Array<ObjectInfo | undefined>(locations.length);
  const missing: string[] = [];
  await forEachLimited(locations, headConcurrency, async (location, index) => {
    try {
      found[index] = await store.headObject(location.bucket, location.key);
    } catch (error) {
      if (isAwsError(error) && (error.code === 'NoSuchKey' || error.code === 'NoSuchBucket' || error.code === 'NotFound')) missing.push(formatS3Uri(location));
      else throw error;
    }
  });
  if (missing.length > 0) {
    missing.sort();
    const shown = missing
      .slice(0, 10)
      .map((uri) => `"${uri}"`)
      .join(', ');
    const more = missing.length > 10 ? ` and ${missing.length - 10} more` : '';
    throw new ChannelError(
      'ManifestMissingKeys',
      `The manifest file "${manifestUri}" names ${missing.length} S3 object(s) that do not exist: ${shown}${more}. Please ensure that every object the manifest lists exists.`,
    );
  }
  return found as ObjectInfo[];
}

/** One attribute an augmented-manifest line contributes, in AttributeNames order. */
export interface AugmentedManifestAttribute {
  readonly name: string;
  /** The attribute's JSON value as given in the line. */
  readonly value: unknown;
  /** For a `-ref` attribute: the object its S3 URI names (its bytes are the record). */
  readonly ref?: S3Location;
}

/** One JSON line of an augmented manifest, reduced to the selected attributes. */
export interface AugmentedManifestLine {
  /** 1-based line number in the manifest file. */
  readonly lineNumber: number;
  readonly attributes: readonly AugmentedManifestAttribute[];
}

/**
 * Parses an augmented manifest (JSON Lines; blank lines skipped). With `attributeNames`, each line
 * gives those attributes in that order (every one must be present); without, all of the line's
 * attributes in their order. A `-ref` attribute must hold an `s3://` URI. Throws ChannelError
 * (ManifestInvalid) naming the line.
 */
export function parseAugmentedManifest(text: string, uri: string, attributeNames: readonly string[] | undefined): AugmentedManifestLine[] {
  const lines: AugmentedManifestLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '') return;
    const invalid = (why: string, cause?: unknown): ChannelError =>
      new ChannelError('ManifestInvalid', `The augmented manifest file "${uri}" is not valid: line ${lineNumber} ${why}.`, { cause });
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw invalid('is not a JSON object', error);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('is not a JSON object');
    const record = parsed as Record<string, unknown>;
    const names = attributeNames ?? Object.keys(record);
    const attributes = names.map((name): AugmentedManifestAttribute => {
      if (!Object.hasOwn(record, name)) throw invalid(`has no attribute "${name}" (AttributeNames: ${JSON.stringify(attributeNames)})`);
      const value = record[name];
      if (!name.endsWith('-ref')) return { name, value };
      if (typeof value !== 'string') throw invalid(`attribute "${name}" is not an s3:// URI`);
      try {
        return { name, value, ref: parseS3Uri(value) };
      } catch (error) {
        throw invalid(`attribute "${name}" is not an s3:// URI ("${value}")`, error);
      }
    });
    lines.push({ lineNumber, attributes });
  });
  if (lines.length === 0) throw new ChannelError('NoObjects', `The augmented manifest file "${uri}" given in input data source has no lines.`);
  return lines;
}
