/** SageMaker's FileSystemId pattern (`fs-[0-9a-f]{8,}`, at most 21 characters), anchored. */
const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,18}$/;

/** Whether `id` is a well-formed FileSystemId (lower-case, as AWS issues them). */
export function isFileSystemId(id: string): boolean {
  return FILE_SYSTEM_ID.test(id);
}

/** The FileSystemType values of the service model. */
export type FileSystemType = 'EFS' | 'FSxLustre';

/** Why a DirectoryPath cannot be used; the caller words the error. */
export type DirectoryPathProblem = 'not-absolute' | 'escapes' | 'no-mount-name';

/**
 * The part of a channel's DirectoryPath below the file system's root, as path segments, or a
 * problem. DirectoryPath is the full path inside the file system (EFS: `/`, `/data/train`; FSx for
 * Lustre: `/<MountName>/…`, whose first segment names the mount and is dropped — the registered
 * directory stands for the mounted file system). `.` segments are ignored; `..` may climb back only
 * as far as the root: a path that would leave it "escapes".
 */
export function directorySegments(type: FileSystemType, directoryPath: string): string[] | DirectoryPathProblem {
  if (!directoryPath.startsWith('/')) return 'not-absolute';
  const segments: string[] = [];
  for (const part of directoryPath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return 'escapes';
      segments.pop();
    } else segments.push(part);
  }
  if (type === 'FSxLustre') {
    if (segments.length === 0) return 'no-mount-name';
    segments.shift();
  }
  return segments;
}
