import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { isAwsError } from '../../errors/index.js';
import type { ObjectStore } from '../../objectstore/index.js';
import { ChannelError } from './channel-error.js';
import type { ChannelObject } from './channel-object.js';
import { forEachLimited } from './concurrency.js';
import { safeRelativePath } from './local-path.js';
import { formatS3Uri } from './s3-uri.js';

/** Downloads in flight by default. */
const defaultConcurrency = 8;

export interface DownloadChannelOptions {
  /** `Gzip`: each object is gunzipped while it streams, and a trailing `.gz` is dropped from its file name. Default `None`. */
  compression?: 'None' | 'Gzip';
  /** Objects downloaded at once (default 8). */
  concurrency?: number;
}

interface Planned {
  readonly object: ChannelObject;
  readonly target: string;
}

/** Where each object goes; refuses unsafe keys and two objects that would need the same path (or a file where a directory must be). */
export function planDownload(objects: readonly ChannelObject[], destDir: string, gzip: boolean): Planned[] {
  const root = path.resolve(destDir);
  const byPath = new Map<string, ChannelObject>();
  const planned = objects.map((object): Planned => {
    const uri = formatS3Uri(object);
    const name = gzip && /[^/]\.gz$/i.test(object.relativePath) ? object.relativePath.slice(0, -3) : object.relativePath;
    const relative = safeRelativePath(name, `S3 object "${uri}"`);
    const clash = byPath.get(relative);
    if (clash) throw conflict(clash, object, relative);
    byPath.set(relative, object);
    return { object, target: path.join(root, relative) };
  });
  for (const [relative, object] of byPath) {
    for (let parent = path.dirname(relative); parent !== '.'; parent = path.dirname(parent)) {
      const clash = byPath.get(parent);
      if (clash) throw conflict(clash, object, parent);
    }
  }
  return planned;
}

function conflict(first: ChannelObject, second: ChannelObject, relative: string): ChannelError {
  return new ChannelError(
    'PathConflict',
    `S3 objects "${formatS3Uri(first)}" and "${formatS3Uri(second)}" would both be written to "${relative.split(path.sep).join('/')}" in the channel directory; rename one of them.`,
  );
}

function failure(object: ChannelObject, error: unknown): unknown {
  const uri = formatS3Uri(object);
  if (error instanceof ChannelError) return error;
  if (isAwsError(error) && (error.code === 'NoSuchKey' || error.code === 'NoSuchBucket')) {
    return new ChannelError('ObjectUnavailable', `S3 object "${uri}" no longer exists; it was removed after the channel was listed.`, { cause: error });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ChannelError('DecompressionFailed', `S3 object "${uri}" is not valid gzip data (CompressionType is Gzip): ${(error as Error).message}.`, {
      cause: error,
    });
  }
  if (typeof code === 'string' && code.startsWith('E')) {
    return new ChannelError('WriteFailed', `Could not write S3 object "${uri}" to the channel directory: ${(error as Error).message}.`, { cause: error });
  }
  return error;
}

/**
 * Streams each object to `destDir/<relativePath>` (directories created; at most `concurrency`
 * objects at once), gunzipping on the fly with `compression: 'Gzip'`. Never writes outside
 * `destDir`: a key with a `..` segment is refused before anything is written. Throws ChannelError:
 * UnsafeKey, PathConflict (two objects, or a file and a directory, on one path), ObjectUnavailable
 * (deleted since listing), DecompressionFailed, WriteFailed (e.g. disk full).
 */
export async function downloadChannel(store: ObjectStore, objects: ChannelObject[], destDir: string, options: DownloadChannelOptions = {}): Promise<void> {
  const gzip = options.compression === 'Gzip';
  const planned = planDownload(objects, destDir, gzip);
  await mkdir(destDir, { recursive: true });
  const directories = [...new Set(planned.map((item) => path.dirname(item.target)))].sort();
  await forEachLimited(directories, 8, async (directory) => {
    await mkdir(directory, { recursive: true });
  });
  await forEachLimited(planned, options.concurrency ?? defaultConcurrency, async ({ object, target }) => {
    try {
      const { body } = await store.getObject(object.bucket, object.key);
      if (gzip) await pipeline(body, createGunzip(), createWriteStream(target));
      else await pipeline(body, createWriteStream(target));
    } catch (error) {
      throw failure(object, error);
    }
  });
}
