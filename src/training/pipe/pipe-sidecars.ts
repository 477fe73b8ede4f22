import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SidecarLaunch } from '../../executors/index.js';
import type { ObjectStore } from '../../objectstore/index.js';
import { listChannelObjects, shardObjects, type ChannelListing, type ChannelSource } from '../data/index.js';
import { instanceDir } from '../job-layout.js';
import type { SidecarS3Access } from '../sidecar-s3.js';
import type { TrainingJobSpec } from '../training-job-record.js';
import type { FeederPlan, PipeChannelPlan, PipeItem } from './feeder-plan.js';

type ChannelSpec = NonNullable<TrainingJobSpec['InputDataConfig']>[number];

/** A channel's input mode: its own InputMode, else the job's TrainingInputMode, else File. */
export function channelInputMode(spec: TrainingJobSpec, channel: ChannelSpec): string {
  return channel.InputMode ?? spec.AlgorithmSpecification?.TrainingInputMode ?? 'File';
}

/** The feeder's light entry point next to this module. */
function feederEntry(): string {
  return fileURLToPath(new URL('./pipe-feeder-main.js', import.meta.url));
}

/** The items of a listing in base order: objects (sorted by key when sharded, as File mode shards) or augmented-manifest lines. */
function itemsOf(listing: ChannelListing, sharded: boolean): PipeItem[] {
  if (listing.augmentedManifestLines) {
    return listing.augmentedManifestLines.map((line) => ({
      parts: line.attributes.map((attribute) =>
        attribute.ref
          ? { bucket: attribute.ref.bucket, key: attribute.ref.key }
          : { text: typeof attribute.value === 'string' ? attribute.value : JSON.stringify(attribute.value) },
      ),
    }));
  }
  const objects = sharded ? (shardObjects(listing.objects, 1, 'ShardedByS3Key')[0] ?? []) : listing.objects;
  return objects.map((object) => ({ parts: [{ bucket: object.bucket, key: object.key }] }));
}

/** What pipeSidecars needs besides the job's spec. */
export interface PipeSidecarOptions {
  readonly objectStore: ObjectStore;
  readonly jobDir: string;
  readonly instanceCount: number;
  readonly s3: SidecarS3Access;
  /** PATH for the feeder (its environment is its own: no AWS_* settings of the server). */
  readonly path: string;
  readonly region?: string;
  readonly roleArn?: string;
}

/**
 * One Pipe-mode input of a job of any kind: a training channel, or a processing job's S3Input.
 * `name` is where its FIFOs go below each instance's data directory, without the `_<epoch>`
 * suffix: a training channel's name, or a path such as `processing/input/data` (FIFOs
 * `…/processing/input/data_0`, `_1` …).
 */
export interface PipeInput {
  readonly name: string;
  readonly source: ChannelSource;
  readonly sharded: boolean;
  readonly seed?: number | string;
  readonly gzip: boolean;
  readonly recordIO: boolean;
}

/**
 * The Pipe-mode feeders of a training job: its Pipe channels (see pipeFeeders), FIFOs
 * `/opt/ml/input/data/<channel>_<epoch>`.
 */
export async function pipeSidecars(spec: TrainingJobSpec, options: PipeSidecarOptions): Promise<SidecarLaunch[]> {
  const inputs: PipeInput[] = [];
  for (const channel of spec.InputDataConfig ?? []) {
    const source = channel.DataSource?.S3DataSource;
    if (channelInputMode(spec, channel) !== 'Pipe' || !source) continue;
    const seed = channel.ShuffleConfig?.Seed;
    inputs.push({
      name: channel.ChannelName as string,
      source: {
        S3DataType: source.S3DataType as string,
        S3Uri: source.S3Uri as string,
        ...(source.AttributeNames ? { AttributeNames: source.AttributeNames } : {}),
      },
      sharded: source.S3DataDistributionType === 'ShardedByS3Key',
      ...(seed !== undefined ? { seed: typeof seed === 'bigint' ? String(seed) : seed } : {}),
      gzip: channel.CompressionType === 'Gzip',
      recordIO: channel.RecordWrapperType === 'RecordIO',
    });
  }
  return pipeFeeders(inputs, { ...options, dataDir: (n) => path.join(instanceDir(options.jobDir, n), 'input', 'data') });
}

/**
 * The Pipe-mode feeders for `inputs`: lists every input (S3Prefix or ManifestFile as File mode
 * lists them, or AugmentedManifestFile; ChannelError/ValidationException for bad input) and
 * returns one feeder sidecar per instance (none without inputs), each with its plan in
 * `<jobDir>/pipe/algo-N.json`; instance N's FIFOs go below `options.dataDir(N)`. A feeder is ready
 * once every `_0` FIFO exists; its failure reason (an object that vanished) becomes the job's.
 */
export async function pipeFeeders(
  inputs: readonly PipeInput[],
  options: PipeSidecarOptions & { readonly dataDir: (instance: number) => string },
): Promise<SidecarLaunch[]> {
  const channels: PipeChannelPlan[] = [];
  for (const input of inputs) {
    const listing = await listChannelObjects(options.objectStore, input.source, {
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(options.roleArn !== undefined ? { roleArn: options.roleArn } : {}),
    });
    channels.push({
      name: input.name,
      items: itemsOf(listing, input.sharded),
      ...(input.seed !== undefined ? { seed: input.seed } : {}),
      sharded: input.sharded,
      gzip: input.gzip,
      recordIO: input.recordIO,
    });
  }
  if (channels.length === 0) return [];
  const dir = path.join(options.jobDir, 'pipe');
  await mkdir(dir, { recursive: true });
  const sidecars: SidecarLaunch[] = [];
  for (let n = 1; n <= options.instanceCount; n++) {
    const host = `algo-${n}`;
    const plan: FeederPlan = {
      s3: options.s3,
      dataDir: options.dataDir(n),
      readyFile: path.join(dir, `${host}.ready`),
      failureFile: path.join(dir, `${host}.failure`),
      instanceCount: options.instanceCount,
      instanceIndex: n - 1,
      channels,
    };
    const planFile = path.join(dir, `${host}.json`);
    await writeFile(planFile, JSON.stringify(plan), { mode: 0o600 });
    sidecars.push({
      name: `pipe-${host}`,
      command: [process.execPath, feederEntry(), planFile],
      // NODE_NO_WARNINGS: the SDK's Node-version notice would land in the training log.
      env: { PATH: options.path, UV_THREADPOOL_SIZE: String(Math.min(128, 4 + 2 * channels.length)), NODE_NO_WARNINGS: '1' },
      ready: { kind: 'file', path: plan.readyFile },
      logHost: host,
      failureFile: plan.failureFile,
    });
  }
  return sidecars;
}
