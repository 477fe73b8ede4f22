import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InstanceLaunch, SidecarLaunch } from '../executors/index.js';
import { inheritedPath, launchFor, launchPath, type PythonEnvironment, type ResolvedImage } from '../images/index.js';
import {
  type ActiveJob,
  clientProblem,
  executionOutcome,
  followLaunch,
  hostNames,
  instanceDir,
  LogTailer,
  type JobOutcome,
  type RunContext,
} from '../training/index.js';
import { DirectorySync, downloadChannel, listChannelObjects, shardObjects } from '../training/data/index.js';
import { pipeFeeders, type PipeInput } from '../training/pipe/index.js';
import { processingConfigFiles } from './container-contract.js';
import { ExitMessageNotUtf8, readExitMessages } from './exit-message.js';
import { localPathOnHost, PROCESSING_LOG_GROUP, processingJobDir } from './job-layout.js';
import type { ProcessingJobRecord } from './processing-job-record.js';
import { processingOutcome } from './status.js';

/** What running a processing job needs: the training runner's ports and settings (see RunContext). */
export type ProcessingRunContext = Pick<
  RunContext,
  | 'dataDir'
  | 'region'
  | 'stopGraceSeconds'
  | 'pollIntervalMs'
  | 'executor'
  | 'objectStore'
  | 'images'
  | 'runtimes'
  | 'logs'
  | 'baseEnv'
  | 'sidecarS3'
  | 'clock'
  | 'closing'
>;

/** A processing job the server is working on. */
type ActiveProcessingJob = ActiveJob<ProcessingJobRecord>;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const instanceCount = (record: ProcessingJobRecord): number => record.spec.ProcessingResources?.ClusterConfig?.InstanceCount ?? 1;

/** `/opt/ml/processing/x/` → `processing/x` (the path below an instance directory). */
const belowOptMl = (localPath: string): string => path.posix.relative('/opt/ml', path.posix.normalize(localPath));

/**
 * Prepares and launches a job: instance directories laid out as /opt/ml (config/, output/, every
 * input and output LocalPath created — SageMaker creates output directories before the container
 * starts), File inputs listed, sharded and downloaded to their LocalPath, Pipe inputs given a
 * feeder (FIFOs `<LocalPath>_<epoch>`), the image resolved and a framework image's Python
 * environment ensured; then ProcessingStartTime and the executor launches the instances with
 * Docker's entrypoint semantics (launchFor 'process') and the request's Environment. Returns an
 * outcome instead when the job cannot start (bad input → ClientError) or was stopped meanwhile.
 */
