import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isAwsError } from '../errors/index.js';
import type { DirectoryBind, ExecutionResult, Executor, InstanceLaunch, SidecarLaunch } from '../executors/index.js';
import {
  inheritedPath,
  launchFor,
  launchPath,
  stageSubmitDirectory,
  SubmitDirectoryError,
  RuntimeEnvironmentError,
  type PythonEnvironment,
  type ResolvedImage,
  type ResolveOptions,
} from '../images/index.js';
import type { LogAppender } from '../logs/index.js';
import type { ObjectStore } from '../objectstore/index.js';
import type { ActiveJob } from './active-job.js';
import { contractEnvironment, configFiles, hostNames } from './container-contract.js';
import { ChannelError, DirectorySync, downloadChannel, listChannelObjects, parseS3Uri, shardObjects } from './data/index.js';
import { instanceResources } from './instance-types.js';
import { uploadMergedTarGz } from './job-artifacts.js';
import { hostPathFor, instanceDir, outputKey, trainingJobDir } from './job-layout.js';
import { LogTailer, TRAINING_LOG_GROUP } from './log-tailer.js';
import { channelInputMode, pipeSidecars } from './pipe/index.js';
import { MetricExtractor, type TrainingMetricsRepository } from './metrics/index.js';
import type { SidecarS3Access } from './sidecar-s3.js';
import { fileSystemMounts, type FileSystemResolver } from './file-system-channels.js';
import { fastFileSidecars, FastFileUnavailable, isFastFileChannel } from './fastfile/index.js';
import type { JobOutcome } from './status.js';
import { enterStatus } from './status.js';

/** What running a job needs (the training service passes its own dependencies). */
export interface RunContext {
  readonly dataDir: string;
  readonly region: string;
  readonly cpus: number;
  readonly stopGraceSeconds: number;
  readonly pollIntervalMs: number;
  readonly executor: Executor;
  readonly objectStore: ObjectStore;
  readonly images: { resolve(uri: string, options?: ResolveOptions): Promise<ResolvedImage> };
  readonly runtimes: { ensure(requirements: string | undefined, onLog: (line: string) => void): Promise<PythonEnvironment> };
  readonly logs: LogAppender;
  readonly metrics: TrainingMetricsRepository;
  /** Where channel sidecars read objects (resolves once the server listens: its bound address); without it, Pipe and FastFile channels cannot run. */
  readonly sidecarS3?: () => Promise<SidecarS3Access>;
  /** Resolves FileSystemDataSource channels to host directories; without it such channels fail. */
  readonly fileSystems?: FileSystemResolver;
  /** Channel sidecars log in detail (FastFile mounts: every request's headers) to logs/sidecar-<name>.log. */
  readonly debugSidecars?: boolean;
  /** Variables every training process inherits (PATH, HOME, LANG …). */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly clock: () => number;
  /** True once the server is shutting down: monitoring stops without finishing the job. */
  readonly closing: () => boolean;
}

/** Thrown to abandon a run when the server shuts down (the job keeps running and is re-attached later). */
export class ServerClosing extends Error {}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The ClientError outcome for an error that is the user's to fix (bad data, code, image, Python requirements), else undefined. */
export function clientProblem(error: unknown): JobOutcome | undefined {
  if (
    error instanceof ChannelError ||
    error instanceof SubmitDirectoryError ||
    error instanceof RuntimeEnvironmentError ||
    error instanceof FastFileUnavailable
  )
    return { kind: 'client-error', message: error.message };
  if (isAwsError(error) && (error.code === 'ValidationException' || error.code === 'NoSuchBucket' || error.code === 'NoSuchKey'))
    return { kind: 'client-error', message: error.message };
  return undefined;
}

const statusOf = (job: ActiveJob): 'InProgress' | 'Stopping' => (job.record.stopRequested ? 'Stopping' : 'InProgress');

/**
 * Prepares and launches a job: Downloading (instance directories laid out as /opt/ml, config
 * files, channels listed, sharded and downloaded, script-mode code staged, checkpoints restored,
 * Python runtime ensured), then Training (the executor launches the instances). Returns an
 * outcome instead when the job cannot start (bad input → ClientError) or was stopped meanwhile.
 */
