// Shared set-up for the built-in algorithm e2e tests: a real server, datasets written by a fixture
// script and uploaded to its S3, a training job with a SageMaker image URI (or short name) run to
// its end with the SDK's waiter, the job's DescribeTrainingJob output plus its model.tar.gz bytes,
// and the trained model served as the platform serves it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  waitUntilTrainingJobCompletedOrStopped,
  type Channel,
  type DescribeTrainingJobCommandOutput,
  type MetricDefinition,
} from '@aws-sdk/client-sagemaker';
import { algorithmPython, serveModel, type AlgorithmServer, type ServeOptions } from '../helpers/algorithm-server.js';
import { repoRoot, type StartOptions } from '../helpers/server-process.js';
import { getBytes, logLines, role, trainingEnv, type TrainingEnv } from './training-harness.js';

export { logLines, type TrainingEnv } from './training-harness.js';
export { serveModel, algorithmPython, type AlgorithmServer } from '../helpers/algorithm-server.js';

/** SageMaker's image URIs for the built-in algorithms in us-east-1 (any region's account works the same). */
export const images = {
  xgboost: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
  linearLearner: '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1',
  kmeans: '382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1',
} as const;

/** A server (its own data dir) with a bucket and clients; `close()` stops and removes it. */
export interface BuiltinEnv extends TrainingEnv {
  /** Stops the clients and the server and removes its data directory. */
  dispose(): Promise<void>;
}

/** Starts a server and creates `bucket`. `options.args` are extra server flags (e.g. --algorithm-python). */
export async function builtinEnv(bucket: string, options: StartOptions = {}): Promise<BuiltinEnv> {
  const env = await trainingEnv(bucket, options);
  return {
    ...env,
    async dispose() {
      await env.close();
      await env.server.dispose();
    },
  };
}

/** Uploads `files` (key under `prefix` → content) and returns `s3://<bucket>/<prefix>/`. */
export async function uploadDataset(env: TrainingEnv, prefix: string, files: Readonly<Record<string, Buffer | string>>): Promise<string> {
  const base = prefix.replace(/\/+$/, '');
  for (const [key, body] of Object.entries(files)) await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: `${base}/${key}`, Body: body }));
  return `s3://${env.bucket}/${base}/`;
}

/** One channel: an S3 prefix (from uploadDataset) and optionally its ContentType (`text/csv`, `application/x-recordio-protobuf` …). */
export interface ChannelInput {
  readonly s3Uri: string;
  readonly contentType?: string;
  readonly distribution?: 'FullyReplicated' | 'ShardedByS3Key';
  readonly compression?: 'None' | 'Gzip';
}

export interface BuiltinJob {
  readonly name: string;
  /** Image URI or short name (`xgboost`, `linear-learner`, `kmeans`). */
  readonly image: string;
  readonly hyperparameters?: Readonly<Record<string, string>>;
  readonly channels?: Readonly<Record<string, ChannelInput>>;
  readonly metricDefinitions?: readonly MetricDefinition[];
  readonly instanceType?: string;
  readonly instanceCount?: number;
  /** MaxRuntimeInSeconds (default 300). */
  readonly maxRuntimeSeconds?: number;
  /** How long the waiter waits, in seconds (default 240). */
  readonly maxWaitSeconds?: number;
  /** TrainingInputMode (default File). */
  readonly inputMode?: 'File' | 'Pipe' | 'FastFile';
}

/** CreateTrainingJob for `job` (channels in the order given). */
export async function createBuiltinJob(env: TrainingEnv, job: BuiltinJob): Promise<void> {
  const channels: Channel[] = Object.entries(job.channels ?? {}).map(([name, c]) => ({
    ChannelName: name,
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: c.s3Uri, S3DataDistributionType: c.distribution ?? 'FullyReplicated' } },
    ...(c.contentType !== undefined ? { ContentType: c.contentType } : {}),
    ...(c.compression !== undefined ? { CompressionType: c.compression } : {}),
  }));
  await env.sagemaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: job.name,
      AlgorithmSpecification: {
        TrainingImage: job.image,
        TrainingInputMode: job.inputMode ?? 'File',
        ...(job.metricDefinitions ? { MetricDefinitions: [...job.metricDefinitions] } : {}),
      },
      RoleArn: role,
      ...(job.hyperparameters ? { HyperParameters: { ...job.hyperparameters } } : {}),
      ...(channels.length > 0 ? { InputDataConfig: channels } : {}),
      OutputDataConfig: { S3OutputPath: `s3://${env.bucket}/output` },
      ResourceConfig: { InstanceType: (job.instanceType ?? 'ml.m5.large') as 'ml.m5.large', InstanceCount: job.instanceCount ?? 1, VolumeSizeInGB: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: job.maxRuntimeSeconds ?? 300 },
    }),
  );
}

/** Waits with the SDK's waiter (1 s polls) and returns the final DescribeTrainingJob, whatever the status. */
export async function waitForJob(env: TrainingEnv, name: string, maxWaitSeconds = 240): Promise<DescribeTrainingJobCommandOutput> {
  await waitUntilTrainingJobCompletedOrStopped(
    { client: env.sagemaker, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 1 },
    { TrainingJobName: name },
  ).catch(
    () => undefined, // Failed (or the wait ran out): the description below says which.
  );
  return env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
}

/** A finished built-in job: its description and model artifact. */
export interface TrainedJob {
  readonly description: DescribeTrainingJobCommandOutput;
  readonly modelTarGz: Buffer;
  /** The job's log lines (every instance). */
  readonly logs: string[];
}

