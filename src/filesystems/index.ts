export { FileSystemRegistry } from './file-system-registry.js';
export type { FileSystemSource, ResolvedFileSystemChannel } from './file-system-registry.js';
export type { FileSystemRecord, FileSystemRepository } from './file-system-record.js';
export { directorySegments, isFileSystemId } from './directory-path.js';
export type { DirectoryPathProblem, FileSystemType } from './directory-path.js';