export async function prepareAndLaunch(job: ActiveJob, ctx: RunContext, notes: string[]): Promise<JobOutcome | undefined> {
  const { spec, name } = job.record;
  if (job.record.stopRequested) return { kind: 'stopped' };
  await job.update((r) => enterStatus(r, statusOf(job), 'Downloading', ctx.clock()));
  const jobDir = trainingJobDir(ctx.dataDir, name);
  const count = spec.ResourceConfig?.InstanceCount ?? 1;
  const hosts = hostNames(count);
  let image: ResolvedImage;
  let python: PythonEnvironment | undefined;
  const binds: DirectoryBind[][] = [];
  const sidecars: SidecarLaunch[] = [];
  try {
    await rm(jobDir, { recursive: true, force: true });
    for (let n = 1; n <= count; n++) {
      const dir = instanceDir(jobDir, n);
      for (const sub of ['input/config', 'input/data', 'model', 'output/data', 'output/intermediate', 'checkpoints', 'code'])
        await mkdir(path.join(dir, sub), { recursive: true });
    }
    image = await ctx.images.resolve(spec.AlgorithmSpecification?.TrainingImage as string, {
      ...(spec.HyperParameters ? { hyperparameters: spec.HyperParameters } : {}),
      purpose: 'train',
    });
    for (const channel of spec.InputDataConfig ?? []) {
      const source = channel.DataSource?.S3DataSource;
      if (!source || channelInputMode(spec, channel) !== 'File') continue;
      const listing = await listChannelObjects(
        ctx.objectStore,
        { S3DataType: source.S3DataType as string, S3Uri: source.S3Uri as string, ...(source.AttributeNames ? { AttributeNames: source.AttributeNames } : {}) },
        { region: ctx.region, ...(spec.RoleArn !== undefined ? { roleArn: spec.RoleArn } : {}) },
      );
      const shards = shardObjects(listing.objects, count, source.S3DataDistributionType === 'ShardedByS3Key' ? 'ShardedByS3Key' : 'FullyReplicated');
      for (let n = 1; n <= count; n++) {
        const dest = path.join(instanceDir(jobDir, n), 'input', 'data', channel.ChannelName as string);
        await mkdir(dest, { recursive: true });
        await downloadChannel(ctx.objectStore, shards[n - 1] ?? [], dest, { compression: channel.CompressionType === 'Gzip' ? 'Gzip' : 'None' });
      }
    }
    for (let n = 1; n <= count; n++) {
      const dir = instanceDir(jobDir, n);
      if (image.kind === 'script-mode') await stageSubmitDirectory(ctx.objectStore, spec.HyperParameters, path.join(dir, 'code'));
      binds.push(await fileSystemMounts(spec, ctx.fileSystems, { dir, sandboxed: ctx.executor.realOptMl }));
      if (spec.CheckpointConfig?.S3Uri) {
        const restored = await new DirectorySync(ctx.objectStore, spec.CheckpointConfig.S3Uri, checkpointDir(dir, spec.CheckpointConfig.LocalPath)).restore();
        if (n === 1 && restored > 0) notes.push(`Restored ${restored} checkpoint file(s) from ${spec.CheckpointConfig.S3Uri}`);
      }
    }
    if (spec.InputDataConfig?.some((channel) => channelInputMode(spec, channel) === 'Pipe')) {
      if (!ctx.sidecarS3) throw new Error('Pipe input mode needs the object store endpoint for sidecars, which this server was not given');
      sidecars.push(
        ...(await pipeSidecars(spec, {
          objectStore: ctx.objectStore,
          jobDir,
          instanceCount: count,
          s3: await ctx.sidecarS3(),
          path: inheritedPath(ctx.baseEnv),
          region: ctx.region,
          ...(spec.RoleArn !== undefined ? { roleArn: spec.RoleArn } : {}),
        })),
      );
    }
    sidecars.push(
      ...(await fastFileSidecars(spec, {
        objectStore: ctx.objectStore,
        jobDir,
        instanceCount: count,
        s3: spec.InputDataConfig?.some((channel) => isFastFileChannel(spec, channel)) && ctx.sidecarS3 ? await ctx.sidecarS3() : undefined,
        path: inheritedPath(ctx.baseEnv),
        region: ctx.region,
        ...(spec.RoleArn !== undefined ? { roleArn: spec.RoleArn } : {}),
        ...(ctx.debugSidecars ? { debug: true } : {}),
      })),
    );
    if (image.kind === 'script-mode') python = await ctx.runtimes.ensure(image.requirements, (line) => notes.push(line));
  } catch (error) {
    const client = clientProblem(error);
    if (client) return client;
    return { kind: 'platform-error', message: `Could not prepare the training job: ${message(error)}` };
  }
  if (job.record.stopRequested) return { kind: 'stopped' };

  const now = ctx.clock();
  await job.update((r) => ({ ...enterStatus(r, statusOf(job), 'Training', now), trainingStartTime: now }));
  const resources = instanceResources(spec.ResourceConfig?.InstanceType ?? '') ?? { vcpus: 1, gpus: 0 };
  const instances: InstanceLaunch[] = [];
  try {
    for (let n = 1; n <= count; n++) {
      const dir = instanceDir(jobDir, n);
      const base = ctx.executor.realOptMl ? '/opt/ml' : dir;
      const context = {
        jobName: name,
        jobArn: job.record.arn,
        region: ctx.region,
        spec,
        instance: n,
        base,
        numCpus: Math.min(resources.vcpus, ctx.cpus),
        numGpus: 0,
      };
      for (const [file, text] of Object.entries(configFiles(context))) await writeFile(path.join(dir, 'input', 'config', file), text);
      const launch = launchFor(image, 'train', { ...(python ? { python } : {}), optMl: base });
      const env = {
        ...ctx.baseEnv,
        PATH: launchPath(launch, ctx.baseEnv),
        PYTHONUNBUFFERED: '1',
        ...launch.env,
        ...contractEnvironment(context),
      };
      instances.push({
        host: hosts[n - 1] as string,
        command: launch.command,
        ...(launch.cwd !== undefined ? { cwd: launch.cwd } : {}),
        env,
        optMlDir: dir,
        binds: binds[n - 1] ?? [],
      });
    }
    await ctx.executor.launch({
      jobDir,
      instances,
      maxRuntimeSeconds: spec.StoppingCondition?.MaxRuntimeInSeconds ?? 86400,
      stopGraceSeconds: ctx.stopGraceSeconds,
      networkIsolation: spec.EnableNetworkIsolation ?? false,
      sidecars,
    });
  } catch (error) {
    return { kind: 'platform-error', message: `Could not start the training processes: ${message(error)}` };
  }
  job.launched = true;
  if (job.record.stopRequested) await ctx.executor.requestStop(jobDir);
  return undefined;
}

