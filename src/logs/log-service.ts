import { InvalidParameter, LogsResourceAlreadyExists, LogsResourceNotFound } from '../errors/index.js';
import { compileFilterPattern } from './filter-pattern.js';
import type { EventPosition, LogEventRecord, LogGroupRecord, LogRepository, LogStreamRecord } from './log-repository.js';
import { backwardToken, decodeToken, encodeToken, forwardToken, parseEventToken, tokenNumber, tokenString } from './tokens.js';

/** One event to store: epoch-millisecond timestamp and message. */
export interface LogEventInput {
  readonly timestamp: number;
  readonly message: string;
}

export interface LogServiceOptions {
  readonly region: string;
  readonly accountId: string;
  /** Clock in epoch milliseconds (tests); defaults to Date.now. */
  readonly now?: () => number;
}

export interface LogGroupInfo extends LogGroupRecord {
  /** `arn:aws:logs:<region>:<acct>:log-group:<name>` (the `arn` member adds `:*`). */
  readonly arn: string;
}

export interface LogStreamInfo extends LogStreamRecord {
  readonly arn: string;
}

export interface OutputLogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

export interface FilteredLogEvent extends OutputLogEvent {
  readonly logStreamName: string;
  readonly eventId: string;
}

/** One page of a listing; `nextToken` only when more items exist. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/** Largest response page of events: 1 MiB counting 26 bytes per event, as CloudWatch does. */
const MAX_PAGE_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
/** Events FilterLogEvents examines per call before answering with what it has and a nextToken. */
const FILTER_SCAN_BUDGET = 100_000;
const FILTER_BATCH = 1_000;
const DAY_MS = 86_400_000;
/** A position before every event (timestamps are never negative). */
const START: EventPosition = { timestamp: -1, seq: 0 };

/**
 * CloudWatch Logs over a LogRepository: what the Logs API serves and where training jobs,
 * processing jobs and endpoints write their output (`append`). Times are epoch milliseconds.
 * Methods throw LogsResourceNotFound, LogsResourceAlreadyExists or InvalidParameter with
 * CloudWatch's wording.
 */
export class LogService {
  private readonly now: () => number;

