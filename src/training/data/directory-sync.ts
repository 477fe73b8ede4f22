import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath } from 'node:fs/promises';
import { Readable } from 'node:stream';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '../../objectstore/index.js';
import { ChannelError } from './channel-error.js';
import { forEachLimited } from './concurrency.js';
import { isFolderMarker, listAllObjects } from './list-prefix.js';
import { safeRelativePath } from './local-path.js';
import { formatS3Uri, parseS3Uri } from './s3-uri.js';

export interface DirectorySyncOptions {
  /** How often start() scans LocalPath (default 1000 ms). */
  pollIntervalMs?: number;
  /** Uploads/downloads at once (default 8). */
  concurrency?: number;
  /** Called for each object uploaded (relative path, `/`-separated). */
  onUpload?: (relativePath: string) => void;
  /** Called when a background scan fails (it is retried at the next interval; finish() reports it too). */
  onError?: (error: unknown) => void;
}

/** A file as last seen: uploaded when unchanged across two scans. */
interface Seen {
  readonly size: number;
  readonly mtimeMs: number;
}

/** A path that vanished or turned into a link meanwhile gives undefined; other errors are rethrown. */
function skipGone(error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return undefined;
  throw error;
}

const same = (a: Seen | undefined, b: Seen): boolean => a !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;

/**
 * Keeps a local directory in step with an S3 prefix: a training job's checkpoints
 * (CheckpointConfig.LocalPath ↔ S3Uri) and a processing job's outputs (Continuous: start() then
 * finish(); EndOfJob: finish() alone), as SageMaker does: restore() copies everything under the URI into the directory at start; start()
 * then uploads new and changed files as `<S3Uri>/<relative path>` while the job runs (a periodic scan
 * — fs.watch's recursive mode is unreliable on Linux in Node 20 — uploading a file once its size and
 * mtime are the same in two consecutive scans, so half-written files wait); finish() stops that and
 * uploads whatever is new or changed, stable or not. Files deleted locally stay in S3; symbolic
 * links are not followed. At most `concurrency` transfers run at once.
 */
export class DirectorySync {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly uploaded = new Map<string, Seen>();
  private pending = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<number> | undefined;
  private stopped = false;
  private lastError: unknown;

  /** Throws ValidationException for a bad S3 URI. */
  constructor(
    private readonly store: ObjectStore,
    s3Uri: string,
    private readonly localDir: string,
    private readonly options: DirectorySyncOptions = {},
  ) {
    const location = parseS3Uri(s3Uri);
    this.bucket = location.bucket;
    this.prefix = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
  }

  /** Downloads every object under the S3 URI into the local directory (created); returns how many. Throws ChannelError for unsafe keys or failed writes. */
  async restore(): Promise<number> {
    await mkdir(this.localDir, { recursive: true });
    const objects = (await listAllObjects(this.store, this.bucket, this.prefix)).filter((object) => !isFolderMarker(object));
    const root = path.resolve(this.localDir);
    const planned = objects.map((object) => {
      const uri = formatS3Uri({ bucket: this.bucket, key: object.key });
      return { key: object.key, relative: safeRelativePath(object.key.slice(this.prefix.length), `checkpoint "${uri}"`) };
    });
    await forEachLimited(planned, this.concurrency, async ({ key, relative }) => {
      const target = path.join(root, relative);
      try {
        await mkdir(path.dirname(target), { recursive: true });
        const { body } = await this.store.getObject(this.bucket, key);
        await pipeline(body, createWriteStream(target));
      } catch (error) {
        throw new ChannelError('WriteFailed', `Could not restore checkpoint "${formatS3Uri({ bucket: this.bucket, key })}": ${(error as Error).message}.`, {
          cause: error,
        });
      }
      const info = await lstat(target);
      this.uploaded.set(relative.split(path.sep).join('/'), { size: info.size, mtimeMs: info.mtimeMs });
    });
    return planned.length;
  }