export async function prepareAndLaunch(job: ActiveProcessingJob, ctx: ProcessingRunContext, notes: string[]): Promise<JobOutcome | undefined> {
  const { spec, name } = job.record;
  if (job.record.stopRequested) return { kind: 'stopped' };
  const jobDir = processingJobDir(ctx.dataDir, name);
  const count = instanceCount(job.record);
  const dirs = Array.from({ length: count }, (_, i) => instanceDir(jobDir, i + 1));
  const listOptions = { region: ctx.region, ...(spec.RoleArn !== undefined ? { roleArn: spec.RoleArn } : {}) };
  let image: ResolvedImage;
  let python: PythonEnvironment | undefined;
  const sidecars: SidecarLaunch[] = [];
  try {
    await rm(jobDir, { recursive: true, force: true });
    for (const dir of dirs) for (const sub of ['config', 'output', 'processing']) await mkdir(path.join(dir, sub), { recursive: true });
    image = await ctx.images.resolve(spec.AppSpecification?.ImageUri as string, { purpose: 'process' });
    const pipes: PipeInput[] = [];
    for (const input of spec.ProcessingInputs ?? []) {
      const s3 = input.S3Input;
      if (!s3) continue;
      const source = { S3DataType: s3.S3DataType as string, S3Uri: s3.S3Uri as string };
      const sharded = s3.S3DataDistributionType === 'ShardedByS3Key';
      if ((s3.S3InputMode ?? 'File') === 'Pipe') {
        for (const dir of dirs) await mkdir(path.dirname(localPathOnHost(dir, s3.LocalPath as string)), { recursive: true });
        pipes.push({ name: belowOptMl(s3.LocalPath as string), source, sharded, gzip: s3.S3CompressionType === 'Gzip', recordIO: false });
        continue;
      }
      const listing = await listChannelObjects(ctx.objectStore, source, listOptions);
      const shards = shardObjects(listing.objects, count, sharded ? 'ShardedByS3Key' : 'FullyReplicated');
      for (const [i, dir] of dirs.entries()) await downloadChannel(ctx.objectStore, shards[i] ?? [], localPathOnHost(dir, s3.LocalPath as string));
    }
    for (const output of spec.ProcessingOutputConfig?.Outputs ?? [])
      for (const dir of dirs) await mkdir(localPathOnHost(dir, output.S3Output?.LocalPath as string), { recursive: true });
    if (pipes.length > 0) {
      if (!ctx.sidecarS3) throw new Error('Pipe input mode needs the object store endpoint for sidecars, which this server was not given');
      sidecars.push(
        ...(await pipeFeeders(pipes, {
          objectStore: ctx.objectStore,
          jobDir,
          instanceCount: count,
          s3: await ctx.sidecarS3(),
          path: inheritedPath(ctx.baseEnv),
          ...listOptions,
          dataDir: (n) => instanceDir(jobDir, n),
        })),
      );
    }
    if (image.kind === 'script-mode') python = await ctx.runtimes.ensure(image.requirements, (line) => notes.push(line));
  } catch (error) {
    return clientProblem(error) ?? { kind: 'platform-error', message: `Could not prepare the processing job: ${message(error)}` };
  }
  if (job.record.stopRequested) return { kind: 'stopped' };

  const now = ctx.clock();
  await job.update((r) => ({ ...r, processingStartTime: now, lastModifiedTime: now }));
  const hosts = hostNames(count);
  const instances: InstanceLaunch[] = [];
  try {
    for (const [i, dir] of dirs.entries()) {
      for (const [file, text] of Object.entries(processingConfigFiles(job.record, i + 1))) await writeFile(path.join(dir, 'config', file), text);
      const launch = launchFor(image, 'process', {
        ...(python ? { python } : {}),
        optMl: ctx.executor.realOptMl ? '/opt/ml' : dir,
        ...(spec.AppSpecification?.ContainerEntrypoint ? { containerEntrypoint: spec.AppSpecification.ContainerEntrypoint } : {}),
        ...(spec.AppSpecification?.ContainerArguments ? { containerArguments: spec.AppSpecification.ContainerArguments } : {}),
      });
      instances.push({
        host: hosts[i] as string,
        command: launch.command,
        ...(launch.cwd !== undefined ? { cwd: launch.cwd } : {}),
        // The request's Environment only (no SM_* for processing), plus what processes need to run.
        env: {
          ...ctx.baseEnv,
          PATH: launchPath(launch, ctx.baseEnv),
          ...launch.env,
          ...(spec.Environment ?? {}),
        },
        optMlDir: dir,
      });
    }
    await ctx.executor.launch({
      jobDir,
      instances,
      maxRuntimeSeconds: spec.StoppingCondition?.MaxRuntimeInSeconds ?? 86400,
      stopGraceSeconds: ctx.stopGraceSeconds,
      networkIsolation: spec.NetworkConfig?.EnableNetworkIsolation ?? false,
      sidecars,
    });
  } catch (error) {
    return clientProblem(error) ?? { kind: 'platform-error', message: `Could not start the processing containers: ${message(error)}` };
  }
  job.launched = true;
  if (job.record.stopRequested) await ctx.executor.requestStop(jobDir);
  return undefined;
}

/** How a run ended, with the ExitMessage to record. */
export interface ProcessingRunEnd {
  readonly outcome: JobOutcome;
  readonly exitMessage?: string;
}

/** One output directory of one instance and where it goes. */
interface OutputDir {
  readonly name: string;
  readonly host: string;
  readonly localPath: string;
  readonly dir: string;
  readonly s3Uri: string;
  readonly continuous: boolean;
}

