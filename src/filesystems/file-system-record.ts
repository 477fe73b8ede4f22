/** A file system registered with `salvia filesystems add`: a FileSystemId bound to a directory of this machine. */
export interface FileSystemRecord {
  /** `fs-` and at least 8 lower-case hex digits (`fs-0123abcd`). */
  readonly fileSystemId: string;
  /** Absolute path of the directory that stands for the file system's root. */
  readonly directory: string;
  /** Epoch milliseconds. */
  readonly creationTime: number;
}

/** Where registered file systems are kept (the metadata database: `KyselyFileSystemRepository`). */
export interface FileSystemRepository {
  get(fileSystemId: string): Promise<FileSystemRecord | undefined>;
  /** Inserts or replaces the registration of `record.fileSystemId`. */
  put(record: FileSystemRecord): Promise<void>;
  /** Every registration, by id. */
  list(): Promise<FileSystemRecord[]>;
  /** False if nothing was registered under that id. */
  delete(fileSystemId: string): Promise<boolean>;
}
