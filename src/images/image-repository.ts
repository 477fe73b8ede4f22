/** A user image: a repository name bound to a directory laid out like a bring-your-own container. */
export interface UserImageRecord {
  /** Repository path, lower-cased (`my-algo`, `team/my-algo`). */
  readonly repository: string;
  /** Absolute path of the image's directory. */
  readonly directory: string;
  /** Absolute path of the entrypoint (run as `<entrypoint> train` / `<entrypoint> serve`); absent: `<directory>/train`, `<directory>/serve`. */
  readonly entrypoint?: string;
  /** Epoch milliseconds. */
  readonly creationTime: number;
}

/** Where registered user images are kept (the metadata database: `KyselyImageRepository`). */
export interface ImageRepository {
  get(repository: string): Promise<UserImageRecord | undefined>;
  /** Inserts or replaces the registration of `record.repository`. */
  put(record: UserImageRecord): Promise<void>;
  /** Every registration, by repository name. */
  list(): Promise<UserImageRecord[]>;
  /** False if nothing was registered under that name. */
  delete(repository: string): Promise<boolean>;
}
