import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { clientConfig, repoRoot, startServer, testCredentials, type ServerProcess } from '../helpers/server-process.js';

// `salvia logs <job>` against a real server: log streams written with PutLogEvents, as the training
// job monitor writes them, read back by the CLI through the public CloudWatch Logs API.

const execFileAsync = promisify(execFile);
const salvia = path.join(repoRoot, 'bin/salvia.js');
const group = '/aws/sagemaker/TrainingJobs';
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const twoHosts = `cli-logs-two-${suffix}`;
const oneHost = `cli-logs-one-${suffix}`;
const epoch = Math.floor(Date.now() / 1000);
const t0 = Date.now() - 60_000;
/** More events than one GetLogEvents page (10 000) in algo-1's stream. */
const bulk = 12_000;

let server: ServerProcess;
let logs: CloudWatchLogsClient;
let home: string;

/** An environment with no AWS settings of the developer's, so only what a test gives counts. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_') && !name.startsWith('SALVIA_')) env[name] = value;
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

async function salviaLogs(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [salvia, 'logs', ...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function put(stream: string, events: { timestamp: number; message: string }[]): Promise<void> {
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  for (let i = 0; i < events.length; i += 5000)
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.slice(i, i + 5000) }));
}

const algo1 = `algo-1-${epoch}`;
const algo2 = `algo-2-${epoch}`;

before(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'salvia-cli-logs-'));
  // Signatures are checked, so the credentials the CLI picks really matter.
  server = await startServer({
    args: ['--auth'],
    env: { SALVIA_ACCESS_KEYS: `${testCredentials.accessKeyId}:${testCredentials.secretAccessKey},AKIDLOGS:logs-secret` },
  });
  logs = new CloudWatchLogsClient(clientConfig(server));
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  // algo-1: even milliseconds, then a long tail; algo-2: odd milliseconds in between.
  await put(`${twoHosts}/${algo1}`, [
    { timestamp: t0, message: 'host 1 starts' },
    { timestamp: t0 + 2, message: '[0]#011train-rmse:0.41#011validation-rmse:0.45' },
    { timestamp: t0 + 4, message: 'same time on both hosts: algo-1 first' },
    ...Array.from({ length: bulk }, (_, i) => ({ timestamp: t0 + 10 + Math.floor(i / 100), message: `bulk ${i}` })),
  ]);
  await put(`${twoHosts}/${algo2}`, [
    { timestamp: t0 + 1, message: 'host 2 starts' },
    { timestamp: t0 + 3, message: 'host 2 loss=0.5' },
    { timestamp: t0 + 4, message: 'same time on both hosts: algo-2 second' },
    { timestamp: t0 + 10 + bulk, message: 'host 2 is last' },
  ]);
  await put(`${oneHost}/${algo1}`, [
    { timestamp: t0, message: 'only line 1' },
    { timestamp: t0 + 1, message: 'only line 2' },
  ]);
  // A job whose name starts with the other's: its streams must not be mixed in.
  await put(`${oneHost}-2/${algo1}`, [{ timestamp: t0, message: 'another job' }]);
});

after(async () => {
  logs?.destroy();
  await server?.dispose();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('salvia logs', () => {
  it('merges the instances by timestamp, prefixes each line with its host stream, and pages through long streams', async () => {
    const { code, stdout, stderr } = await salviaLogs(
      [twoHosts, '--endpoint-url', server.url],
      cleanEnv({ AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey }),
    );
    assert.equal(code, 0, stderr);
    const lines = stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines.slice(0, 6), [
      `${algo1}: host 1 starts`,
      `${algo2}: host 2 starts`,
      `${algo1}: [0]#011train-rmse:0.41#011validation-rmse:0.45`,
      `${algo2}: host 2 loss=0.5`,
      `${algo1}: same time on both hosts: algo-1 first`,
      `${algo2}: same time on both hosts: algo-2 second`,
    ]);
    assert.equal(lines.length, 6 + bulk + 1);
    for (let i = 0; i < bulk; i++) assert.equal(lines[6 + i], `${algo1}: bulk ${i}`);
    assert.equal(lines.at(-1), `${algo2}: host 2 is last`);
  });

  it('prints one instance without a prefix, finds the server through AWS_ENDPOINT_URL, and ignores jobs sharing the name prefix', async () => {
    // No AWS credentials: the default key of the local settings (SALVIA_ACCESS_KEYS), as `salvia env` prints it.
    const { code, stdout, stderr } = await salviaLogs([oneHost], cleanEnv({ AWS_ENDPOINT_URL: server.url, SALVIA_ACCESS_KEYS: 'AKIDLOGS:logs-secret' }));
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'only line 1\nonly line 2\n');
  });

  it('uses the built-in default key when nothing is set, and the environment credentials when they are', async () => {
    const defaults = await salviaLogs([`--endpoint-url=${server.url}`, oneHost]);
    assert.equal(defaults.code, 0, defaults.stderr);
    assert.equal(defaults.stdout, 'only line 1\nonly line 2\n');
    const wrong = await salviaLogs([oneHost, '--endpoint-url', server.url], cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDUNKNOWN', AWS_SECRET_ACCESS_KEY: 'nope' }));
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, '');
    assert.match(wrong.stderr, /salvia logs: .*security token included in the request is invalid/);
  });

  it('a job without log streams is an error that names it', async () => {
    const { code, stdout, stderr } = await salviaLogs(['no-such-job', '--endpoint-url', server.url]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /no log streams for training job no-such-job/);
  });

  it('--follow on a job the server does not know exits 1 with the server’s message', async () => {
    const { code, stdout, stderr } = await salviaLogs(['no-such-job', '--follow', '--poll-seconds', '0.1', '--endpoint-url', server.url]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^salvia logs: \S/);
  });

  it('bad command lines and an unreachable server give a message and exit 1', async () => {
    const missing = await salviaLogs([]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /training job name is missing[\s\S]*usage: salvia logs/);
    const unknown = await salviaLogs(['job', '--bogus']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown option --bogus/);
    const help = await salviaLogs(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--follow/);
    const unreachable = await salviaLogs([oneHost, '--endpoint-url', 'http://127.0.0.1:9']);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /salvia logs: /);
  });
});
