import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** `\040`-style octal escapes of /proc/self/mountinfo decoded. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The mount points and file-system types listed in a mountinfo text (Linux `proc(5)` format). */
export function parseMountInfo(text: string): Array<{ mountPoint: string; fsType: string }> {
  const mounts: Array<{ mountPoint: string; fsType: string }> = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    const mountPoint = fields[4];
    const fsType = separator >= 0 ? fields[separator + 1] : undefined;
    if (mountPoint === undefined || fsType === undefined) continue;
    mounts.push({ mountPoint: unescapeMountPath(mountPoint), fsType });
  }
  return mounts;
}

function currentMounts(): Array<{ mountPoint: string; fsType: string }> {
  try {
    return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return [];
  }
}

/** Whether `dir` is a mount point right now. */
export function isMountPoint(dir: string): boolean {
  const resolved = path.resolve(dir);
  return currentMounts().some((m) => m.mountPoint === resolved);
}

/**
 * Lazily unmounts every FUSE mount at or below `dir` (`fusermount3 -u -z`, then `fusermount -u -z`,
 * then `umount -l`), deepest first. Returns the mount points that are still there.
 */
export function unmountBelow(dir: string): string[] {
  const root = path.resolve(dir);
  const below = (m: { mountPoint: string }): boolean => m.mountPoint === root || m.mountPoint.startsWith(`${root}/`);
  const targets = currentMounts()
    .filter(below)
    .map((m) => m.mountPoint)
    .sort((a, b) => b.length - a.length);
  for (const target of targets) {
    for (const argv of [
      ['fusermount3', '-u', '-z', target],
      ['fusermount', '-u', '-z', target],
      ['umount', '-l', target],
    ]) {
      const run = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'ignore', timeout: 15_000 });
      if (run.status === 0) break;
    }
  }
  return currentMounts()
    .filter(below)
    .map((m) => m.mountPoint);
}
