import path from 'node:path';
import type { Logger } from 'pino';
import { HostingError, reapLeftovers, type BatchFleet, type BatchHosting, type HostedInstance } from '../../hosting/index.js';
import type { LogAppender } from '../../logs/index.js';
import type { ObjectStore } from '../../objectstore/index.js';
import { listChannelObjects, shardObjects, type ChannelObject } from '../../training/data/index.js';
import { recordProcessor, type RecordProcessor } from '../data-processing/index.js';
import type { TransformOutcome, TransformRun, TransformRunner } from '../transform-runner.js';
import { batchContainers } from './batch-containers.js';
import { batchSettings, parseExecutionParameters, settingsLine, type BatchSettings, type ExecutionParameters } from './batch-settings.js';
import { DataLog, transformLogGroup } from './data-log.js';
import { FileTransformError, transformFile, type FileTransformContext } from './file-transform.js';
import { outputLocation } from './output-location.js';
import { RequestSlots } from './request-slots.js';

/** The slice of the configuration the runner needs. */
export interface HostedTransformRunnerConfig {
  /** Named in messages about the input (`the selected region (<region>)`). */
  readonly region: string;
  /** Bytes per uploaded output part (≥ 5 MiB in production; tests shrink it). Default 8 MiB. */
  readonly outputPartBytes?: number;
  /** First pause before retrying a failed request (doubles per retry). Default 200 ms. */
  readonly retryDelayMs?: number;
}

/** Ports the runner uses. */
export interface HostedTransformRunnerDeps {
  readonly objectStore: ObjectStore;
  /** Model servers (ProcessEndpointHosting). */
  readonly hosting: BatchHosting;
  readonly logs: LogAppender;
  readonly logger?: Pick<Logger, 'warn'>;
}

/** Where a job's model servers keep their files (and pid files). */
const fleetDirOf = (jobDir: string): string => path.join(jobDir, 'fleet');

/** ModelClientConfig defaults: 600 s per request, 3 retries. */
const defaultTimeoutSeconds = 600;
const defaultRetries = 3;

/**
 * TransformRunner over hosting's model servers: lists the input objects (S3Prefix or ManifestFile),
 * starts TransformResources.InstanceCount instances of the model (SAGEMAKER_BATCH=true and the job's
 * Environment), resolves MaxConcurrentTransforms / BatchStrategy / MaxPayloadInMB (request, then the
 * container's GET /execution-parameters, then 1 / MultiRecord / 6), spreads the objects over the
 * instances by key (each exactly once) and transforms each into `<S3OutputPath>/<relative key>.out`
 * (transformFile). Model server output goes to `/aws/sagemaker/TransformJobs` stream
 * `<job>/<instance-id>`, per-file lines to `<job>/<instance-id>/data-log`. A file that fails fails the
 * job once every file was tried (its output is never published; other files' outputs remain). Never
 * throws; an abort of `run.signal` stops the model servers and uploads and resolves `stopped`.
 */
export class HostedTransformRunner implements TransformRunner {
  constructor(
    private readonly config: HostedTransformRunnerConfig,
    private readonly deps: HostedTransformRunnerDeps,
  ) {}

  async run(run: TransformRun): Promise<TransformOutcome> {
    try {
      return await this.execute(run);
    } catch (error) {
      if (run.signal.aborted) return { kind: 'stopped' };
      this.deps.logger?.warn({ err: error, job: run.jobName }, 'transform job failed unexpectedly');
      return { kind: 'failed', reason: `InternalServerError: ${(error as Error).message ?? String(error)}` };
    }
  }

  reapLeftovers(jobDir: string): void {
    reapLeftovers(fleetDirOf(jobDir));
  }

