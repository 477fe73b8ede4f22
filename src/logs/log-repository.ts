// The store port the log service needs. src/store/repositories/logs.ts implements it for SQLite and
// PostgreSQL; the shapes are repeated here so that the service does not import the adapter.

export interface LogGroupRecord {
  readonly name: string;
  readonly creationTime: number;
  readonly storedBytes: number;
}

export interface LogStreamRecord {
  readonly name: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  readonly storedBytes: number;
}

/** A stored event; `seq` (unique, ascending in insertion order) breaks timestamp ties. */
export interface LogEventRecord {
  readonly seq: number;
  readonly streamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/** A point between events in (timestamp, seq) order. */
export interface EventPosition {
  readonly timestamp: number;
  readonly seq: number;
}

/** Times are epoch milliseconds; all reads are bounded by `limit`. */
export interface LogRepository {
  createGroup(name: string, creationTime: number): Promise<boolean>;
  createStream(group: string, name: string, creationTime: number): Promise<'created' | 'exists' | 'no-group'>;
  deleteGroup(name: string): Promise<boolean>;
  deleteStream(group: string, name: string): Promise<'deleted' | 'no-group' | 'no-stream'>;
  getGroup(name: string): Promise<LogGroupRecord | undefined>;
  getStream(group: string, name: string): Promise<LogStreamRecord | undefined>;
  listGroups(query: { prefix?: string; contains?: string; after?: string; limit: number }): Promise<LogGroupRecord[]>;
  listStreams(
    group: string,
    query: {
      prefix?: string;
      orderBy: 'name' | 'lastEventTime';
      descending: boolean;
      after?: { name: string; lastEventTimestamp: number };
      limit: number;
    },
  ): Promise<LogStreamRecord[] | undefined>;
  append(
    group: string,
    stream: string,
    events: readonly { timestamp: number; message: string }[],
    ingestionTime: number,
    createMissing: boolean,
  ): Promise<'appended' | 'no-group' | 'no-stream'>;
  readEvents(
    group: string,
    query: {
      streamNames?: readonly string[];
      streamPrefix?: string;
      after?: EventPosition;
      before?: EventPosition;
      startTime?: number;
      endTimeExclusive?: number;
      descending?: boolean;
      limit: number;
    },
  ): Promise<LogEventRecord[] | undefined>;
}