/** CheckpointConfig.LocalPath (default /opt/ml/checkpoints) on the host; a path outside /opt/ml maps to the instance's checkpoints/. */
function checkpointDir(instance: string, localPath: string | undefined): string {
  return hostPathFor(instance, localPath ?? '/opt/ml/checkpoints') ?? path.join(instance, 'checkpoints');
}

/** The epoch seconds in the log stream names: the training start. */
function streamNames(job: ActiveJob): string[] {
  const epoch = Math.floor((job.record.trainingStartTime ?? job.record.creationTime) / 1000);
  return hostNames(job.record.spec.ResourceConfig?.InstanceCount ?? 1).map((host) => `${job.record.name}/${host}-${epoch}`);
}

async function failureText(jobDir: string, result: ExecutionResult): Promise<string | undefined> {
  const failing = result.instances.findIndex((i) => i.exitCode !== 0);
  for (const n of failing >= 0 ? [failing + 1, ...result.instances.map((_, i) => i + 1)] : []) {
    const file = path.join(instanceDir(jobDir, n), 'output', 'failure');
    if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  }
  return undefined;
}

/**
 * How a finished launch ended, for any job kind: timeout, stop, a sidecar's failure (ClientError),
 * success when every instance exited 0, else the first failing instance's exit code or signal with
 * `failureText()` (training: /opt/ml/output/failure; processing: the ExitMessage). `program` names
 * what could not be started (`training program`, `processing container`).
 */
export async function executionOutcome(result: ExecutionResult, failureText: () => Promise<string | undefined>, program: string): Promise<JobOutcome> {
  if (result.timedOut) return { kind: 'max-runtime-exceeded' };
  if (result.stopped) return { kind: 'stopped' };
  if (result.sidecarFailure !== undefined) return { kind: 'client-error', message: result.sidecarFailure };
  const failed = result.instances.find((i) => i.exitCode !== 0);
  if (!failed) return { kind: 'completed' };
  if (failed.error !== undefined) return { kind: 'client-error', message: `The ${program} could not be started: ${failed.error}` };
  const failure = await failureText();
  return {
    kind: 'algorithm-error',
    exitCode: failed.exitCode,
    ...(failed.signal ? { signal: failed.signal } : {}),
    ...(failure !== undefined ? { failure } : {}),
  };
}

/**
 * Polls a launched job (any kind) until its instances end, feeding `tailer` and storing its lines
 * about once a second; reaps what the launch left behind, then closes the tailer (every line
 * stored). When the server shuts down meanwhile: flushes, runs `onClosing` (e.g. a last upload)
 * and throws ServerClosing. `result` is undefined when the supervisor was lost (`lostOnFirstPoll`:
 * already on the first poll, i.e. while the server was down).
 */
