/** A tag as stored. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/**
 * Where tags of every SageMaker resource live, keyed by the resource's ARN (matched
 * case-insensitively). Implemented over the metadata database in src/store.
 */
export interface TagRepository {
  /** Tags of a resource in key order. */
  list(resourceArn: string): Promise<Tag[]>;
  /** Adds or overwrites tags by key, unless the resource would then have more than `limit` tags (returns false, changes nothing). */
  put(resourceArn: string, tags: readonly Tag[], limit: number): Promise<boolean>;
  /** Removes the named keys (absent keys are ignored). */
  delete(resourceArn: string, keys: readonly string[]): Promise<void>;
  /** Removes every tag of a resource (when it is deleted). */
  deleteAll(resourceArn: string): Promise<void>;
}
