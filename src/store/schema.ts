import type { Generated } from 'kysely';

/**
 * The metadata schema as Kysely sees it: one interface per table. Timestamps are stored as
 * epoch milliseconds (bigint-safe numbers) so that SQLite and PostgreSQL agree.
 * Each migration under migrations/ adds its tables here too.
 */
export interface Schema {
  tags: TagsTable;
  models: ModelsTable;
  log_groups: LogGroupsTable;
  log_streams: LogStreamsTable;
  log_events: LogEventsTable;
  images: ImagesTable;
  training_metrics: TrainingMetricsTable;
  training_jobs: TrainingJobsTable;
  filesystems: FileSystemsTable;
  endpoint_configs: EndpointConfigsTable;
  endpoints: EndpointsTable;
  processing_jobs: ProcessingJobsTable;
  transform_jobs: TransformJobsTable;
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

/** CloudWatch Logs log groups (migration 0003). Times are epoch milliseconds. */
export interface LogGroupsTable {
  id: Generated<number>;
  name: string;
  creation_time: number;
  stored_bytes: Generated<number>;
}

/** CloudWatch Logs log streams (migration 0003); event statistics are kept up to date by appends. */
export interface LogStreamsTable {
  id: Generated<number>;
  group_id: number;
  name: string;
  creation_time: number;
  first_event_timestamp: number | null;
  last_event_timestamp: number | null;
  last_ingestion_time: number | null;
  stored_bytes: Generated<number>;
}

/** CloudWatch Logs events (migration 0003); `seq` orders events with equal timestamps. */
export interface LogEventsTable {
  seq: Generated<number>;
  group_id: number;
  stream_id: number;
  timestamp: number;
  ingestion_time: number;
  message: string;
}

/** Training metric samples (migration 0004-training-metrics); `seq` orders equal timestamps. */
export interface TrainingMetricsTable {
  seq: Generated<number>;
  job_name_lower: string;
  metric_name: string;
  /** Epoch milliseconds. */
  timestamp: number;
  value: number;
}

/** User images (migration 0005-images): repository (lower-case) → image directory. */
export interface ImagesTable {
  repository: string;
  directory: string;
  entrypoint: string | null;
  /** Epoch milliseconds. */
  creation_time: number;
}

/** SageMaker training jobs (migration 0006): keys, times and status as columns, the rest in `document` (JSON). */
export interface TrainingJobsTable {
  name_lower: string;
  name: string;
  arn: string;
  /** Epoch milliseconds. */
  creation_time: number;
  last_modified_time: number;
  status: string;
  document: string;
}

/** File systems (migration 0007-filesystems): FileSystemId (lower-case) → a directory of this machine. */
export interface FileSystemsTable {
  file_system_id: string;
  directory: string;
  /** Epoch milliseconds. */
  creation_time: number;
}

/** SageMaker endpoint configurations (migration 0008-endpoints); everything but the keys is in `document` (JSON). */
export interface EndpointConfigsTable {
  name_lower: string;
  name: string;
  arn: string;
  /** Epoch milliseconds. */
  creation_time: number;
  document: string;
}

/** SageMaker endpoints (migration 0008-endpoints): the same columns as training jobs (keys, times, status), the rest in `document` (JSON). */
export type EndpointsTable = TrainingJobsTable;

/** SageMaker transform jobs (migration 0010-transform-jobs): the same columns as training jobs, the rest in `document` (JSON). */
export type TransformJobsTable = TrainingJobsTable;

/** SageMaker processing jobs (migration 0009-processing-jobs): the same columns as training jobs, the rest in `document` (JSON). */
export type ProcessingJobsTable = TrainingJobsTable;
