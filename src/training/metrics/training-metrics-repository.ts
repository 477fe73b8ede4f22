/** A stored metric sample; `seq` orders samples of equal timestamp (insertion order). Times are epoch milliseconds. */
export interface StoredMetricSample {
  readonly metricName: string;
  readonly timestamp: number;
  readonly value: number;
  readonly seq: number;
}

/** Which samples of a job to read, in (timestamp, seq) order. */
export interface MetricSeriesQuery {
  /** One metric; all metrics if absent. */
  readonly metricName?: string;
  /** Only samples after this `seq` in (timestamp, seq) order: pass the last sample of the previous page. */
  readonly after?: { readonly timestamp: number; readonly seq: number };
  /** Page size (default 10 000). */
  readonly limit?: number;
}

/**
 * The time series of training metrics, per job (job names compare case-insensitively, as
 * SageMaker's do). Implemented by src/store's KyselyTrainingMetricsRepository.
 */
export interface TrainingMetricsRepository {
  /** Stores samples of a job in one transaction (batched inserts); order is kept for equal timestamps. */
  append(jobName: string, samples: readonly { readonly metricName: string; readonly timestamp: number; readonly value: number }[]): Promise<void>;
  /** A page of a job's samples in (timestamp, seq) order. */
  read(jobName: string, query?: MetricSeriesQuery): Promise<StoredMetricSample[]>;
  /** The metric names a job has samples for, sorted. */
  metricNames(jobName: string): Promise<string[]>;
  /** The last sample of each metric (latest timestamp, then latest seq), sorted by metric name: FinalMetricDataList after a restart. */
  lastValues(jobName: string): Promise<StoredMetricSample[]>;
  /** Removes a job's samples; returns how many there were. */
  deleteJob(jobName: string): Promise<number>;
}
