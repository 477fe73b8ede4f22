import type { Database } from '../database.js';

/** A stored metric sample; `seq` orders samples of equal timestamp. Times are epoch milliseconds. */
export interface StoredTrainingMetric {
  readonly metricName: string;
  readonly timestamp: number;
  readonly value: number;
  readonly seq: number;
}

/** Rows per INSERT: 4 parameters each stays well under SQLite's and PostgreSQL's limits. */
const INSERT_CHUNK = 500;
const DEFAULT_LIMIT = 10_000;

/**
 * Training metric time series in the metadata database (migration 0004-training-metrics), keyed
 * by the lower-cased job name. Implements src/training/metrics' TrainingMetricsRepository port.
 * Works on SQLite and PostgreSQL.
 */
export class KyselyTrainingMetricsRepository {
  constructor(private readonly database: Database) {}

  /** Stores samples in one transaction, in chunks of 500 rows; `seq` follows the given order. */
  async append(jobName: string, samples: readonly { readonly metricName: string; readonly timestamp: number; readonly value: number }[]): Promise<void> {
    if (samples.length === 0) return;
    const job = jobName.toLowerCase();
    await this.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < samples.length; i += INSERT_CHUNK) {
        const rows = samples
          .slice(i, i + INSERT_CHUNK)
          .map((s) => ({ job_name_lower: job, metric_name: s.metricName, timestamp: s.timestamp, value: s.value }));
        await trx.insertInto('training_metrics').values(rows).execute();
      }
    });
  }

  /** A page of a job's samples (one metric or all) in (timestamp, seq) order, after a position. */
  async read(
    jobName: string,
    query: { readonly metricName?: string; readonly after?: { readonly timestamp: number; readonly seq: number }; readonly limit?: number } = {},
  ): Promise<StoredTrainingMetric[]> {
    let q = this.database.db
      .selectFrom('training_metrics')
      .select(['metric_name', 'timestamp', 'value', 'seq'])
      .where('job_name_lower', '=', jobName.toLowerCase())
      .orderBy('timestamp')
      .orderBy('seq')
      .limit(query.limit ?? DEFAULT_LIMIT);
    if (query.metricName !== undefined) q = q.where('metric_name', '=', query.metricName);
    const after = query.after;
    if (after) q = q.where((eb) => eb.or([eb('timestamp', '>', after.timestamp), eb.and([eb('timestamp', '=', after.timestamp), eb('seq', '>', after.seq)])]));
    return (await q.execute()).map(toSample);
  }

  /** The metric names a job has samples for, sorted. */
  async metricNames(jobName: string): Promise<string[]> {
    const rows = await this.database.db
      .selectFrom('training_metrics')
      .select('metric_name')
      .distinct()
      .where('job_name_lower', '=', jobName.toLowerCase())
      .orderBy('metric_name')
      .execute();
    return rows.map((row) => row.metric_name);
  }

  /** The last sample (latest timestamp, then latest seq) of each metric of a job, by metric name. */
  async lastValues(jobName: string): Promise<StoredTrainingMetric[]> {
    const ranked = this.database.db
      .selectFrom('training_metrics')
      .select(['metric_name', 'timestamp', 'value', 'seq'])
      .select((eb) =>
        eb.fn
          .agg<number>('row_number')
          .over((ob) => ob.partitionBy('metric_name').orderBy('timestamp', 'desc').orderBy('seq', 'desc'))
          .as('rank'),
      )
      .where('job_name_lower', '=', jobName.toLowerCase());
    const rows = await this.database.db
      .selectFrom(ranked.as('ranked'))
      .select(['metric_name', 'timestamp', 'value', 'seq'])
      .where('rank', '=', 1)
      .orderBy('metric_name')
      .execute();
    return rows.map(toSample);
  }

  /** Removes a job's samples; returns how many there were. */
  async deleteJob(jobName: string): Promise<number> {
    const result = await this.database.db.deleteFrom('training_metrics').where('job_name_lower', '=', jobName.toLowerCase()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toSample(row: { metric_name: string; timestamp: number; value: number; seq: number }): StoredTrainingMetric {
  return { metricName: row.metric_name, timestamp: Number(row.timestamp), value: Number(row.value), seq: Number(row.seq) };
}
