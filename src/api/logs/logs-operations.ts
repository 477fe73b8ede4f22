import type { JsonOperation } from '../protocol/aws-json.js';
import { InvalidParameter, type LogService } from '../../logs/index.js';

// CloudWatch Logs operations: wire members (already validated against the model) in, wire
// members out. Timestamps stay epoch-millisecond integers, never Dates.

type Input = Record<string, unknown>;

const str = (input: Input, key: string): string | undefined => (typeof input[key] === 'string' ? input[key] : undefined);
const num = (input: Input, key: string): number | undefined => (typeof input[key] === 'number' ? input[key] : undefined);
const bool = (input: Input, key: string): boolean | undefined => (typeof input[key] === 'boolean' ? input[key] : undefined);
const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]?: V }));

/** The group named by `logGroupName` or `logGroupIdentifier` (a name or a log-group ARN), exactly one of them. */
function groupOf(input: Input): string {
  const name = str(input, 'logGroupName');
  const identifier = str(input, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw new InvalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (identifier !== undefined) {
    const arn = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(identifier);
    return arn?.[1] ?? identifier;
  }
  if (name === undefined) throw new InvalidParameter('Either logGroupName or logGroupIdentifier must be specified.');
  return name;
}

function wireStreamNames(input: Input): string[] | undefined {
  const value = input.logStreamNames;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** Every implemented CloudWatch Logs operation over one LogService. */
export function logsOperations(logs: LogService): Record<string, JsonOperation> {
  return {
    async CreateLogGroup(input) {
      await logs.createLogGroup(groupOf(input));
      return {};
    },
    async CreateLogStream(input) {
      await logs.createLogStream(groupOf(input), str(input, 'logStreamName') ?? '');
      return {};
    },
    async DeleteLogGroup(input) {
      await logs.deleteLogGroup(groupOf(input));
      return {};
    },
    async DeleteLogStream(input) {
      await logs.deleteLogStream(groupOf(input), str(input, 'logStreamName') ?? '');
      return {};
    },
    async PutLogEvents(input) {
      const events = (Array.isArray(input.logEvents) ? input.logEvents : []) as Input[];
      const rejected = await logs.putLogEvents(
        groupOf(input),
        str(input, 'logStreamName') ?? '',
        events.map((e) => ({ timestamp: num(e, 'timestamp') ?? 0, message: str(e, 'message') ?? '' })),
      );
      return Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {};
    },
    async DescribeLogGroups(input) {
      const page = await logs.describeLogGroups({
        ...opt('prefix', str(input, 'logGroupNamePrefix')),
        ...opt('pattern', str(input, 'logGroupNamePattern')),
        ...opt('limit', num(input, 'limit')),
        ...opt('nextToken', str(input, 'nextToken')),
      });
      return {
        logGroups: page.items.map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          metricFilterCount: 0,
          arn: `${g.arn}:*`,
          storedBytes: g.storedBytes,
          logGroupClass: 'STANDARD',
          logGroupArn: g.arn,
        })),
        ...opt('nextToken', page.nextToken),
      };
    },
    async DescribeLogStreams(input) {
      const orderBy = str(input, 'orderBy') === 'LastEventTime' ? ('LastEventTime' as const) : undefined;
      const page = await logs.describeLogStreams({
        group: groupOf(input),
        ...opt('prefix', str(input, 'logStreamNamePrefix')),
        ...opt('orderBy', orderBy),
        ...opt('descending', bool(input, 'descending')),
        ...opt('limit', num(input, 'limit')),
        ...opt('nextToken', str(input, 'nextToken')),
      });
      return {
        logStreams: page.items.map((s) => ({
          logStreamName: s.name,
          creationTime: s.creationTime,
          ...opt('firstEventTimestamp', s.firstEventTimestamp),
          ...opt('lastEventTimestamp', s.lastEventTimestamp),
          ...opt('lastIngestionTime', s.lastIngestionTime),
          arn: s.arn,
          // Deprecated for streams: CloudWatch reports zero.
          storedBytes: 0,
        })),
        ...opt('nextToken', page.nextToken),
      };
    },
    async GetLogEvents(input) {
      return logs.getLogEvents({
        group: groupOf(input),
        stream: str(input, 'logStreamName') ?? '',
        ...opt('startTime', num(input, 'startTime')),
        ...opt('endTime', num(input, 'endTime')),
        ...opt('startFromHead', bool(input, 'startFromHead')),
        ...opt('limit', num(input, 'limit')),
        ...opt('nextToken', str(input, 'nextToken')),
      });
    },
    async FilterLogEvents(input) {
      return logs.filterLogEvents({
        group: groupOf(input),
        ...opt('streamNames', wireStreamNames(input)),
        ...opt('streamPrefix', str(input, 'logStreamNamePrefix')),
        ...opt('startTime', num(input, 'startTime')),
        ...opt('endTime', num(input, 'endTime')),
        ...opt('filterPattern', str(input, 'filterPattern')),
        ...opt('limit', num(input, 'limit')),
        ...opt('nextToken', str(input, 'nextToken')),
      });
    },
  };
}
