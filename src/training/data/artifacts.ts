import type { Stats } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { isAwsError } from '../../errors/index.js';
import type { ObjectStore } from '../../objectstore/index.js';
import { ChannelError } from './channel-error.js';
import { formatS3Uri, type S3Location } from './s3-uri.js';

const noMetadata = { userMetadata: {}, headers: {} };

/** Only regular files, directories and symbolic links (stored as links, never followed) go into an archive. */
function packable(_path: string, stat: Stats | tar.ReadEntry): boolean {
  if ('isFile' in stat) return stat.isFile() || stat.isDirectory() || stat.isSymbolicLink();
  return true;
}

/**
 * Packs `dir` as SageMaker packs `/opt/ml/model` into model.tar.gz: a gzipped tar whose entries are
 * relative to `dir` with no leading folder or `./` (`model.pth`, `code/inference.py`), streamed into
 * `store.putObject` (never whole in memory). Symbolic links are stored as links, not followed (a job
 * cannot make the server read files outside its directory); sockets and FIFOs are skipped. An empty
 * or missing directory gives a valid empty tar.gz. Throws the store's errors (e.g. NoSuchBucket);
 * on any failure nothing is stored.
 */
export async function uploadDirectoryAsTarGz(store: ObjectStore, dir: string, target: { bucket: string; key: string }): Promise<void> {
  const entries = (await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)))).sort();
  if (entries.length === 0) {
    const empty = gzipSync(Buffer.alloc(1024));
    await store.putObject(target.bucket, target.key, { body: Readable.from([empty]), metadata: noMetadata, contentLength: empty.length });
    return;
  }
  const body = new PassThrough();
  const packing = pipeline(tar.c({ gzip: true, cwd: dir, portable: true, filter: packable }, entries), body);
  await Promise.all([store.putObject(target.bucket, target.key, { body, metadata: noMetadata }), packing]);
}

/** Entry types extractTarGz writes; links of either kind are skipped so none can point outside. */
const extractedTypes = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/**
 * Downloads a `.tar.gz` object and extracts it into `destDir` (created). Safe against hostile
 * archives: absolute paths are made relative (as GNU tar does), entries with `..` or landing outside `destDir` are
 * refused, symbolic and hard links are skipped, ownership is not restored. Throws ChannelError:
 * ObjectUnavailable (no such object or bucket), DecompressionFailed (not a tar.gz), WriteFailed,
 * UnsafeKey (entries
 * with `..` or outside `destDir`: the others are extracted, those are not).
 */
export async function extractTarGz(store: ObjectStore, source: { bucket: string; key: string }, destDir: string): Promise<void> {
  const uri = formatS3Uri(source as S3Location);
  let body: Readable;
  try {
    ({ body } = await store.getObject(source.bucket, source.key));
  } catch (error) {
    if (isAwsError(error) && (error.code === 'NoSuchKey' || error.code === 'NoSuchBucket')) {
      throw new ChannelError('ObjectUnavailable', `S3 object "${uri}" does not exist.`, { cause: error });
    }
    throw error;
  }
  const root = path.resolve(destDir);
  await mkdir(root, { recursive: true });
  const refused: string[] = [];
  const warnings: { code: string; message: string }[] = [];
  // An empty archive (only zero blocks) is valid, though node-tar calls it unrecognised: remember whether any data came.
  let sawData = false;
  const watch = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!sawData && chunk.some((byte) => byte !== 0)) sawData = true;
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      body,
      createGunzip(),
      watch,
      tar.x({
        cwd: root,
        strict: false,
        preserveOwner: false,
        onwarn: (code, message) => warnings.push({ code, message }),
        filter: (entryPath, entry) => {
          const type = 'type' in entry ? entry.type : undefined;
          if (type !== undefined && !extractedTypes.has(type)) return false;
          const resolved = path.resolve(root, entryPath.replace(/^\/+/, ''));
          const inside = resolved === root || resolved.startsWith(root + path.sep);
          if (!inside || entryPath.split(/[\\/]/).includes('..')) {
            refused.push(entryPath);
            return false;
          }
          return true;
        },
      }),
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const emptyArchive = code === 'TAR_BAD_ARCHIVE' && !sawData;
    if (!emptyArchive && typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('TAR_'))) {
      throw new ChannelError('DecompressionFailed', `S3 object "${uri}" is not a valid tar.gz archive: ${(error as Error).message}.`, { cause: error });
    }
    if (!emptyArchive) throw error;
  }
  const fatal = warnings.filter((warning) => warning.code !== 'TAR_ENTRY_INFO' && !(warning.code === 'TAR_BAD_ARCHIVE' && !sawData));
  const broken = fatal.find((warning) => warning.code === 'TAR_BAD_ARCHIVE' || warning.code === 'TAR_ABORT');
  if (broken) throw new ChannelError('DecompressionFailed', `S3 object "${uri}" is not a valid tar.gz archive: ${broken.message}.`);
  if (fatal.length > 0) {
    throw new ChannelError(
      'WriteFailed',
      `Could not extract S3 object "${uri}" into ${root}: ${fatal
        .slice(0, 3)
        .map((warning) => warning.message)
        .join('; ')}.`,
    );
  }
  if (refused.length > 0) {
    const shown = refused
      .slice(0, 5)
      .map((entry) => `"${entry}"`)
      .join(', ');
    throw new ChannelError('UnsafeKey', `Archive "${uri}" has entries that would be written outside the directory (${shown}); they were not extracted.`);
  }
}
