/**
 * The metadata schema as Kysely sees it: one interface per table. Timestamps are stored as
 * epoch milliseconds (bigint-safe numbers) so that SQLite and PostgreSQL agree.
 * Each migration under migrations/ adds its tables here too.
 */
export interface Schema {
  tags: TagsTable;
}

export interface TagsTable {
  /** Lower-cased resource ARN (SageMaker matches tag ARNs case-insensitively). */
  resource_arn: string;
  tag_key: string;
  tag_value: string;
}
