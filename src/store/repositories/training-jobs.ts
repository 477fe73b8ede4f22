import type { Database } from '../database.js';
import type { TrainingJobsTable } from '../schema.js';
import { listPage, type PageRequest } from './list-page.js';
import { replaceTags, type TagRow } from './tags.js';

/** What the store needs of a training job record; the rest is kept as a JSON document. */
export interface StoredTrainingJob {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
  readonly status: string;
}

function toRecord<T extends StoredTrainingJob>(row: TrainingJobsTable): T {
  return {
    ...(JSON.parse(row.document) as object),
    name: row.name,
    arn: row.arn,
    creationTime: Number(row.creation_time),
    lastModifiedTime: Number(row.last_modified_time),
    status: row.status,
  } as T;
}

function toRow(record: StoredTrainingJob): TrainingJobsTable {
  const { name, arn, creationTime, lastModifiedTime, status, ...rest } = record;
  return {
    name_lower: name.toLowerCase(),
    name,
    arn,
    creation_time: creationTime,
    last_modified_time: lastModifiedTime,
    status,
    document: JSON.stringify(rest),
  };
}

/**
 * Training jobs in the `training_jobs` table (names match case-insensitively). Implements
 * src/training's TrainingJobRepository port.
 */
export class KyselyTrainingJobRepository<T extends StoredTrainingJob = StoredTrainingJob> {
  constructor(private readonly database: Database) {}

  /** Inserts a new job; false if one with that name exists. */
  /** Stores a new job and its tags in one transaction; false (nothing stored) if the name is taken. */
  async insert(record: T, tags: readonly TagRow[] = []): Promise<boolean> {
    return this.database.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('training_jobs')
        .values(toRow(record))
        .onConflict((oc) => oc.column('name_lower').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await replaceTags(trx, record.arn, tags);
      return true;
    });
  }

  /** Replaces a job's record. */
  async update(record: T): Promise<void> {
    const { name_lower, ...row } = toRow(record);
    await this.database.db.updateTable('training_jobs').set(row).where('name_lower', '=', name_lower).execute();
  }

  async get(name: string): Promise<T | undefined> {
    const row = await this.database.db.selectFrom('training_jobs').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return row ? toRecord<T>(row) : undefined;
  }

  /** Jobs whose status is one of `statuses`, oldest first (recovery after a restart). */
  async withStatus(statuses: readonly string[]): Promise<T[]> {
    const rows = await this.database.db
      .selectFrom('training_jobs')
      .selectAll()
      .where('status', 'in', statuses)
      .orderBy('creation_time', 'asc')
      .orderBy('name_lower', 'asc')
      .execute();
    return rows.map((row) => toRecord<T>(row));
  }

  async list(request: PageRequest): Promise<{ items: T[]; next?: { value: string | number; name: string } }> {
    const page = await listPage(this.database, this.database.db.selectFrom('training_jobs').selectAll(), request, {
      nameLower: 'name_lower',
      creationTime: 'creation_time',
      lastModifiedTime: 'last_modified_time',
      status: 'status',
      sortColumns: { name: 'name_lower', creationTime: 'creation_time', status: 'status' },
      textColumns: ['status'],
    });
    const items = page.rows.map((row) => toRecord<T>(row));
    return page.next ? { items, next: page.next } : { items };
  }
}