  private async execute(run: TransformRun): Promise<TransformOutcome> {
    const { spec } = run;
    const fleetDir = fleetDirOf(run.jobDir);
    reapLeftovers(fleetDir);
    if (run.signal.aborted) return { kind: 'stopped' };

    let objects: ChannelObject[];
    try {
      objects = (await listChannelObjects(this.deps.objectStore, spec.TransformInput.DataSource.S3DataSource, { region: this.config.region })).objects;
    } catch (error) {
      return { kind: 'failed', reason: `ClientError: ${(error as Error).message}` };
    }
    let processor: RecordProcessor | undefined;
    try {
      processor = recordProcessor(spec.DataProcessing, {
        ...(spec.TransformInput.ContentType !== undefined ? { contentType: spec.TransformInput.ContentType } : {}),
        ...(spec.TransformOutput.Accept !== undefined ? { accept: spec.TransformOutput.Accept } : {}),
      });
    } catch (error) {
      return { kind: 'failed', reason: `ClientError: ${(error as Error).message}` };
    }

    if (run.containers.some((container) => container.mode === 'MultiModel'))
      return { kind: 'failed', reason: `ClientError: Model ${spec.ModelName} is a multi-model model (Mode MultiModel), which batch transform does not run.` };

    let fleet: BatchFleet;
    try {
      fleet = await this.deps.hosting.startFleet({
        name: run.jobName,
        containers: batchContainers(run.containers, spec),
        instanceCount: spec.TransformResources.InstanceCount,
        instanceType: spec.TransformResources.InstanceType,
        logGroup: transformLogGroup,
        dir: fleetDir,
        signal: run.signal,
      });
    } catch (error) {
      if (run.signal.aborted) return { kind: 'stopped' };
      const message = error instanceof HostingError ? error.message : `Could not start the model: ${(error as Error).message}`;
      return { kind: 'failed', reason: `ClientError: ${message}` };
    }

    const dataLogs: DataLog[] = [];
    const stopOnAbort = (): void => void fleet.stop();
    run.signal.addEventListener('abort', stopOnAbort, { once: true });
    try {
      const instances = fleet.instances;
      for (const instance of instances) dataLogs.push(await DataLog.open(this.deps.logs, run.jobName, instance.id));
      const settings = batchSettings(spec, await executionParameters(instances[0]));
      for (const log of dataLogs) log.line(settingsLine(settings));
      const shards = shardObjects(objects, instances.length, 'ShardedByS3Key');
      const failures: FileTransformError[] = [];
      await Promise.all(
        instances.map((instance, index) => this.runInstance(run, instance, settings, processor, shards[index] ?? [], dataLogs[index] as DataLog, failures)),
      );
      if (run.signal.aborted) return { kind: 'stopped' };
      const first = failures[0];
      if (first === undefined) return { kind: 'completed' };
      const more = failures.length > 1 ? ` (${failures.length - 1} more input file(s) failed too; see the data-log streams)` : '';
      return { kind: 'failed', reason: `${first.reason}${more}` };
    } finally {
      run.signal.removeEventListener('abort', stopOnAbort);
      await fleet.stop();
      await Promise.all(dataLogs.map((log) => log.close()));
    }
  }

  /** Works through one instance's files, up to MaxConcurrentTransforms files (and requests) at once. */
  private async runInstance(
    run: TransformRun,
    instance: HostedInstance,
    settings: BatchSettings,
    processor: RecordProcessor | undefined,
    files: readonly ChannelObject[],
    dataLog: DataLog,
    failures: FileTransformError[],
  ): Promise<void> {
    const { spec } = run;
    const ctx: FileTransformContext = {
      store: this.deps.objectStore,
      instance,
      containers: run.containers,
      settings,
      contentType: spec.TransformInput.ContentType,
      accept: spec.TransformOutput.Accept,
      compression: spec.TransformInput.CompressionType ?? 'None',
      splitType: spec.TransformInput.SplitType ?? 'None',
      assembleWith: spec.TransformOutput.AssembleWith ?? 'None',
      processor,
      timeoutMs: (spec.ModelClientConfig?.InvocationsTimeoutInSeconds ?? defaultTimeoutSeconds) * 1000,
      maxRetries: spec.ModelClientConfig?.InvocationsMaxRetries ?? defaultRetries,
      slots: new RequestSlots(settings.maxConcurrentTransforms),
      signal: run.signal,
      ...(this.config.outputPartBytes !== undefined ? { partBytes: this.config.outputPartBytes } : {}),
      ...(this.config.retryDelayMs !== undefined ? { retryDelayMs: this.config.retryDelayMs } : {}),
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length && !run.signal.aborted) {
        const input = files[next++] as ChannelObject;
        const name = `${input.bucket}/${input.key}`;
        try {
          await transformFile(ctx, input, outputLocation(spec.TransformOutput.S3OutputPath, input.relativePath));
        } catch (error) {
          if (run.signal.aborted) return;
          const failure =
            error instanceof FileTransformError
              ? error
              : new FileTransformError(`ClientError: ${name}: ${(error as Error).message}`, [(error as Error).message], { cause: error });
          failures.push(failure);
          dataLog.fileLines(name, failure.lines);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.maxConcurrentTransforms, files.length) }, worker));
  }
}

/** The first container's GET /execution-parameters (any failure or non-200 → none). */
async function executionParameters(instance: HostedInstance | undefined): Promise<ExecutionParameters> {
  const server = instance?.servers[0];
  if (!server) return {};
  try {
    const response = await server.client.request({ method: 'GET', path: '/execution-parameters', timeoutMs: 10_000 });
    return response.status === 200 ? parseExecutionParameters(response.body) : {};
  } catch {
    return {};
  }
}
