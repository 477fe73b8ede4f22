import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { FsObjectStore } from './fs/fs-object-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore, type S3ObjectStoreConfig } from './s3/s3-object-store.js';

/** The config slice the object store is chosen and built from. */
export interface ObjectStoreConfig extends S3ObjectStoreConfig {
  readonly dataDir: string;
}

export interface ObjectStoreDeps {
  /** Told which store was chosen (pino-compatible). */
  readonly logger?: { info(details: object, message: string): void };
}

/**
 * The object store the configuration asks for: an S3ObjectStore talking to `s3Endpoint` when one is
 * set (bodies of unknown length spool to `<dataDir>/s3-spool`), else the embedded FsObjectStore
 * under `<dataDir>/objects` (its temp files from a crashed run are removed here).
 */
export async function createObjectStore(config: ObjectStoreConfig, deps: ObjectStoreDeps = {}): Promise<ObjectStore> {
  if (config.s3Endpoint) {
    const spoolDir = path.join(config.dataDir, 's3-spool');
    await mkdir(spoolDir, { recursive: true });
    deps.logger?.info({ endpoint: config.s3Endpoint }, 'objects are kept in an external S3 service');
    return new S3ObjectStore(config, { spoolDir });
  }
  const root = path.join(config.dataDir, 'objects');
  deps.logger?.info({ root }, 'objects are kept in the data directory');
  return FsObjectStore.open(root);
}
