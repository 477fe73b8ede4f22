import { setTimeout as delay } from 'node:timers/promises';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand, type OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTrainingJobCommand, SageMakerClient, type DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { loadConfig } from '../config/index.js';

/** Where SageMaker (and Salvia) put training job logs; streams are `<job>/algo-<n>-<epochSeconds>`. */
const LOG_GROUP = '/aws/sagemaker/TrainingJobs';
const TERMINAL = new Set(['Completed', 'Failed', 'Stopped']);
const DEFAULT_POLL_SECONDS = 2;

export const logsUsage = `usage: salvia logs <training-job-name> [--follow] [--endpoint-url URL] [--poll-seconds N]

Prints a training job's log (CloudWatch Logs group ${LOG_GROUP}, streams <job>/algo-N-…), the lines
of all instances merged by timestamp, each prefixed with its stream (algo-N-…) when there are several.
  --follow, -f       keep polling until the job is Completed, Failed or Stopped and every line is
                     printed; exits 1 if the job Failed (its FailureReason goes to stderr), else 0
  --endpoint-url     the server (default: AWS_ENDPOINT_URL, else the address \`salvia env\` prints)
  --poll-seconds     seconds between polls with --follow (default ${DEFAULT_POLL_SECONDS})
Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY if set, else the server's default key.
`;

interface LogsOptions {
  readonly jobName: string;
  readonly follow: boolean;
  readonly endpointUrl?: string;
  readonly pollSeconds: number;
}

/** Thrown for a bad command line; main prints the message and the usage. */
class UsageError extends Error {}

/**
 * `salvia logs <job> [--follow]`: prints a training job's log streams as the SageMaker Python SDK's
 * `logs_for_job` does, using the server's public CloudWatch Logs API (DescribeLogStreams with
 * prefix `<job>/`, GetLogEvents from the head until an empty page) and, with `--follow`,
 * DescribeTrainingJob until the job ends. Returns the exit code: 0, or 1 when the job Failed,
 * was not found, or the server could not be reached (message on stderr).
 */
export async function runLogs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(logsUsage);
    return 0;
  }
  let options: LogsOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`salvia logs: ${error.message}\n\n${logsUsage}`);
    return 1;
  }
  const client = clientSettings(options.endpointUrl, env);
  // The SDK's notice that its releases after January 2027 need Node 22 is not this command's
  // output (Salvia supports Node 20); a user who set the variable keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const logs = new CloudWatchLogsClient(client);
  const sagemaker = new SageMakerClient(client);
  try {
    return options.follow ? await follow(options, logs, sagemaker) : await printOnce(options, logs, sagemaker);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|socket hang up/.test(message) || (error as { code?: string }).code === 'ECONNREFUSED';
    process.stderr.write(refused ? `salvia logs: cannot reach the server at ${client.endpoint}: ${message}\n` : `salvia logs: ${message}\n`);
    return 1;
  } finally {
    logs.destroy();
    sagemaker.destroy();
  }
}

function parseArgs(argv: readonly string[]): LogsOptions {
  let jobName: string | undefined;
  let follow = false;
  let endpointUrl: string | undefined;
  let pollSeconds = DEFAULT_POLL_SECONDS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`option ${flag} needs a value`);
      return v;
    };
    if (flag === '--follow' || flag === '-f') follow = true;
    else if (flag === '--endpoint-url') endpointUrl = value();
    else if (flag === '--poll-seconds') {
      pollSeconds = Number(value());
      if (!Number.isFinite(pollSeconds) || pollSeconds < 0) throw new UsageError('--poll-seconds needs a number ≥ 0');
    } else if (flag.startsWith('-')) throw new UsageError(`unknown option ${flag}`);
    else if (jobName === undefined) jobName = arg;
    else throw new UsageError(`unexpected argument "${arg}"`);
  }
  if (jobName === undefined) throw new UsageError('the training job name is missing');
  return { jobName, follow, pollSeconds, ...(endpointUrl === undefined ? {} : { endpointUrl }) };
}

