// Shared set-up for the training e2e tests: a real server, clients, user images from
// test/fixtures/training, and waits on explicit conditions (job status, a log line).
import { logStreams } from '../helpers/log-streams.js';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  type CreateTrainingJobCommandInput,
  type DescribeTrainingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { clientConfig, repoRoot, startServer, testCredentials, type ServerProcess, type StartOptions } from '../helpers/server-process.js';

const execFileAsync = promisify(execFile);

let sandboxProbe: string | false | undefined;

/**
 * Why the cases that need the bubblewrap sandbox (real /opt/ml, hostnames algo-N, network
 * isolation) must be skipped here, or false when bwrap works (scripts/setup-test-deps.sh installs it).
 */
export function sandboxSkipReason(): string | false {
  sandboxProbe ??=
    spawnSync('bwrap', ['--bind', '/', '/', '--tmpfs', '/opt', '--unshare-uts', '--hostname', 'algo-1', '--unshare-net', 'true'], { stdio: 'ignore' })
      .status === 0
      ? false
      : 'bubblewrap (bwrap) is missing or cannot create namespaces on this machine';
  return sandboxProbe;
}
export const role = 'arn:aws:iam::000000000000:role/SageMakerRole';
export const fixtures = path.join(repoRoot, 'test/fixtures/training');

/** A server with clients; `images` registers fixture directories. */
export interface TrainingEnv {
  server: ServerProcess;
  sagemaker: SageMakerClient;
  s3: S3Client;
  logs: CloudWatchLogsClient;
  bucket: string;
  close(): Promise<void>;
}

/** Starts a server (stop grace 1 s, so the SIGKILL case is quick), a bucket and clients. */
export async function trainingEnv(bucket: string, options: StartOptions = {}): Promise<TrainingEnv> {
  const server = await startServer({ ...options, args: ['--training-stop-grace-seconds', '1', ...(options.args ?? [])] });
  return connect(server, bucket, true);
}

/** Clients for a running server (after a restart). */
export async function connect(server: ServerProcess, bucket: string, createBucket = false): Promise<TrainingEnv> {
  const sagemaker = new SageMakerClient(clientConfig(server));
  const s3 = new S3Client(clientConfig(server));
  const logs = new CloudWatchLogsClient(clientConfig(server));
  if (createBucket) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    server,
    sagemaker,
    s3,
    logs,
    bucket,
    async close() {
      sagemaker.destroy();
      s3.destroy();
      logs.destroy();
    },
  };
}

/** `salvia images add <repository> <fixture dir>` against the server; `fixture` is relative to test/fixtures/training, or absolute. */
export async function addImage(server: ServerProcess, repository: string, fixture: string): Promise<void> {
  await execFileAsync(
    process.execPath,
    [path.join(repoRoot, 'bin/salvia.js'), 'images', 'add', repository, path.resolve(fixtures, fixture), '--endpoint-url', server.url],
    {
      env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
    },
  );
}

export const imageUri = (repository: string): string => `123456789012.dkr.ecr.us-east-1.amazonaws.com/${repository}:latest`;

/** A CreateTrainingJob request for a registered image with sensible defaults. */
export function jobRequest(
  env: TrainingEnv,
  name: string,
  repository: string,
  extra: Partial<CreateTrainingJobCommandInput> = {},
): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: imageUri(repository), TrainingInputMode: 'File' },
    RoleArn: role,
    OutputDataConfig: { S3OutputPath: `s3://${env.bucket}/output` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 120 },
    ...extra,
  };
}

export async function createJob(env: TrainingEnv, request: CreateTrainingJobCommandInput): Promise<void> {
  await env.sagemaker.send(new CreateTrainingJobCommand(request));
}

export async function put(env: TrainingEnv, key: string, body: string): Promise<void> {
  await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: key, Body: body }));
}

export async function getBytes(env: TrainingEnv, key: string): Promise<Buffer> {
  const object = await env.s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: key }));
  return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/** The files of a .tar.gz (regular files only), name → content. */
export function untarGz(archive: Buffer): Map<string, string> {
  return new Map([...untarGzBytes(archive)].map(([name, body]) => [name, body.toString('utf8')]));
}

/** The files of a .tar.gz (regular files only), name → bytes. */
export function untarGzBytes(archive: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(archive);
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number): string =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '') files.set(name.replace(/^\.\//, ''), Buffer.from(body));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Polls DescribeTrainingJob until the job has a final status (Completed, Failed or Stopped). */
export async function waitForEnd(env: TrainingEnv, name: string, timeoutMs = 60_000): Promise<DescribeTrainingJobCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (job.TrainingJobStatus === 'Completed' || job.TrainingJobStatus === 'Failed' || job.TrainingJobStatus === 'Stopped') return job;
    if (Date.now() > deadline) throw new Error(`job ${name} still ${job.TrainingJobStatus}/${job.SecondaryStatus} after ${timeoutMs} ms`);
    await delay(100);
  }
}

/** Every message of a job's log streams (all instances), in stream order. */
export async function logLines(env: TrainingEnv, name: string): Promise<string[]> {
  return [...(await logStreams(env.logs, '/aws/sagemaker/TrainingJobs', `${name}/`)).values()].flat();
}

/** Polls the job's logs until a line matching `pattern` appears. */
export async function waitForLog(env: TrainingEnv, name: string, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await logLines(env, name)).some((l) => pattern.test(l))) {
    if (Date.now() > deadline) throw new Error(`no log line of ${name} matched ${String(pattern)}`);
    await delay(100);
  }
}
