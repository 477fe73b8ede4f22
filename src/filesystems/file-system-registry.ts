import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ResourceNotFound, ValidationException } from '../errors/index.js';
import { directorySegments, isFileSystemId, type FileSystemType } from './directory-path.js';
import type { FileSystemRecord, FileSystemRepository } from './file-system-record.js';

/** A channel's FileSystemDataSource, in wire form. */
export interface FileSystemSource {
  readonly FileSystemId?: string;
  readonly FileSystemType?: string;
  readonly DirectoryPath?: string;
  readonly FileSystemAccessMode?: string;
}

/** Where a file-system channel's data is on this machine, and how the job may use it. */
export interface ResolvedFileSystemChannel {
  /** Absolute host directory (symbolic links resolved), inside the registered directory. */
  readonly hostPath: string;
  readonly readOnly: boolean;
}

const isType = (type: string | undefined): type is FileSystemType => type === 'EFS' || type === 'FSxLustre';

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/**
 * File systems of this machine or cluster standing in for EFS / FSx for Lustre: `salvia
 * filesystems add <fs-id> <path>` binds a FileSystemId to a directory; training channels with a
 * FileSystemDataSource are resolved against it (the directory is then mounted into the job).
 */
export class FileSystemRegistry {
  constructor(private readonly deps: { readonly repository: FileSystemRepository; readonly clock?: () => number }) {}

  /**
   * Registers (or re-registers) `fileSystemId` as `directory` (absolute, an existing directory;
   * stored with symbolic links resolved). Throws ValidationException for a bad id or directory.
   */
  async add(fileSystemId: string, directory: string): Promise<FileSystemRecord> {
    if (!isFileSystemId(fileSystemId))
      throw new ValidationException(`File system id ${fileSystemId} is not valid: "fs-" followed by 8 to 18 lower-case hex digits (fs-0123abcd).`);
    if (!path.isAbsolute(directory)) throw new ValidationException(`File system directory ${directory} must be an absolute path.`);
    if (!(await isDirectory(directory)))
      throw new ValidationException(`File system directory ${path.resolve(directory)} does not exist or is not a directory.`);
    const record: FileSystemRecord = { fileSystemId, directory: await realpath(directory), creationTime: (this.deps.clock ?? Date.now)() };
    await this.deps.repository.put(record);
    return record;
  }

  /** Every registered file system, by id. */
  list(): Promise<FileSystemRecord[]> {
    return this.deps.repository.list();
  }

  /** The registration of `fileSystemId`, or undefined. */
  get(fileSystemId: string): Promise<FileSystemRecord | undefined> {
    return this.deps.repository.get(fileSystemId.toLowerCase());
  }

  /** Removes a registration (jobs already running keep their mount). Throws ResourceNotFound if there is none. */
  async remove(fileSystemId: string): Promise<void> {
    if (!(await this.deps.repository.delete(fileSystemId.toLowerCase()))) throw new ResourceNotFound('FileSystem', fileSystemId);
  }

  /**
   * Resolves channel `channel`'s FileSystemDataSource to a host directory: the id must be
   * registered, the type EFS or FSxLustre, the access mode ro or rw, and DirectoryPath (see
   * directorySegments) an existing directory that stays inside the registered directory, also
   * after symbolic links are followed. Throws ValidationException naming the channel otherwise.
   */
  async resolveChannel(channel: string, source: FileSystemSource): Promise<ResolvedFileSystemChannel> {
    const id = source.FileSystemId ?? '';
    const where = `Channel ${channel}`;
    if (!isType(source.FileSystemType)) throw new ValidationException(`${where}: FileSystemType must be EFS or FSxLustre.`);
    if (source.FileSystemAccessMode !== 'ro' && source.FileSystemAccessMode !== 'rw')
      throw new ValidationException(`${where}: FileSystemAccessMode must be ro or rw.`);
    const directoryPath = source.DirectoryPath ?? '';
    const segments = directorySegments(source.FileSystemType, directoryPath);
    if (segments === 'not-absolute') throw new ValidationException(`${where}: DirectoryPath ${directoryPath} must be a full path starting with /.`);
    if (segments === 'escapes') throw new ValidationException(`${where}: DirectoryPath ${directoryPath} escapes the file system ${id}.`);
    if (segments === 'no-mount-name')
      throw new ValidationException(`${where}: an FSxLustre DirectoryPath starts with the mount name (/<MountName>/…); ${directoryPath} has none.`);
    const record = isFileSystemId(id) ? await this.get(id) : undefined;
    if (!record)
      throw new ValidationException(
        `${where}: file system ${id} is not registered with this Salvia server; register a directory for it with: salvia filesystems add ${id} <directory>`,
      );
    const root = await realpath(record.directory).catch(() => undefined);
    if (root === undefined || !(await isDirectory(root)))
      throw new ValidationException(`${where}: the directory ${record.directory} registered for file system ${id} no longer exists.`);
    const wanted = path.join(root, ...segments);
    const hostPath = await realpath(wanted).catch(() => undefined);
    if (hostPath === undefined || !(await isDirectory(hostPath)))
      throw new ValidationException(`${where}: DirectoryPath ${directoryPath} does not exist in file system ${id} (or is not a directory).`);
    if (hostPath !== root && !hostPath.startsWith(root + path.sep))
      throw new ValidationException(`${where}: DirectoryPath ${directoryPath} escapes the file system ${id} (through a symbolic link).`);
    return { hostPath, readOnly: source.FileSystemAccessMode === 'ro' };
  }
}
