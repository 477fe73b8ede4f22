import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { Schema } from '../schema.js';

/** A log group as stored. Times are epoch milliseconds. */
export interface StoredLogGroup {
  readonly name: string;
  readonly creationTime: number;
  readonly storedBytes: number;
}

/** A log stream as stored, with the statistics appends maintain. */
export interface StoredLogStream {
  readonly name: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  readonly storedBytes: number;
}

/** One stored event; `seq` orders events of equal timestamp (ascending in insertion order). */
export interface StoredLogEvent {
  readonly seq: number;
  readonly streamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/** A position between events in (timestamp, seq) order. */
export interface EventPosition {
  readonly timestamp: number;
  readonly seq: number;
}

/** Which events of a group to read, in (timestamp, seq) order. */
export interface EventQuery {
  /** One stream, or the streams named, or those whose name starts with the prefix; all streams if none given. */
  readonly streamNames?: readonly string[];
  readonly streamPrefix?: string;
  /** Only events strictly after this position (ascending reads) … */
  readonly after?: EventPosition;
  /** … or strictly before it (descending reads). */
  readonly before?: EventPosition;
  /** Inclusive lower bound on the timestamp. */
  readonly startTime?: number;
  /** Exclusive upper bound on the timestamp. */
  readonly endTimeExclusive?: number;
  readonly descending?: boolean;
  readonly limit: number;
}

export interface StreamQuery {
  readonly prefix?: string;
  readonly orderBy: 'name' | 'lastEventTime';
  readonly descending: boolean;
  /** Continue after this stream (its name and, for `lastEventTime`, its last event timestamp or -1). */
  readonly after?: { readonly name: string; readonly lastEventTimestamp: number };
  readonly limit: number;
}

export interface GroupQuery {
  readonly prefix?: string;
  /** Case-insensitive substring. */
  readonly contains?: string;
  /** Continue after this group name. */
  readonly after?: string;
  readonly limit: number;
}

/** What `append` reports when it may not create what is missing. */
export type AppendOutcome = 'appended' | 'no-group' | 'no-stream';

/** Rows per INSERT: 6 parameters each stays well under SQLite's and PostgreSQL's limits. */
const INSERT_CHUNK = 500;
/** AWS counts 26 bytes of overhead per event. */
const EVENT_OVERHEAD_BYTES = 26;

type Trx = Transaction<Schema>;

/**
 * CloudWatch Logs groups, streams and events in the metadata database (migration 0003).
 * Implements src/logs' LogRepository port. Works on SQLite and PostgreSQL.
 */
export class KyselyLogRepository {
  constructor(private readonly database: Database) {}