/** Endpoint, region and credentials: flags, then AWS_* variables, then what `salvia env` would print. */
function clientSettings(endpointUrl: string | undefined, env: NodeJS.ProcessEnv) {
  const config = loadConfig([], env);
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const defaultUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.port === 0 ? 7070 : config.port}`;
  const key = config.accessKeys[0];
  const fromEnv = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  return {
    endpoint: endpointUrl ?? (env.AWS_ENDPOINT_URL || defaultUrl),
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || config.region,
    credentials: fromEnv
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : { accessKeyId: key?.accessKeyId ?? 'salvia', secretAccessKey: key?.secretAccessKey ?? 'salvia-secret-key' },
  };
}

/** Without --follow: everything logged so far. A job with no streams is an error unless DescribeTrainingJob knows it. */
async function printOnce(options: LogsOptions, logs: CloudWatchLogsClient, sagemaker: SageMakerClient): Promise<number> {
  const streams = new StreamSet(logs, options.jobName);
  await streams.refresh();
  if (streams.size === 0) {
    try {
      await describe(sagemaker, options.jobName);
    } catch (error) {
      process.stderr.write(`salvia logs: no log streams for training job ${options.jobName} (${error instanceof Error ? error.message : String(error)})\n`);
      return 1;
    }
    return 0;
  }
  await streams.printNew(streams.size > 1);
  return 0;
}

/** --follow: as the SDK's `logs_for_job(wait=True)`: status first, then drain; after a terminal status one last drain. */
async function follow(options: LogsOptions, logs: CloudWatchLogsClient, sagemaker: SageMakerClient): Promise<number> {
  const streams = new StreamSet(logs, options.jobName);
  for (;;) {
    const job = await describe(sagemaker, options.jobName);
    const status = job.TrainingJobStatus ?? 'InProgress';
    await streams.refresh();
    await streams.printNew((job.ResourceConfig?.InstanceCount ?? 1) > 1 || streams.size > 1);
    if (TERMINAL.has(status)) {
      if (status === 'Failed') {
        process.stderr.write(`salvia logs: training job ${options.jobName} Failed: ${job.FailureReason ?? '(no FailureReason)'}\n`);
        return 1;
      }
      const secondary = job.SecondaryStatus && job.SecondaryStatus !== status ? ` (${job.SecondaryStatus})` : '';
      process.stderr.write(`training job ${options.jobName} ${status}${secondary}\n`);
      return 0;
    }
    await delay(options.pollSeconds * 1000);
  }
}

async function describe(sagemaker: SageMakerClient, jobName: string): Promise<DescribeTrainingJobResponse> {
  return sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
}

/** One stream being read: its label (`algo-1-…`) and where the next GetLogEvents continues. */
interface StreamCursor {
  readonly name: string;
  readonly label: string;
  token?: string;
  buffer: OutputLogEvent[];
  drained: boolean;
}

/** The job's streams (found by prefix, in name order) and a position in each. */
class StreamSet {
  private readonly cursors: StreamCursor[] = [];
  private readonly prefix: string;

  constructor(
    private readonly logs: CloudWatchLogsClient,
    jobName: string,
  ) {
    this.prefix = `${jobName}/`;
  }

  get size(): number {
    return this.cursors.length;
  }

  /** Adds streams created since the last call (all pages of DescribeLogStreams; no group yet means none). */
  async refresh(): Promise<void> {
    const known = new Set(this.cursors.map((c) => c.name));
    let nextToken: string | undefined;
    const seenTokens = new Set<string>();
    do {
      let page;
      try {
        page = await this.logs.send(
          new DescribeLogStreamsCommand({ logGroupName: LOG_GROUP, logStreamNamePrefix: this.prefix, orderBy: 'LogStreamName', nextToken }),
        );
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return;
        throw error;
      }
      for (const stream of page.logStreams ?? []) {
        const name = stream.logStreamName;
        if (name === undefined || known.has(name)) continue;
        known.add(name);
        this.cursors.push({ name, label: name.slice(this.prefix.length), buffer: [], drained: false });
      }
      nextToken = page.nextToken;
      if (nextToken !== undefined && seenTokens.has(nextToken)) break;
      if (nextToken !== undefined) seenTokens.add(nextToken);
    } while (nextToken);
  }

  /**
   * Prints every event not printed yet, merged across streams by timestamp (ties: stream order),
   * reading each stream page by page so memory stays bounded by one page per stream.
   */
  async printNew(prefixed: boolean): Promise<void> {
    for (const cursor of this.cursors) cursor.drained = false;
    for (;;) {
      let next: StreamCursor | undefined;
      for (const cursor of this.cursors) {
        const head = await this.head(cursor);
        if (head !== undefined && (next === undefined || (head.timestamp ?? 0) < (next.buffer[0]?.timestamp ?? 0))) next = cursor;
      }
      const event = next?.buffer.shift();
      if (next === undefined || event === undefined) return;
      const line = `${prefixed ? `${next.label}: ` : ''}${event.message ?? ''}\n`;
      if (!process.stdout.write(line)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  }

  /** The stream's next unprinted event, fetching a page when needed; undefined once a page comes back empty. */
  private async head(cursor: StreamCursor): Promise<OutputLogEvent | undefined> {
    while (cursor.buffer.length === 0 && !cursor.drained) {
      const page = await this.logs.send(
        new GetLogEventsCommand({
          logGroupName: LOG_GROUP,
          logStreamName: cursor.name,
          startFromHead: true,
          ...(cursor.token ? { nextToken: cursor.token } : {}),
        }),
      );
      const events = page.events ?? [];
      if (page.nextForwardToken) cursor.token = page.nextForwardToken;
      if (events.length === 0) cursor.drained = true;
      cursor.buffer = events;
    }
    return cursor.buffer[0];
  }
}
