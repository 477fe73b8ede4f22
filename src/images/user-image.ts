import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationException } from '../errors/index.js';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Checks an image directory before it is registered and returns the absolute directory and
 * entrypoint. `directory` must be an absolute path to a directory; `entrypoint` (relative to the
 * directory or absolute) must be an executable file; without one, `train` or `serve` must be
 * executables at the directory's top. Throws ValidationException naming what is wrong.
 */
export async function checkImageDirectory(directory: string, entrypoint?: string): Promise<{ directory: string; entrypoint?: string }> {
  if (!path.isAbsolute(directory)) throw new ValidationException(`Image directory ${directory} must be an absolute path.`);
  const dir = path.resolve(directory);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new ValidationException(`Image directory ${dir} does not exist or is not a directory.`);
  if (entrypoint !== undefined) {
    const file = path.resolve(dir, entrypoint);
    if (!(await isExecutableFile(file))) throw new ValidationException(`Entrypoint ${file} is not an executable file (chmod +x it).`);
    return { directory: dir, entrypoint: file };
  }
  const train = await isExecutableFile(path.join(dir, 'train'));
  const serve = await isExecutableFile(path.join(dir, 'serve'));
  if (!train && !serve) {
    const present = (await exists(path.join(dir, 'train'))) || (await exists(path.join(dir, 'serve')));
    throw new ValidationException(
      present
        ? `Image directory ${dir}: train/serve exist but are not executable (chmod +x them).`
        : `Image directory ${dir} has neither a "train" nor a "serve" executable at its top; add them or give --entrypoint.`,
    );
  }
  return { directory: dir };
}

/** The command an instance runs for `purpose`, as `docker run <image> train|serve` would. */
export function userImageCommand(record: { directory: string; entrypoint?: string }, purpose: 'train' | 'serve'): string[] {
  return record.entrypoint !== undefined ? [record.entrypoint, purpose] : [path.join(record.directory, purpose)];
}

/** Throws ValidationException if the command for `purpose` cannot run (directory gone, executable missing). */
export async function checkUserImageRunnable(
  repository: string,
  record: { directory: string; entrypoint?: string },
  purpose: 'train' | 'serve',
): Promise<void> {
  const executable = userImageCommand(record, purpose)[0] ?? '';
  if (!(await isExecutableFile(executable))) {
    throw new ValidationException(
      `Image ${repository} (directory ${record.directory}) has no executable ${executable} to ${purpose} with; fix the directory or re-register it with salvia images add.`,
    );
  }
}