export async function followLaunch(
  ctx: Pick<RunContext, 'executor' | 'clock' | 'closing' | 'pollIntervalMs'>,
  jobDir: string,
  tailer: LogTailer,
  onClosing: () => Promise<unknown>,
): Promise<{ readonly result?: ExecutionResult; readonly lostOnFirstPoll: boolean }> {
  let result: ExecutionResult | undefined;
  let polls = 0;
  let lostOnFirstPoll = false;
  let lastFlush = ctx.clock();
  for (;;) {
    if (ctx.closing()) {
      await tailer.flush();
      await onClosing();
      throw new ServerClosing();
    }
    const state = await ctx.executor.poll(jobDir);
    await tailer.poll();
    if (state.state === 'finished') {
      result = state.result;
      // Mounts a sidecar's cleanup could not remove must go before the instance directories are deleted.
      await ctx.executor.reap(jobDir);
      break;
    }
    if (state.state === 'lost') {
      lostOnFirstPoll = polls === 0;
      await ctx.executor.reap(jobDir);
      break;
    }
    polls++;
    if (ctx.clock() - lastFlush > 1000) {
      await tailer.flush();
      lastFlush = ctx.clock();
    }
    await delay(ctx.pollIntervalMs);
  }
  await tailer.close();
  return result ? { result, lostOnFirstPoll } : { lostOnFirstPoll };
}

/**
 * Follows a launched job until its instances end: output lines to CloudWatch Logs and metrics
 * (every line stored before returning), then Uploading: model/ → model.tar.gz, output/data →
 * output.tar.gz, checkpoints synced. `resume` re-attaches after a server restart.
 */
export async function monitorAndFinish(job: ActiveJob, ctx: RunContext, notes: readonly string[], resume: boolean): Promise<JobOutcome> {
  const { spec, name } = job.record;
  const jobDir = trainingJobDir(ctx.dataDir, name);
  const count = spec.ResourceConfig?.InstanceCount ?? 1;
  const extractor = new MetricExtractor(
    spec.AlgorithmSpecification?.MetricDefinitions?.map((d) => ({ Name: d.Name as string, Regex: d.Regex as string })) ?? [],
  );
  const streams = streamNames(job).map((stream, i) => ({ stream, file: ctx.executor.logPath(jobDir, `algo-${i + 1}`) }));
  const tailer = new LogTailer(ctx.logs, streams, path.join(jobDir, 'monitor-offsets.json'), {
    group: TRAINING_LOG_GROUP,
    metrics: { extractor, onSamples: (samples) => ctx.metrics.append(name, samples) },
  });
  if (resume) {
    await tailer.resume();
    extractor.restore(await ctx.metrics.lastValues(name));
  } else {
    for (const stream of streams) await ctx.logs.append('/aws/sagemaker/TrainingJobs', stream.stream, []);
    for (const note of notes) tailer.note(0, note);
  }
  const dirs = Array.from({ length: count }, (_, i) => instanceDir(jobDir, i + 1));
  const checkpoints = spec.CheckpointConfig?.S3Uri
    ? dirs.map((dir) => new DirectorySync(ctx.objectStore, spec.CheckpointConfig?.S3Uri as string, checkpointDir(dir, spec.CheckpointConfig?.LocalPath)))
    : [];
  for (const sync of checkpoints) sync.start();
  const { result, lostOnFirstPoll } = await followLaunch(ctx, jobDir, tailer, () => Promise.allSettled(checkpoints.map((sync) => sync.finish())));
  const finalMetrics = extractor.final().map((m) => ({ metricName: m.MetricName, value: m.Value, timestamp: m.Timestamp.getTime() }));
  await job.update((r) => ({ ...r, finalMetrics }));
  if (!result) {
    await Promise.allSettled(checkpoints.map((sync) => sync.finish()));
    return { kind: 'supervisor-lost', whileServerDown: resume && lostOnFirstPoll };
  }
  const finished = result;
  const outcome = await executionOutcome(finished, () => failureText(jobDir, finished), 'training program');

  await job.update((r) => enterStatus(r, statusOf(job), 'Uploading', ctx.clock()));
  try {
    const output = parseS3Uri(spec.OutputDataConfig?.S3OutputPath as string);
    const modelKey = outputKey(output.key, name, 'model.tar.gz');
    await uploadMergedTarGz(
      ctx.objectStore,
      dirs.map((d) => path.join(d, 'model')),
      { bucket: output.bucket, key: modelKey },
      path.join(jobDir, 'scratch'),
    );
    await uploadMergedTarGz(
      ctx.objectStore,
      dirs.map((d) => path.join(d, 'output', 'data')),
      { bucket: output.bucket, key: outputKey(output.key, name, 'output.tar.gz') },
      path.join(jobDir, 'scratch'),
    );
    await job.update((r) => ({ ...r, modelArtifacts: `s3://${output.bucket}/${modelKey}` }));
    for (const sync of checkpoints) await sync.finish();
  } catch (error) {
    if (outcome.kind !== 'completed') return outcome;
    const client = clientProblem(error);
    return client ?? { kind: 'platform-error', message: `Could not upload the training artifacts: ${message(error)}` };
  }
  return outcome;
}