/**
 * Runs `job` to its end and returns its description, model.tar.gz and log. Throws (with the
 * FailureReason and the log) unless the job Completed.
 */
export async function runBuiltinJob(env: TrainingEnv, job: BuiltinJob): Promise<TrainedJob> {
  await createBuiltinJob(env, job);
  const description = await waitForJob(env, job.name, job.maxWaitSeconds);
  const logs = await logLines(env, job.name);
  if (description.TrainingJobStatus !== 'Completed') {
    throw new Error(
      `training job ${job.name} ended ${description.TrainingJobStatus}/${description.SecondaryStatus}: ${description.FailureReason ?? ''}\n--- log ---\n${logs.join('\n')}`,
    );
  }
  const uri = description.ModelArtifacts?.S3ModelArtifacts ?? '';
  const key = uri.replace(`s3://${env.bucket}/`, '');
  return { description, modelTarGz: await getBytes(env, key), logs };
}

/**
 * Runs `job`, which must fail, and returns its description and log. Throws (with the log) if it
 * ends any other way.
 */
export async function runFailingJob(env: TrainingEnv, job: BuiltinJob): Promise<{ description: DescribeTrainingJobCommandOutput; logs: string[] }> {
  await createBuiltinJob(env, job);
  const description = await waitForJob(env, job.name, job.maxWaitSeconds);
  const logs = await logLines(env, job.name);
  if (description.TrainingJobStatus !== 'Failed')
    throw new Error(`training job ${job.name} was expected to fail but ended ${description.TrainingJobStatus}\n--- log ---\n${logs.join('\n')}`);
  return { description, logs };
}

/** The value of final metric `name` of a job; fails the test when the job has none. */
export function finalMetric(description: DescribeTrainingJobCommandOutput, name: string): number {
  const metric = description.FinalMetricDataList?.find((m) => m.MetricName === name);
  assert.ok(metric?.Value !== undefined, `no final metric ${name} in ${JSON.stringify(description.FinalMetricDataList)}`);
  return metric.Value;
}

/**
 * Runs every job at once; each must fail with a FailureReason that starts `ClientError: ` and
 * matches its pattern, and print no Python traceback.
 */
export async function assertClientErrors(env: TrainingEnv, cases: readonly (readonly [BuiltinJob, RegExp])[]): Promise<void> {
  const results = await Promise.all(cases.map(([job]) => runFailingJob(env, job)));
  results.forEach(({ description, logs }, i) => {
    const [job, pattern] = cases[i] as readonly [BuiltinJob, RegExp];
    const reason = description.FailureReason ?? '';
    assert.ok(reason.startsWith('ClientError: '), `${job.name}: ${reason}\n${logs.join('\n')}`);
    assert.match(reason, pattern, job.name);
    assert.ok(!logs.some((l) => l.startsWith('Traceback')), `${job.name} printed a traceback`);
  });
}

const execFileAsync = promisify(execFile);

/** Runs `<algorithm python> test/fixtures/algorithms/<script> ...args` and resolves with what it printed. */
export async function runAlgorithmFixture(script: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync(algorithmPython, [path.join(repoRoot, 'test/fixtures/algorithms', script), ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** The datasets a fixture script wrote into its scratch directory. */
export interface FixtureData {
  readonly dir: string;
  /** What the script printed (a JSON manifest, for some). */
  readonly stdout: string;
  file(name: string): Buffer;
  text(name: string): string;
  json<T>(name: string): T;
}

/** A suite's server and datasets, valid from its tests and later hooks on. */
export interface BuiltinSuite {
  readonly env: BuiltinEnv;
  readonly data: FixtureData;
}

/**
 * Registers hooks on the enclosing describe(): before its tests, `<algorithm python> <script>
 * ...args <fresh temporary dir>` writes the datasets and a server with `bucket` starts; after
 * them, both are removed. Throws if a member is read before the hooks ran.
 */
export function builtinSuite(bucket: string, script: string, args: readonly string[] = []): BuiltinSuite {
  let env: BuiltinEnv | undefined;
  let data: FixtureData | undefined;
  let dir: string | undefined;
  before(async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), `salvia-${bucket}-`));
    dir = scratch;
    const stdout = await runAlgorithmFixture(script, [...args, scratch]);
    const file = (name: string): Buffer => readFileSync(path.join(scratch, name));
    data = { dir: scratch, stdout, file, text: (name) => file(name).toString('utf8'), json: <T>(name: string) => JSON.parse(file(name).toString('utf8')) as T };
    env = await builtinEnv(bucket);
  });
  after(async () => {
    await env?.dispose();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`builtinSuite(${bucket}) is used before its before() hook ran`);
    return value;
  };
  return {
    get env() {
      return ready(env);
    },
    get data() {
      return ready(data);
    },
  };
}

/** Serves `options.modelTarGz` as the platform does, runs `use` with the server and stops it however `use` ends. */
export async function withServedModel<T>(options: ServeOptions, use: (server: AlgorithmServer) => Promise<T>): Promise<T> {
  const server = await serveModel(options);
  try {
    return await use(server);
  } finally {
    await server.close();
  }
}

/** The `predictions` list of a JSON inference answer. */
export const jsonPredictions = <T>(body: string): T[] => (JSON.parse(body) as { predictions: T[] }).predictions;

/** The objects of a JSON Lines answer, one a line. */
export const jsonLines = <T>(body: string): T[] =>
  body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);

/** The first `count` rows of CSV text, as numbers. */
export const csvRows = (csv: string, count: number): number[][] =>
  csv
    .trim()
    .split('\n')
    .slice(0, count)
    .map((line) => line.split(',').map(Number));
