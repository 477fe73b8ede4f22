// Shared set-up for the endpoint e2e tests and bench: a real server with clients (SageMaker,
// SageMaker Runtime, S3, Logs), user images from test/fixtures/endpoints, model → endpoint config →
// endpoint in one call, waits with the SDK's waiters, boto3 as a subprocess, and the server's
// descendant processes (to prove a deleted endpoint leaves none).
import { logStreams } from '../helpers/log-streams.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  waitUntilEndpointDeleted,
  waitUntilEndpointInService,
  type ContainerDefinition,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient, type InvokeEndpointCommandInput } from '@aws-sdk/client-sagemaker-runtime';
import { awsEnv, clientConfig, repoRoot, testCredentials, type ServerProcess, type StartOptions } from '../helpers/server-process.js';
import { trainingEnv, type TrainingEnv } from './training-harness.js';

const execFileAsync = promisify(execFile);

export const role = 'arn:aws:iam::000000000000:role/SageMakerRole';
export const accountId = '000000000000';
export const endpointFixtures = path.join(repoRoot, 'test/fixtures/endpoints');

/** A server with a bucket and the SageMaker, Runtime, S3 and Logs clients. */
export interface EndpointsEnv extends TrainingEnv {
  runtime: SageMakerRuntimeClient;
  /** A scratch directory (boto3's config files, generated data); removed by dispose(). */
  work: string;
  /** Stops the clients and the server and removes its data directory and the scratch directory. */
  dispose(): Promise<void>;
}

/** Starts a server (its own data dir) with `bucket` and clients; `options.args` are extra server flags. */
export async function endpointsEnv(bucket: string, options: StartOptions = {}): Promise<EndpointsEnv> {
  const env = await trainingEnv(bucket, options);
  const runtime = new SageMakerRuntimeClient({ ...clientConfig(env.server), maxAttempts: 1 });
  const work = mkdtempSync(path.join(tmpdir(), 'salvia-endpoints-'));
  return {
    ...env,
    runtime,
    work,
    async dispose() {
      runtime.destroy();
      await env.close();
      await env.server.dispose();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Every message of the endpoint's log as `<stream>: <message>` (all streams; none while the group does not exist). */
export async function endpointLog(env: EndpointsEnv, endpoint: string): Promise<string[]> {
  const streams = await logStreams(env.logs, `/aws/sagemaker/Endpoints/${endpoint}`);
  return [...streams].flatMap(([stream, messages]) => messages.map((message) => `${stream}: ${message}`));
}

/** Polls endpointLog() until a line matches `pattern` (failing after `timeoutMs`, with the log); returns the lines. */
export async function waitForEndpointLog(env: EndpointsEnv, endpoint: string, pattern: RegExp, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let lines = await endpointLog(env, endpoint);
  while (!lines.some((line) => pattern.test(line))) {
    assert.ok(Date.now() < deadline, `no line of endpoint ${endpoint}'s log matched ${String(pattern)}:\n${lines.join('\n')}`);
    await delay(200);
    lines = await endpointLog(env, endpoint);
  }
  return lines;
}

/** `salvia images add <repository> test/fixtures/endpoints/<fixture>` against the server. */
export async function addEndpointImage(server: ServerProcess, repository: string, fixture: string): Promise<string> {
  await execFileAsync(
    process.execPath,
    [path.join(repoRoot, 'bin/salvia.js'), 'images', 'add', repository, path.join(endpointFixtures, fixture), '--endpoint-url', server.url],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey } },
  );
  return imageUri(repository);
}

export const imageUri = (repository: string): string => `123456789012.dkr.ecr.us-east-1.amazonaws.com/${repository}:latest`;

/** One production variant to deploy: its model is created as `<endpoint>-<variant>` unless `modelName` names an existing one. */
export interface VariantSpec {
  readonly variantName: string;
  readonly container?: ContainerDefinition;
  readonly modelName?: string;
  readonly weight?: number;
  readonly instanceCount?: number;
  readonly instanceType?: string;
  /** ContainerStartupHealthCheckTimeoutInSeconds (SageMaker: 60–3600). */
  readonly startupTimeoutSeconds?: number;
}

/** CreateModel for each variant's container (unless it names a model) and CreateEndpointConfig `configName`. */
export async function createConfig(env: TrainingEnv, configName: string, variants: readonly VariantSpec[]): Promise<void> {
  for (const v of variants) {
    if (v.container)
      await env.sagemaker.send(
        new CreateModelCommand({ ModelName: v.modelName ?? `${configName}-${v.variantName}`, PrimaryContainer: v.container, ExecutionRoleArn: role }),
      );
  }
  await env.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: configName,
      ProductionVariants: variants.map((v) => ({
        VariantName: v.variantName,
        ModelName: v.modelName ?? `${configName}-${v.variantName}`,
        InitialInstanceCount: v.instanceCount ?? 1,
        InstanceType: (v.instanceType ?? 'ml.m5.large') as 'ml.m5.large',
        InitialVariantWeight: v.weight ?? 1,
        ...(v.startupTimeoutSeconds !== undefined ? { ContainerStartupHealthCheckTimeoutInSeconds: v.startupTimeoutSeconds } : {}),
      })),
    }),
  );
}

