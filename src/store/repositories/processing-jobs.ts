import type { Database } from '../database.js';
import { listPage, type PageRequest } from './list-page.js';
import { statusDocumentColumns, insertWithTags, recordPage, statusRecord, statusRow, type StoredStatusResource } from './document-rows.js';
import type { TagRow } from './tags.js';

/** What the store needs of a processing job record; the rest is kept as a JSON document. */
export type StoredProcessingJob = StoredStatusResource;

/**
 * Processing jobs in the `processing_jobs` table (names match case-insensitively), stored as
 * training jobs are. Implements src/processing's ProcessingJobRepository port.
 */
export class KyselyProcessingJobRepository<T extends StoredProcessingJob = StoredProcessingJob> {
  constructor(private readonly database: Database) {}

  /** Stores a new job and its tags in one transaction; false (nothing stored) if the name is taken. */
  async insert(record: T, tags: readonly TagRow[] = []): Promise<boolean> {
    return insertWithTags(this.database, record.arn, tags, (trx) =>
      trx
        .insertInto('processing_jobs')
        .values(statusRow(record))
        .onConflict((oc) => oc.column('name_lower').doNothing())
        .executeTakeFirst(),
    );
  }

  /** Replaces a job's record. */
  async update(record: T): Promise<void> {
    const { name_lower, ...row } = statusRow(record);
    await this.database.db.updateTable('processing_jobs').set(row).where('name_lower', '=', name_lower).execute();
  }

  async get(name: string): Promise<T | undefined> {
    const row = await this.database.db.selectFrom('processing_jobs').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return row ? statusRecord<T>(row) : undefined;
  }

  /** Jobs whose status is one of `statuses`, oldest first (recovery after a restart). */
  async withStatus(statuses: readonly string[]): Promise<T[]> {
    const rows = await this.database.db
      .selectFrom('processing_jobs')
      .selectAll()
      .where('status', 'in', statuses)
      .orderBy('creation_time', 'asc')
      .orderBy('name_lower', 'asc')
      .execute();
    return rows.map((row) => statusRecord<T>(row));
  }

  async list(request: PageRequest): Promise<{ items: T[]; next?: { value: string | number; name: string } }> {
    const page = await listPage(this.database, this.database.db.selectFrom('processing_jobs').selectAll(), request, statusDocumentColumns);
    return recordPage(page, (row) => statusRecord<T>(row));
  }
}
