/**
 * The metadata schema as Kysely sees it: one interface per table. Timestamps are stored as
 * epoch milliseconds (bigint-safe numbers) so that SQLite and PostgreSQL agree.
 * Each migration under migrations/ adds its tables here too.
 */
export interface Schema {
  tags: TagsTable;
  models: ModelsTable;
}

export interface TagsTable {
  /** Lower-cased resource ARN (SageMaker matches tag ARNs case-insensitively). */
  resource_arn: string;
  tag_key: string;
  tag_value: string;
}

/** SageMaker models (migration 0002); everything but the keys is in `document` (JSON). */
export interface ModelsTable {
  name_lower: string;
  name: string;
  arn: string;
  /** Epoch milliseconds. */
  creation_time: number;
  document: string;
}