/** Models, endpoint config `<name>-config` and CreateEndpoint `name` (does not wait). */
export async function createEndpoint(env: TrainingEnv, name: string, variants: readonly VariantSpec[]): Promise<void> {
  await createConfig(env, `${name}-config`, variants);
  await env.sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-config` }));
}

/** The JS SDK's EndpointInService waiter polling every second; resolves with the final description whatever happened. */
export async function waitInService(env: TrainingEnv, name: string, maxWaitSeconds = 120): Promise<DescribeEndpointCommandOutput> {
  await waitUntilEndpointInService({ client: env.sagemaker, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 1 }, { EndpointName: name }).catch(
    () => undefined, // Failed (the waiter's failure state) or out of time: the description says which.
  );
  return env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
}

/** Creates the endpoint and waits until it is InService; fails the test with the FailureReason otherwise. */
export async function deploy(env: TrainingEnv, name: string, variants: readonly VariantSpec[]): Promise<DescribeEndpointCommandOutput> {
  await createEndpoint(env, name, variants);
  const described = await waitInService(env, name);
  assert.equal(described.EndpointStatus, 'InService', `endpoint ${name}: ${described.EndpointStatus} ${described.FailureReason ?? ''}`);
  return described;
}

/** DeleteEndpoint and the JS SDK's EndpointDeleted waiter. */
export async function deleteEndpoint(env: TrainingEnv, name: string): Promise<void> {
  await env.sagemaker.send(new DeleteEndpointCommand({ EndpointName: name }));
  await waitUntilEndpointDeleted({ client: env.sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: name });
}

/** An InvokeEndpoint answer with the body as text. */
export interface Invoked {
  readonly body: string;
  readonly contentType: string | undefined;
  readonly variant: string | undefined;
  readonly customAttributes: string | undefined;
}

/** InvokeEndpoint through @aws-sdk/client-sagemaker-runtime. */
export async function invoke(env: EndpointsEnv, input: InvokeEndpointCommandInput): Promise<Invoked> {
  const out = await env.runtime.send(new InvokeEndpointCommand(input));
  return {
    body: Buffer.from(out.Body ?? new Uint8Array()).toString('utf8'),
    contentType: out.ContentType,
    variant: out.InvokedProductionVariant,
    customAttributes: out.CustomAttributes,
  };
}

/** What SageMaker Runtime answered with: the SDK's error name, HTTP status, message and modelled members. */
export interface RuntimeFailure {
  readonly name: string;
  readonly status: number | undefined;
  readonly message: string;
  readonly originalStatusCode?: number;
  readonly originalMessage?: string;
  readonly logStreamArn?: string;
}

/** Awaits an InvokeEndpoint that must fail and returns the error; fails the test if it succeeds. */
export async function runtimeFailure(promise: Promise<unknown>): Promise<RuntimeFailure> {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      name: string;
      message: string;
      $metadata?: { httpStatusCode?: number };
      OriginalStatusCode?: number;
      OriginalMessage?: string;
      LogStreamArn?: string;
    };
    return {
      name: e.name,
      status: e.$metadata?.httpStatusCode,
      message: e.message,
      ...(e.OriginalStatusCode !== undefined ? { originalStatusCode: e.OriginalStatusCode } : {}),
      ...(e.OriginalMessage !== undefined ? { originalMessage: e.OriginalMessage } : {}),
      ...(e.LogStreamArn !== undefined ? { logStreamArn: e.LogStreamArn } : {}),
    };
  }
  assert.fail('the invocation succeeded');
}

/** Runs a Python snippet with boto3 pointed at the server; returns its stdout parsed as JSON (print one json.dumps). */
export async function boto3<T>(env: EndpointsEnv, script: string): Promise<T> {
  const python = process.env['SALVIA_BOTO3_PYTHON'] ?? 'python3';
  const { stdout } = await execFileAsync(python, ['-c', `import boto3, json\n${script}`], { env: awsEnv(env.server, env.work), maxBuffer: 1 << 26 });
  return JSON.parse(stdout) as T;
}

/** The process ids of every live descendant of `pid` (children, grandchildren …), read from /proc. */
export function descendants(pid: number): Set<number> {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') continue;
    const ppid = Number(fields[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const found = new Set<number>();
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.pop() as number) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Those of `pids` still alive (and not zombies). */
export function alive(pids: Iterable<number>): number[] {
  return [...pids].filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

/** The command line of a process ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** A .tar.gz holding `files` (name → content) as regular files, built in memory (ustar headers). */
export function tarGz(files: Readonly<Record<string, string | Buffer>>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const body = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100, 'ascii');
    header.write('0000000\0', 108, 'ascii');
    header.write('0000000\0', 116, 'ascii');
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    header.write(
      `${Math.floor(Date.now() / 1000)
        .toString(8)
        .padStart(11, '0')}\0`,
      136,
      'ascii',
    );
    header.write('        ', 148, 'ascii');
    header.write('0', 156, 'ascii');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A model server process (the interpreter itself, not its bwrap parent) and the port it listens on. */
export interface ModelServerProcess {
  readonly pid: number;
  readonly port: number;
}

/** Python model servers under `server` that were not in `before`, with their SAGEMAKER_BIND_TO_PORT. */
export function modelServerProcesses(server: ServerProcess, before: ReadonlySet<number> = new Set()): ModelServerProcess[] {
  const found: ModelServerProcess[] = [];
  for (const pid of descendants(server.child.pid as number)) {
    if (before.has(pid)) continue;
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      const port = /(?:^|\0)SAGEMAKER_BIND_TO_PORT=(\d+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))?.[1];
      if (port && /^python/.test(path.basename(argv0))) found.push({ pid, port: Number(port) });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** A memory figure of /proc/<pid>/status (VmRSS, VmHWM …) in MiB; 0 once the process is gone. */
export function memoryMib(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}