  constructor(
    private readonly repository: LogRepository,
    private readonly options: LogServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Appends events to a stream, creating the group and the stream if needed, in one transaction
   * (batched inserts). Events need not be in order; reads order them by (timestamp, arrival).
   * `append(group, stream, [])` only creates the stream, so that DescribeLogStreams finds it before
   * the first line. For many small writes use a LogStreamWriter, which batches them.
   * Throws InvalidParameter for a negative or non-integer timestamp.
   */
  async append(group: string, stream: string, events: readonly LogEventInput[]): Promise<void> {
    for (const event of events) checkTimestamp(event.timestamp);
    await this.repository.append(group, stream, events, this.now(), true);
  }

  async createLogGroup(name: string): Promise<void> {
    if (!(await this.repository.createGroup(name, this.now()))) throw new LogsResourceAlreadyExists('group');
  }

  async createLogStream(group: string, name: string): Promise<void> {
    const outcome = await this.repository.createStream(group, name, this.now());
    if (outcome === 'no-group') throw new LogsResourceNotFound('group');
    if (outcome === 'exists') throw new LogsResourceAlreadyExists('stream');
  }

  async deleteLogGroup(name: string): Promise<void> {
    if (!(await this.repository.deleteGroup(name))) throw new LogsResourceNotFound('group');
  }

  async deleteLogStream(group: string, name: string): Promise<void> {
    const outcome = await this.repository.deleteStream(group, name);
    if (outcome !== 'deleted') throw new LogsResourceNotFound(outcome === 'no-group' ? 'group' : 'stream');
  }

  /**
   * PutLogEvents: events must be in chronological order and span at most 24 hours; events more
   * than 2 hours in the future or 14 days in the past are rejected (reported, not stored).
   */
  async putLogEvents(
    group: string,
    stream: string,
    events: readonly LogEventInput[],
  ): Promise<{ tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number }> {
    if (events.length === 0)
      throw new InvalidParameter(
        "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    let bytes = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as LogEventInput;
      checkTimestamp(event.timestamp);
      if (i > 0 && event.timestamp < (events[i - 1] as LogEventInput).timestamp) {
        throw new InvalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
      }
      bytes += Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD;
    }
    if (bytes > MAX_PAGE_BYTES) throw new InvalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_PAGE_BYTES}`);
    const first = (events[0] as LogEventInput).timestamp;
    if ((events[events.length - 1] as LogEventInput).timestamp - first > DAY_MS) {
      throw new InvalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
    }
    const now = this.now();
    const oldEnd = events.findIndex((e) => e.timestamp >= now - 14 * DAY_MS);
    const tooOldEnd = oldEnd < 0 ? events.length : oldEnd;
    const newStart = events.findIndex((e) => e.timestamp > now + 2 * 3_600_000);
    const tooNewStart = newStart < 0 ? events.length : newStart;
    const accepted = events.slice(tooOldEnd, Math.max(tooOldEnd, tooNewStart));
    const outcome = await this.repository.append(group, stream, accepted, now, false);
    if (outcome !== 'appended') throw new LogsResourceNotFound(outcome === 'no-group' ? 'group' : 'stream');
    return {
      ...(tooOldEnd > 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
      ...(tooNewStart < events.length ? { tooNewLogEventStartIndex: tooNewStart } : {}),
    };
  }

  /** Groups in name order; `prefix` and `pattern` (case-insensitive substring) exclude each other. */
  async describeLogGroups(query: { prefix?: string; pattern?: string; limit?: number; nextToken?: string }): Promise<Page<LogGroupInfo>> {
    if (query.prefix !== undefined && query.pattern !== undefined) {
      throw new InvalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
    }
    const limit = query.limit ?? 50;
    const after = query.nextToken === undefined ? undefined : tokenString(decodeToken('groups', query.nextToken), 'n');
    const rows = await this.repository.listGroups({
      ...(query.prefix !== undefined ? { prefix: query.prefix } : {}),
      ...(query.pattern !== undefined ? { contains: query.pattern } : {}),
      ...(after !== undefined ? { after } : {}),
      limit: limit + 1,
    });
    const items = rows.slice(0, limit).map((g) => ({ ...g, arn: this.groupArn(g.name) }));
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextToken: encodeToken('groups', { n: last.name }) } : { items };
  }

  /**
   * Streams of a group by name (default) or by last event time, ascending unless `descending`.
   * `LastEventTime` with a prefix is an InvalidParameter, as in CloudWatch.
   */
  async describeLogStreams(query: {
    group: string;
    prefix?: string;
    orderBy?: 'LogStreamName' | 'LastEventTime';
    descending?: boolean;
    limit?: number;
    nextToken?: string;
  }): Promise<Page<LogStreamInfo>> {
    const orderBy = query.orderBy === 'LastEventTime' ? 'lastEventTime' : 'name';
    if (orderBy === 'lastEventTime' && query.prefix !== undefined) {
      throw new InvalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const descending = query.descending ?? false;
    const limit = query.limit ?? 50;
    let after: { name: string; lastEventTimestamp: number } | undefined;
    if (query.nextToken !== undefined) {
      const cursor = decodeToken('streams', query.nextToken);
      if (cursor.o !== orderBy || cursor.d !== descending) throw new InvalidParameter('The specified nextToken is invalid.');
      after = { name: tokenString(cursor, 'n'), lastEventTimestamp: tokenNumber(cursor, 't') };
    }
    const rows = await this.repository.listStreams(query.group, {
      ...(query.prefix !== undefined ? { prefix: query.prefix } : {}),
      orderBy,
      descending,
      ...(after ? { after } : {}),
      limit: limit + 1,
    });
    if (rows === undefined) throw new LogsResourceNotFound('group');
    const items = rows.slice(0, limit).map((s) => ({ ...s, arn: this.streamArn(query.group, s.name) }));
    const last = items.at(-1);
    if (rows.length <= limit || !last) return { items };
    return { items, nextToken: encodeToken('streams', { o: orderBy, d: descending, n: last.name, t: last.lastEventTimestamp ?? -1 }) };
  }

  /**
   * GetLogEvents: one stream's events in ascending order. Without a token, the first page from
   * the head (`startFromHead`) or the last page (default). Both tokens are always returned; when
   * no further events exist the page is empty and `nextForwardToken` equals the token sent.
   * `startTime` is inclusive, `endTime` exclusive; at most `limit` (≤ 10 000) events and 1 MiB.
   */
  async getLogEvents(query: {
    group: string;
    stream: string;
    startTime?: number;
    endTime?: number;
    startFromHead?: boolean;
    limit?: number;
    nextToken?: string;
  }): Promise<{ events: OutputLogEvent[]; nextForwardToken: string; nextBackwardToken: string }> {
    const token = query.nextToken === undefined ? undefined : parseEventToken(query.nextToken);
    await this.requireStream(query.group, query.stream);
    const forward = token ? token.direction === 'forward' : (query.startFromHead ?? false);
    const position = token?.position ?? (forward ? START : undefined);
    const rows =
      (await this.repository.readEvents(query.group, {
        streamNames: [query.stream],
        ...(forward && position ? { after: position } : {}),
        ...(!forward && position ? { before: position } : {}),
        ...(query.startTime !== undefined ? { startTime: query.startTime } : {}),
        ...(query.endTime !== undefined ? { endTimeExclusive: query.endTime } : {}),
        descending: !forward,
        limit: query.limit ?? 10_000,
      })) ?? [];
    const page = capBytes(rows);
    if (!forward) page.reverse();
    const first = page[0];
    const last = page.at(-1);
    if (first && last) {
      return {
        events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: forwardToken(last),
        nextBackwardToken: backwardToken(first),
      };
    }
    // Nothing (more) in that direction: stay where we are.
    if (position === undefined)
      return { events: [], nextForwardToken: forwardToken(START), nextBackwardToken: backwardToken({ timestamp: START.timestamp, seq: START.seq + 1 }) };
    return forward
      ? { events: [], nextForwardToken: forwardToken(position), nextBackwardToken: backwardToken({ timestamp: position.timestamp, seq: position.seq + 1 }) }
      : { events: [], nextForwardToken: forwardToken({ timestamp: position.timestamp, seq: position.seq - 1 }), nextBackwardToken: backwardToken(position) };
  }

  /**
   * FilterLogEvents: events of the selected streams (names, or a prefix, or all) interleaved by
   * timestamp, matching `filterPattern` (see compileFilterPattern). `startTime` and `endTime` are
   * inclusive. A nextToken is returned only while more matching events may exist.
   */
  async filterLogEvents(query: {
    group: string;
    streamNames?: readonly string[];
    streamPrefix?: string;
    startTime?: number;
    endTime?: number;
    filterPattern?: string;
    limit?: number;
    nextToken?: string;
  }): Promise<{ events: FilteredLogEvent[]; searchedLogStreams: { logStreamName: string; searchedCompletely: boolean }[]; nextToken?: string }> {
    if (query.streamNames !== undefined && query.streamPrefix !== undefined) {
      throw new InvalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    const matches = compileFilterPattern(query.filterPattern);
    let position = START;
    if (query.nextToken !== undefined) {
      const cursor = decodeToken('filter', query.nextToken);
      position = { timestamp: tokenNumber(cursor, 't'), seq: tokenNumber(cursor, 's') };
    }
    if ((await this.repository.getGroup(query.group)) === undefined) throw new LogsResourceNotFound('group');
    const limit = query.limit ?? 10_000;
    const found: LogEventRecord[] = [];
    let scanned = 0;
    let bytes = 0;
    let stoppedAt: EventPosition | undefined;
    for (;;) {
      const batch =
        (await this.repository.readEvents(query.group, {
          ...(query.streamNames !== undefined ? { streamNames: query.streamNames } : {}),
          ...(query.streamPrefix !== undefined ? { streamPrefix: query.streamPrefix } : {}),
          after: position,
          ...(query.startTime !== undefined ? { startTime: query.startTime } : {}),
          ...(query.endTime !== undefined ? { endTimeExclusive: query.endTime + 1 } : {}),
          limit: FILTER_BATCH,
        })) ?? [];
      for (const event of batch) {
        position = event;
        scanned++;
        if (!matches(event.message)) continue;
        const size = Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD;
        if (found.length === limit || bytes + size > MAX_PAGE_BYTES) {
          stoppedAt = found.at(-1) ?? START;
          break;
        }
        found.push(event);
        bytes += size;
      }
      if (stoppedAt !== undefined || batch.length < FILTER_BATCH) break;
      if (scanned >= FILTER_SCAN_BUDGET) {
        stoppedAt = position;
        break;
      }
    }
    const searched = await this.searchedStreams(query.group, query.streamNames, query.streamPrefix);
    return {
      events: found.map((e) => ({
        logStreamName: e.streamName,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: String(e.seq).padStart(20, '0'),
      })),
      searchedLogStreams: searched.map((name) => ({ logStreamName: name, searchedCompletely: stoppedAt === undefined })),
      ...(stoppedAt !== undefined ? { nextToken: encodeToken('filter', { t: stoppedAt.timestamp, s: stoppedAt.seq }) } : {}),
    };
  }

  /** `arn:aws:logs:<region>:<acct>:log-group:<name>`. */
  groupArn(group: string): string {
    return `arn:aws:logs:${this.options.region}:${this.options.accountId}:log-group:${group}`;
  }

  /** `arn:aws:logs:<region>:<acct>:log-group:<group>:log-stream:<stream>`. */
  streamArn(group: string, stream: string): string {
    return `${this.groupArn(group)}:log-stream:${stream}`;
  }

  private async requireStream(group: string, stream: string): Promise<void> {
    if ((await this.repository.getStream(group, stream)) !== undefined) return;
    if ((await this.repository.getGroup(group)) === undefined) throw new LogsResourceNotFound('group');
    throw new LogsResourceNotFound('stream');
  }

  private async searchedStreams(group: string, names: readonly string[] | undefined, prefix: string | undefined): Promise<string[]> {
    const streams = await this.repository.listStreams(group, { ...(prefix !== undefined ? { prefix } : {}), orderBy: 'name', descending: false, limit: 100 });
    const all = (streams ?? []).map((s) => s.name);
    return names === undefined ? all : all.filter((name) => names.includes(name));
  }
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new InvalidParameter(`Log event timestamp ${timestamp} must be a non-negative integer number of milliseconds since the epoch.`);
  }
}

/** The longest prefix of `events` within one response's byte budget (at least one event). */
function capBytes(events: LogEventRecord[]): LogEventRecord[] {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    bytes += Buffer.byteLength((events[i] as LogEventRecord).message, 'utf8') + EVENT_OVERHEAD;
    if (bytes > MAX_PAGE_BYTES && i > 0) return events.slice(0, i);
  }
  return events;
}