function outputDirs(record: ProcessingJobRecord, dirs: readonly string[]): OutputDir[] {
  return (record.spec.ProcessingOutputConfig?.Outputs ?? []).flatMap((output) =>
    dirs.map((dir, i) => ({
      name: output.OutputName as string,
      host: `algo-${i + 1}`,
      localPath: output.S3Output?.LocalPath as string,
      dir: localPathOnHost(dir, output.S3Output?.LocalPath as string),
      s3Uri: output.S3Output?.S3Uri as string,
      continuous: output.S3Output?.S3UploadMode === 'Continuous',
    })),
  );
}

/**
 * Follows a launched job until its containers end (every log line stored in
 * `/aws/sagemaker/ProcessingJobs`, streams `<job>/algo-<n>-<epoch>`), uploading Continuous outputs
 * while it runs (files once stable across two scans, about a second apart) and once more at the
 * end, whatever the outcome; EndOfJob outputs are uploaded only when every container exited 0 (a
 * failed or stopped job's partial results are not published as if complete). An output directory
 * the container removed fails the job (ClientError naming it). `resume` re-attaches after a restart.
 */
export async function monitorAndFinish(
  job: ActiveProcessingJob,
  ctx: ProcessingRunContext,
  notes: readonly string[],
  resume: boolean,
): Promise<ProcessingRunEnd> {
  const { name } = job.record;
  const jobDir = processingJobDir(ctx.dataDir, name);
  const hosts = hostNames(instanceCount(job.record));
  const dirs = hosts.map((_, i) => instanceDir(jobDir, i + 1));
  const epoch = Math.floor((job.record.processingStartTime ?? job.record.creationTime) / 1000);
  const streams = hosts.map((host) => ({ stream: `${name}/${host}-${epoch}`, file: ctx.executor.logPath(jobDir, host) }));
  const tailer = new LogTailer(ctx.logs, streams, path.join(jobDir, 'monitor-offsets.json'), { group: PROCESSING_LOG_GROUP });
  if (resume) await tailer.resume();
  else {
    for (const stream of streams) await ctx.logs.append(PROCESSING_LOG_GROUP, stream.stream, []);
    for (const note of notes) tailer.note(0, note);
  }
  const outputs = outputDirs(job.record, dirs);
  const continuous = outputs.filter((o) => o.continuous).map((o) => new DirectorySync(ctx.objectStore, o.s3Uri, o.dir));
  for (const sync of continuous) sync.start();
  const finishContinuous = (): Promise<unknown> => Promise.allSettled(continuous.map((sync) => sync.finish()));
  const { result, lostOnFirstPoll } = await followLaunch(ctx, jobDir, tailer, finishContinuous);
  if (!result) {
    await finishContinuous();
    return { outcome: { kind: 'supervisor-lost', whileServerDown: resume && lostOnFirstPoll } };
  }
  let messages;
  try {
    messages = await readExitMessages(dirs);
  } catch (error) {
    if (!(error instanceof ExitMessageNotUtf8)) throw error;
    await finishContinuous();
    return { outcome: { kind: 'client-error', message: error.message } };
  }
  const failing = result.instances.findIndex((i) => i.exitCode !== 0);
  const failingMessage = failing >= 0 ? messages.byInstance[failing] : undefined;
  const outcome = processingOutcome(await executionOutcome(result, () => Promise.resolve(failingMessage), 'processing container'), failingMessage);
  const end = (o: JobOutcome): ProcessingRunEnd => (messages.exitMessage !== undefined ? { outcome: o, exitMessage: messages.exitMessage } : { outcome: o });
  try {
    for (const sync of continuous) await sync.finish();
    if (outcome.kind !== 'completed') return end(outcome);
    for (const output of outputs) {
      if (!(await stat(output.dir).catch(() => undefined))?.isDirectory())
        return end({
          kind: 'client-error',
          message: `Output ${output.name}: the directory ${output.localPath} did not exist on ${output.host} when the processing container ended, so nothing could be uploaded to ${output.s3Uri}.`,
        });
    }
    for (const output of outputs.filter((o) => !o.continuous)) await new DirectorySync(ctx.objectStore, output.s3Uri, output.dir).finish();
  } catch (error) {
    if (outcome.kind !== 'completed') return end(outcome);
    return end(clientProblem(error) ?? { kind: 'platform-error', message: `Could not upload the processing outputs: ${message(error)}` });
  }
  return end(outcome);
}
