import type { Database } from '../database.js';
import { listPage, type PageRequest } from './list-page.js';
import { statusDocumentColumns, insertWithTags, recordPage, recordsWithStatus, statusRecord, statusRow, type StoredStatusResource } from './document-rows.js';
import type { TagRow } from './tags.js';

/** What the store needs of a job record (training, processing or transform); the rest is kept as a JSON document. */
export type StoredJob = StoredStatusResource;

/** The tables of SageMaker jobs: one per kind, all with the columns of `TrainingJobsTable` (see schema.ts). */
export type JobTable = 'training_jobs' | 'processing_jobs' | 'transform_jobs';

/**
 * Jobs of one kind in their table (names match case-insensitively). Implements the
 * TrainingJobRepository, ProcessingJobRepository and TransformJobRepository ports.
 */
export class KyselyJobRepository<T extends StoredJob = StoredJob> {
  /** The tables share one row type, so Kysely is shown one of them for all three. */
  private readonly table: 'training_jobs';

  constructor(
    private readonly database: Database,
    table: JobTable,
  ) {
    this.table = table as 'training_jobs';
  }

  /** Stores a new job and its tags in one transaction; false (nothing stored) if the name is taken. */
  async insert(record: T, tags: readonly TagRow[] = []): Promise<boolean> {
    return insertWithTags(this.database, record.arn, tags, (trx) =>
      trx
        .insertInto(this.table)
        .values(statusRow(record))
        .onConflict((oc) => oc.column('name_lower').doNothing())
        .executeTakeFirst(),
    );
  }

  /** Replaces a job's record. */
  async update(record: T): Promise<void> {
    const { name_lower, ...row } = statusRow(record);
    await this.database.db.updateTable(this.table).set(row).where('name_lower', '=', name_lower).execute();
  }

  async get(name: string): Promise<T | undefined> {
    const row = await this.database.db.selectFrom(this.table).selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return row ? statusRecord<T>(row) : undefined;
  }

  /** Jobs whose status is one of `statuses`, oldest first (recovery after a restart). */
  async withStatus(statuses: readonly string[]): Promise<T[]> {
    return recordsWithStatus<T>(this.database, this.table, statuses);
  }

  async list(request: PageRequest): Promise<{ items: T[]; next?: { value: string | number; name: string } }> {
    const page = await listPage(this.database, this.database.db.selectFrom(this.table).selectAll(), request, statusDocumentColumns);
    return recordPage(page, (row) => statusRecord<T>(row));
  }
}
