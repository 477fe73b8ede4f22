import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import * as tar from 'tar';
import type { ObjectStore } from '../objectstore/index.js';
import { listAllObjects } from './data/list-prefix.js';

const emptyMetadata = { userMetadata: {}, headers: {} } as const;

/**
 * Packs the files of `dirs` (merged; entries relative to each directory's root, as SageMaker's
 * model.tar.gz) into a gzipped tar spooled under `scratch`, and stores it at `target`.
 */
export async function uploadDirectoriesAsTarGz(store: ObjectStore, dirs: readonly string[], target: { bucket: string; key: string }, scratch: string): Promise<void> {
  await mkdir(scratch, { recursive: true });
  const existing = dirs.filter((d) => existsSync(d));
  let root = existing[0] ?? scratch;
  if (existing.length > 1) {
    root = path.join(scratch, 'merged');
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    for (const dir of existing) await cp(dir, root, { recursive: true, force: true });
  }
  const entries = existing.length > 0 ? await readdir(root) : [];
  const file = path.join(scratch, `${path.basename(target.key)}.${process.pid}.tmp`);
  if (entries.length > 0) await pipeline(tar.c({ gzip: true, cwd: root, portable: true }, entries), createWriteStream(file));
  else await writeFile(file, gzipSync(Buffer.alloc(1024)));
  const size = (await stat(file)).size;
  await store.putObject(target.bucket, target.key, { body: createReadStream(file), metadata: { ...emptyMetadata, contentType: 'application/x-tar' }, contentLength: size });
  await rm(file, { force: true });
}

/** Every file below `dir`, as `/`-separated paths relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  await walk('');
  return out;
}

/** Copies every object under an `s3://` prefix into `dir` (keys relative to the prefix); returns how many. */
export async function restoreCheckpoints(store: ObjectStore, location: { bucket: string; key: string }, dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const prefix = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
  let count = 0;
  {
    for (const object of await listAllObjects(store, location.bucket, prefix)) {
      const rel = object.key.slice(prefix.length);
      if (rel === '' || rel.endsWith('/') || rel.split('/').some((p) => p === '..' || p === '.')) continue;
      const target = path.join(dir, rel);
      await mkdir(path.dirname(target), { recursive: true });
      const { body } = await store.getObject(location.bucket, object.key);
      await pipeline(body, createWriteStream(target));
      count++;
    }
  }
  return count;
}

/** Uploads every file of `dir` to the `s3://` prefix as-is (no archive); returns how many. */
export async function uploadCheckpoints(store: ObjectStore, dir: string, location: { bucket: string; key: string }): Promise<number> {
  const prefix = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
  const files = await listFiles(dir);
  for (const rel of files) {
    const file = path.join(dir, rel);
    const size = (await stat(file)).size;
    await store.putObject(location.bucket, prefix + rel, { body: createReadStream(file), metadata: emptyMetadata, contentLength: size });
  }
  return files.length;
}
