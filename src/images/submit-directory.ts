import { createReadStream } from 'node:fs';
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import type { ObjectStore } from '../objectstore/index.js';

/** `sagemaker_submit_directory` could not be staged; the message is fit for a FailureReason. */
export class SubmitDirectoryError extends Error {
  override readonly name = 'SubmitDirectoryError';
}

/** A hyperparameter value as the SageMaker Python SDK sends it (JSON-encoded: `"\"s3://…\""`), decoded. */
export function decodeHyperparameter(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Extracts a .tar.gz stream into `destDir`, refusing entries that would land outside it; only files and directories are written. */
async function extractInto(body: Readable, destDir: string): Promise<void> {
  await mkdir(destDir, { recursive: true });
  const root = path.resolve(destDir);
  await pipeline(
    body,
    tar.x({
      cwd: root,
      strict: true,
      // node-tar already strips absolute paths and refuses `..`; links are skipped so none can point outside.
      filter: (entryPath, entry) => {
        const type = 'type' in entry ? entry.type : undefined;
        if (type !== undefined && type !== 'File' && type !== 'OldFile' && type !== 'ContiguousFile' && type !== 'Directory') return false;
        const target = path.resolve(root, entryPath);
        return target === root || target.startsWith(root + path.sep);
      },
    }),
  );
}

/**
 * Stages the job's code as the SageMaker training toolkit fetches it: `sagemaker_submit_directory`
 * (JSON-quoted, as the SDK sends it) names an `s3://bucket/key.tar.gz` — downloaded through the
 * object store and extracted into `codeDir` — or a local path (`file://` or absolute): a directory
 * is copied, a `.tar.gz` extracted. Returns the source staged, or undefined when the
 * hyperparameter is absent. Throws SubmitDirectoryError when the source is missing or unreadable.
 */
export async function stageSubmitDirectory(
  store: ObjectStore,
  hyperparameters: Readonly<Record<string, string>> | undefined,
  codeDir: string,
): Promise<string | undefined> {
  const raw = hyperparameters?.['sagemaker_submit_directory'];
  if (raw === undefined) return undefined;
  const decoded = decodeHyperparameter(raw);
  const source = typeof decoded === 'string' ? decoded : raw;
  const fail = (why: string, cause: unknown): never => {
    throw new SubmitDirectoryError(`Cannot stage sagemaker_submit_directory ${source}: ${why}`, { cause });
  };
  if (source.startsWith('s3://')) {
    const rest = source.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? '' : rest.slice(slash + 1);
    if (bucket === '' || key === '' || key.endsWith('/')) fail('expected s3://bucket/key.tar.gz', undefined);
    const object = await store.getObject(bucket, key).catch((error: unknown) => fail((error as Error).message, error));
    await extractInto(object.body, codeDir).catch((error: unknown) => fail(`not a readable tar.gz archive (${(error as Error).message})`, error));
    return source;
  }
  const local = source.startsWith('file://') ? decodeURIComponent(source.slice('file://'.length)) : source;
  if (!path.isAbsolute(local)) fail('expected an s3:// URI or an absolute local path', undefined);
  const info = await stat(local).catch((error: unknown) => fail('no such file or directory', error));
  if (info.isDirectory()) {
    await mkdir(codeDir, { recursive: true });
    await cp(local, codeDir, { recursive: true }).catch((error: unknown) => fail((error as Error).message, error));
  } else {
    await extractInto(createReadStream(local), codeDir).catch((error: unknown) => fail(`not a readable tar.gz archive (${(error as Error).message})`, error));
  }
  return source;
}
