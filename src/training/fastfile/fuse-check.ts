import { accessSync, constants } from 'node:fs';
import path from 'node:path';

function onPath(program: string, pathVariable: string): boolean {
  return pathVariable
    .split(':')
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(path.join(dir, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/**
 * Why FastFile mounts cannot work on this host, or undefined when they can: `/dev/fuse` must be
 * readable and writable, and `rclone` and `fusermount3` (or `fusermount`) found on `pathVariable`.
 */
export function fuseProblem(pathVariable: string, devFuse = '/dev/fuse'): string | undefined {
  const missing: string[] = [];
  try {
    accessSync(devFuse, constants.R_OK | constants.W_OK);
  } catch {
    missing.push(`${devFuse} (FUSE is not available to this server)`);
  }
  if (!onPath('rclone', pathVariable)) missing.push('the rclone program');
  if (!onPath('fusermount3', pathVariable) && !onPath('fusermount', pathVariable)) missing.push('fusermount3 (Debian package fuse3)');
  return missing.length === 0 ? undefined : `this host lacks ${missing.join(', ')}`;
}
