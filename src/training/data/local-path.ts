import path from 'node:path';
import { ChannelError } from './channel-error.js';

/** Linux's limit on one file-name component, in bytes. */
const maxNameBytes = 255;

/**
 * The local path (relative, with the platform's separator) for a `/`-separated relative path taken
 * from an S3 key: empty and `.` segments are dropped (`a//b` and `a/./b` → `a/b`, a leading `/` is
 * ignored), so the result always stays inside the directory it is joined to. Throws ChannelError
 * (UnsafeKey) for a `..` segment, a NUL byte, a name longer than 255 bytes, or nothing left.
 * `describe` names the object in the message.
 */
export function safeRelativePath(relativePath: string, describe: string): string {
  const refuse = (why: string): never => {
    throw new ChannelError('UnsafeKey', `Refusing to write ${describe}: ${why}.`);
  };
  if (relativePath.includes('\0')) refuse('its key contains a NUL character');
  const segments = relativePath.split('/').filter((segment) => segment !== '' && segment !== '.');
  for (const segment of segments) {
    if (segment === '..') refuse('its key contains a ".." path segment, which would place the file outside the channel directory');
    if (Buffer.byteLength(segment, 'utf8') > maxNameBytes) refuse(`the path segment "${segment.slice(0, 40)}…" is longer than ${maxNameBytes} bytes`);
  }
  if (segments.length === 0) refuse('its key names no file below the channel directory');
  return segments.join(path.sep);
}
