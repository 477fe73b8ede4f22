import { existsSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '../objectstore/index.js';
import { uploadDirectoryAsTarGz } from './data/index.js';

/**
 * Packs `dirs` (one per instance) into one gzipped tar at `target`, as SageMaker merges every host's
 * /opt/ml/model into one model.tar.gz: a single directory is packed as is, several are first merged
 * under `scratch` (later hosts win on a name clash).
 */
export async function uploadMergedTarGz(store: ObjectStore, dirs: readonly string[], target: { bucket: string; key: string }, scratch: string): Promise<void> {
  const existing = dirs.filter((d) => existsSync(d));
  if (existing.length <= 1) {
    await uploadDirectoryAsTarGz(store, existing[0] ?? path.join(scratch, 'missing'), target);
    return;
  }
  const merged = path.join(scratch, 'merged');
  await rm(merged, { recursive: true, force: true });
  await mkdir(merged, { recursive: true });
  for (const dir of existing) await cp(dir, merged, { recursive: true, force: true, verbatimSymlinks: true });
  try {
    await uploadDirectoryAsTarGz(store, merged, target);
  } finally {
    await rm(merged, { recursive: true, force: true });
  }
}