  /** Starts uploading files as they appear or change (idempotent). */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    const tick = (): void => {
      this.scanNow()
        .catch((error: unknown) => {
          this.lastError = error;
          this.options.onError?.(error);
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollIntervalMs ?? 1000);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /**
   * One scan: uploads files unchanged since the previous scan and not yet uploaded in this form;
   * returns how many were uploaded. Scans never overlap (a call during a scan waits for it).
   */
  scanNow(): Promise<number> {
    return this.exclusiveScan(false);
  }

  /** Stops watching and uploads everything new or changed; returns how many files it uploaded. Throws the first upload error. */
  async finish(): Promise<number> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return this.exclusiveScan(true);
  }

  /** Runs one scan once any scan in progress has ended (scans never overlap). */
  private async exclusiveScan(final: boolean): Promise<number> {
    while (this.scanning) await this.scanning.catch(() => undefined);
    this.scanning = this.scan(final);
    try {
      return await this.scanning;
    } finally {
      this.scanning = undefined;
    }
  }

  /** The last error of a background scan, if any (cleared by a later successful scan). */
  get error(): unknown {
    return this.lastError;
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 8;
  }

  private async scan(final: boolean): Promise<number> {
    const current = await this.listLocal();
    const due: [string, Seen][] = [];
    const nextPending = new Map<string, Seen>();
    for (const [relative, seen] of current) {
      if (same(this.uploaded.get(relative), seen)) continue;
      if (final || same(this.pending.get(relative), seen)) due.push([relative, seen]);
      else nextPending.set(relative, seen);
    }
    this.pending = nextPending;
    let count = 0;
    // Resolved once per scan, not once per file; a directory gone since the listing uploads nothing.
    const root = due.length > 0 ? await realpath(this.localDir).catch(skipGone) : undefined;
    if (root !== undefined) {
      await forEachLimited(due, this.concurrency, async ([relative, seen]) => {
        if (!(await this.upload(relative, root))) return;
        // Recorded as seen before the upload: a change during it gives a new size/mtime, uploaded next time.
        this.uploaded.set(relative, seen);
        count++;
        this.options.onUpload?.(relative);
      });
    }
    this.lastError = undefined;
    return count;
  }

  /**
   * Uploads one file (`root`: LocalPath's real path); false when it is gone (deleted since the scan — jobs prune old checkpoints) or
   * is no longer a regular file inside the directory. Never follows a symbolic link.
   */
  private async upload(relative: string, root: string): Promise<boolean> {
    const file = path.join(this.localDir, ...relative.split('/'));
    let handle;
    try {
      const parent = await realpath(path.dirname(file));
      if (parent !== root && !parent.startsWith(root + path.sep)) return false;
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      skipGone(error);
      return false;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return false;
      // Exactly the bytes present now: a file still growing is uploaded again at the next scan.
      const body = handle.createReadStream({ start: 0, end: Math.max(0, info.size - 1), autoClose: false });
      const input = info.size === 0 ? Readable.from([]) : body;
      if (info.size === 0) body.destroy();
      await this.store.putObject(this.bucket, this.prefix + relative, { body: input, metadata: { userMetadata: {}, headers: {} }, contentLength: info.size });
      return true;
    } finally {
      await handle.close();
    }
  }

  /** Regular files under the directory (relative, `/`-separated) with size and mtime; links are not followed. */
  private async listLocal(): Promise<Map<string, Seen>> {
    const found = new Map<string, Seen>();
    const walk = async (dir: string, relative: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) =>
        error.code === 'ENOENT' ? [] : Promise.reject(error),
      );
      const files = entries.filter((entry) => entry.isFile());
      await forEachLimited(files, 32, async (entry) => {
        const info = await lstat(path.join(dir, entry.name)).catch(() => undefined);
        if (info?.isFile()) found.set(relative + entry.name, { size: info.size, mtimeMs: info.mtimeMs });
      });
      for (const entry of entries) if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${relative}${entry.name}/`);
    };
    await walk(this.localDir, '');
    return found;
  }
}