  /** Creates a group; false if one of that name exists. */
  async createGroup(name: string, creationTime: number): Promise<boolean> {
    const result = await this.database.db
      .insertInto('log_groups')
      .values({ name, creation_time: creationTime })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Creates a stream in a group. */
  async createStream(group: string, name: string, creationTime: number): Promise<'created' | 'exists' | 'no-group'> {
    return this.database.db.transaction().execute(async (trx) => {
      const groupId = await this.groupId(trx, group);
      if (groupId === undefined) return 'no-group';
      const result = await trx
        .insertInto('log_streams')
        .values({ group_id: groupId, name, creation_time: creationTime })
        .onConflict((oc) => oc.columns(['group_id', 'name']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0 ? 'created' : 'exists';
    });
  }

  /** Deletes a group with its streams and events; false if there is none. */
  async deleteGroup(name: string): Promise<boolean> {
    return this.database.db.transaction().execute(async (trx) => {
      const groupId = await this.groupId(trx, name);
      if (groupId === undefined) return false;
      await trx.deleteFrom('log_events').where('group_id', '=', groupId).execute();
      await trx.deleteFrom('log_streams').where('group_id', '=', groupId).execute();
      await trx.deleteFrom('log_groups').where('id', '=', groupId).execute();
      return true;
    });
  }

  /** Deletes a stream with its events. */
  async deleteStream(group: string, name: string): Promise<'deleted' | 'no-group' | 'no-stream'> {
    return this.database.db.transaction().execute(async (trx) => {
      const groupId = await this.groupId(trx, group);
      if (groupId === undefined) return 'no-group';
      const stream = await trx
        .selectFrom('log_streams')
        .select(['id', 'stored_bytes'])
        .where('group_id', '=', groupId)
        .where('name', '=', name)
        .executeTakeFirst();
      if (stream === undefined) return 'no-stream';
      await trx.deleteFrom('log_events').where('stream_id', '=', stream.id).execute();
      await trx.deleteFrom('log_streams').where('id', '=', stream.id).execute();
      await trx
        .updateTable('log_groups')
        .set((eb) => ({ stored_bytes: eb('stored_bytes', '-', Number(stream.stored_bytes)) }))
        .where('id', '=', groupId)
        .execute();
      return 'deleted';
    });
  }

  async getGroup(name: string): Promise<StoredLogGroup | undefined> {
    const row = await this.database.db.selectFrom('log_groups').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { name: row.name, creationTime: Number(row.creation_time), storedBytes: Number(row.stored_bytes) };
  }

  async getStream(group: string, name: string): Promise<StoredLogStream | undefined> {
    const row = await this.database.db
      .selectFrom('log_streams as s')
      .innerJoin('log_groups as g', 'g.id', 's.group_id')
      .selectAll('s')
      .where('g.name', '=', group)
      .where('s.name', '=', name)
      .executeTakeFirst();
    return row && toStream(row);
  }

  /** Groups in name order (byte-wise). */
  async listGroups(query: GroupQuery): Promise<StoredLogGroup[]> {
    let q = this.database.db.selectFrom('log_groups').selectAll().orderBy('name').limit(query.limit);
    if (query.prefix !== undefined && query.prefix !== '') q = q.where((eb) => startsWith(eb, 'name', query.prefix ?? ''));
    if (query.after !== undefined) q = q.where('name', '>', query.after);
    if (query.contains !== undefined && query.contains !== '') {
      const needle = query.contains.toLowerCase();
      q = q.where(this.database.dialect === 'postgres' ? sql<boolean>`strpos(lower(name), ${needle}) > 0` : sql<boolean>`instr(lower(name), ${needle}) > 0`);
    }
    const rows = await q.execute();
    return rows.map((row) => ({ name: row.name, creationTime: Number(row.creation_time), storedBytes: Number(row.stored_bytes) }));
  }

  /** Streams of a group, by name or by last event time (streams without events first, as -1). */
  async listStreams(group: string, query: StreamQuery): Promise<StoredLogStream[] | undefined> {
    const groupId = await this.groupId(this.database.db, group);
    if (groupId === undefined) return undefined;
    const direction = query.descending ? 'desc' : 'asc';
    const cmp = query.descending ? '<' : '>';
    let q = this.database.db.selectFrom('log_streams').selectAll().where('group_id', '=', groupId).limit(query.limit);
    if (query.prefix !== undefined && query.prefix !== '') q = q.where((eb) => startsWith(eb, 'name', query.prefix ?? ''));
    const after = query.after;
    if (query.orderBy === 'name') {
      q = q.orderBy('name', direction);
      if (after) q = q.where('name', cmp, after.name);
    } else {
      const last = sql<number>`coalesce(last_event_timestamp, -1)`;
      q = q.orderBy(last, direction).orderBy('name', direction);
      if (after) {
        q = q.where((eb) => eb.or([eb(last, cmp, after.lastEventTimestamp), eb.and([eb(last, '=', after.lastEventTimestamp), eb('name', cmp, after.name)])]));
      }
    }
    return (await q.execute()).map(toStream);
  }

  /**
   * Appends events to a stream in one transaction: batched inserts, then the stream's and the
   * group's statistics. With `createMissing` the group and stream are created as needed;
   * otherwise a missing one is reported and nothing is written.
   */
  async append(
    group: string,
    stream: string,
    events: readonly { timestamp: number; message: string }[],
    ingestionTime: number,
    createMissing: boolean,
  ): Promise<AppendOutcome> {
    return this.database.db.transaction().execute(async (trx) => {
      let groupId = await this.groupId(trx, group);
      if (groupId === undefined) {
        if (!createMissing) return 'no-group';
        await trx
          .insertInto('log_groups')
          .values({ name: group, creation_time: ingestionTime })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        groupId = await this.groupId(trx, group);
        if (groupId === undefined) throw new Error(`log group ${group} vanished while appending`);
      }
      let streamId = await this.streamId(trx, groupId, stream);
      if (streamId === undefined) {
        if (!createMissing) return 'no-stream';
        await trx
          .insertInto('log_streams')
          .values({ group_id: groupId, name: stream, creation_time: ingestionTime })
          .onConflict((oc) => oc.columns(['group_id', 'name']).doNothing())
          .execute();
        streamId = await this.streamId(trx, groupId, stream);
        if (streamId === undefined) throw new Error(`log stream ${stream} vanished while appending`);
      }
      if (events.length === 0) return 'appended';
      let bytes = 0;
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < events.length; i += INSERT_CHUNK) {
        const rows = events.slice(i, i + INSERT_CHUNK).map((e) => {
          bytes += Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD_BYTES;
          if (e.timestamp < first) first = e.timestamp;
          if (e.timestamp > last) last = e.timestamp;
          return { group_id: groupId, stream_id: streamId, timestamp: e.timestamp, ingestion_time: ingestionTime, message: e.message };
        });
        await trx.insertInto('log_events').values(rows).execute();
      }
      await trx
        .updateTable('log_streams')
        .set({
          first_event_timestamp: sql<number>`case when first_event_timestamp is null or first_event_timestamp > ${first} then ${first} else first_event_timestamp end`,
          last_event_timestamp: sql<number>`case when last_event_timestamp is null or last_event_timestamp < ${last} then ${last} else last_event_timestamp end`,
          last_ingestion_time: ingestionTime,
          stored_bytes: sql<number>`stored_bytes + ${bytes}`,
        })
        .where('id', '=', streamId)
        .execute();
      await trx
        .updateTable('log_groups')
        .set({ stored_bytes: sql<number>`stored_bytes + ${bytes}` })
        .where('id', '=', groupId)
        .execute();
      return 'appended';
    });
  }

  /** Events of a group in (timestamp, seq) order; undefined if the group does not exist. */
  async readEvents(group: string, query: EventQuery): Promise<StoredLogEvent[] | undefined> {
    const groupId = await this.groupId(this.database.db, group);
    if (groupId === undefined) return undefined;
    const direction = query.descending ? 'desc' : 'asc';
    let q = this.database.db
      .selectFrom('log_events as e')
      .innerJoin('log_streams as s', 's.id', 'e.stream_id')
      .select(['e.seq', 'e.timestamp', 'e.ingestion_time', 'e.message', 's.name as stream_name'])
      .where('e.group_id', '=', groupId)
      .orderBy('e.timestamp', direction)
      .orderBy('e.seq', direction)
      .limit(query.limit);
    if (query.streamNames !== undefined) {
      if (query.streamNames.length === 0) return [];
      q = q.where('s.name', 'in', [...query.streamNames]);
    }
    if (query.streamPrefix !== undefined && query.streamPrefix !== '') q = q.where((eb) => startsWith(eb, 's.name', query.streamPrefix ?? ''));
    if (query.startTime !== undefined) q = q.where('e.timestamp', '>=', query.startTime);
    if (query.endTimeExclusive !== undefined) q = q.where('e.timestamp', '<', query.endTimeExclusive);
    const { after, before } = query;
    if (after)
      q = q.where((eb) => eb.or([eb('e.timestamp', '>', after.timestamp), eb.and([eb('e.timestamp', '=', after.timestamp), eb('e.seq', '>', after.seq)])]));
    if (before)
      q = q.where((eb) => eb.or([eb('e.timestamp', '<', before.timestamp), eb.and([eb('e.timestamp', '=', before.timestamp), eb('e.seq', '<', before.seq)])]));
    const rows = await q.execute();
    return rows.map((row) => ({
      seq: Number(row.seq),
      streamName: row.stream_name,
      timestamp: Number(row.timestamp),
      ingestionTime: Number(row.ingestion_time),
      message: row.message,
    }));
  }

  private async groupId(db: Trx | Database['db'], name: string): Promise<number | undefined> {
    const row = await db.selectFrom('log_groups').select('id').where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : Number(row.id);
  }

  private async streamId(trx: Trx, groupId: number, name: string): Promise<number | undefined> {
    const row = await trx.selectFrom('log_streams').select('id').where('group_id', '=', groupId).where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : Number(row.id);
  }
}

/** `column` starts with `prefix`, exactly (no LIKE wildcards or case folding), using the name index. */
function startsWith<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, column: string, prefix: string) {
  const ref = sql.ref(column);
  return eb.and([eb(ref as never, '>=', prefix as never), sql<boolean>`substr(${ref}, 1, ${prefix.length}) = ${prefix}` as never]);
}

function toStream(row: {
  name: string;
  creation_time: number;
  first_event_timestamp: number | null;
  last_event_timestamp: number | null;
  last_ingestion_time: number | null;
  stored_bytes: number;
}): StoredLogStream {
  return {
    name: row.name,
    creationTime: Number(row.creation_time),
    ...(row.first_event_timestamp === null ? {} : { firstEventTimestamp: Number(row.first_event_timestamp) }),
    ...(row.last_event_timestamp === null ? {} : { lastEventTimestamp: Number(row.last_event_timestamp) }),
    ...(row.last_ingestion_time === null ? {} : { lastIngestionTime: Number(row.last_ingestion_time) }),
    storedBytes: Number(row.stored_bytes),
  };
}
