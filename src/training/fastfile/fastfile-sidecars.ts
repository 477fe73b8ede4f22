import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SidecarLaunch } from '../../executors/index.js';
import type { ObjectStore } from '../../objectstore/index.js';
import { ChannelError, listChannelObjects, parseS3Uri, prefixDirectory, shardObjects } from '../data/index.js';
import { instanceDir } from '../job-layout.js';
import type { SidecarS3Access } from '../sidecar-s3.js';
import type { TrainingJobSpec } from '../training-job-record.js';
import { fuseProblem } from './fuse-check.js';
import { rcloneEnv, rcloneMountArgs } from './rclone-mount.js';

type ChannelSpec = NonNullable<TrainingJobSpec['InputDataConfig']>[number];

/** FastFile channels cannot be mounted on this host (no FUSE, rclone or fusermount3; no endpoint): a ClientError naming the channels. */
export class FastFileUnavailable extends Error {
  override readonly name = 'FastFileUnavailable';
}

/** Whether a channel is read in FastFile mode (its own InputMode, else the job's TrainingInputMode). */
export function isFastFileChannel(spec: TrainingJobSpec, channel: ChannelSpec): boolean {
  return (channel.InputMode ?? spec.AlgorithmSpecification?.TrainingInputMode ?? 'File') === 'FastFile' && channel.DataSource?.S3DataSource !== undefined;
}

/** What fastFileSidecars needs besides the job's spec. */
export interface FastFileOptions {
  readonly objectStore: ObjectStore;
  readonly jobDir: string;
  readonly instanceCount: number;
  /** Where the mounts read objects; undefined fails FastFile jobs (the server did not provide it). */
  readonly s3: SidecarS3Access | undefined;
  /** PATH of the mounts' own environment (rclone, fusermount3). */
  readonly path: string;
  readonly region?: string;
  readonly roleArn?: string;
  /** rclone logs every request's headers to logs/sidecar-<name>.log. */
  readonly debug?: boolean;
  /** Where FUSE is looked for (tests). */
  readonly devFuse?: string;
}

/**
 * One `rclone mount` sidecar per FastFile channel and instance: the channel's S3 prefix, read-only
 * and read lazily, mounted on `<instance>/input/data/<channel>` (inside the sandbox that is
 * /opt/ml/input/data/<channel>); ready once it is a mount point, unmounted (`fusermount3 -u -z`)
 * after it is stopped. Files appear at their key minus the S3Uri's prefix up to its last `/`, as in
 * File mode. ShardedByS3Key over several instances lists the prefix now and shows each instance
 * only its shard. Throws FastFileUnavailable (→ ClientError) when FUSE or rclone is missing — never
 * falling back to a download — and ChannelError (→ ClientError) when nothing is under the S3Uri.
 */
export async function fastFileSidecars(spec: TrainingJobSpec, options: FastFileOptions): Promise<SidecarLaunch[]> {
  const channels = (spec.InputDataConfig ?? []).filter((channel) => isFastFileChannel(spec, channel));
  if (channels.length === 0) return [];
  const names = channels.map((c) => c.ChannelName as string).join(', ');
  const problem = fuseProblem(options.path, options.devFuse);
  if (problem !== undefined)
    throw new FastFileUnavailable(
      `FastFile input mode (channel ${names}) needs a FUSE mount, but ${problem}; use File input mode or install fuse3 and rclone.`,
    );
  if (!options.s3)
    throw new FastFileUnavailable(`FastFile input mode (channel ${names}) needs the object store endpoint for mounts, which this server was not given.`);
  const dir = path.join(options.jobDir, 'fastfile');
  await mkdir(dir, { recursive: true });
  const sidecars: SidecarLaunch[] = [];
  for (const channel of channels) {
    const name = channel.ChannelName as string;
    const source = channel.DataSource?.S3DataSource;
    const uri = source?.S3Uri as string;
    const { bucket, key } = parseS3Uri(uri);
    const directory = prefixDirectory(key);
    // As File mode: nothing under the URI is a ClientError, and a URI naming one object shows that object only.
    if ((await options.objectStore.listObjects(bucket, { prefix: key, maxKeys: 1 })).objects.length === 0)
      throw new ChannelError(
        'NoObjects',
        `No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket exists, that objects exist under that S3 prefix, and that the role has "s3:ListBucket" permissions on bucket "${bucket}".`,
      );
    const exactName =
      key !== directory &&
      (await options.objectStore.headObject(bucket, key).then(
        () => true,
        () => false,
      ));
    const shards =
      source?.S3DataDistributionType === 'ShardedByS3Key' && options.instanceCount > 1
        ? shardObjects(
            (
              await listChannelObjects(
                options.objectStore,
                { S3DataType: 'S3Prefix', S3Uri: uri },
                { ...(options.region !== undefined ? { region: options.region } : {}), ...(options.roleArn !== undefined ? { roleArn: options.roleArn } : {}) },
              )
            ).objects,
            options.instanceCount,
            'ShardedByS3Key',
          )
        : undefined;
    for (let n = 1; n <= options.instanceCount; n++) {
      const host = `algo-${n}`;
      const mountPoint = path.join(instanceDir(options.jobDir, n), 'input', 'data', name);
      await mkdir(mountPoint, { recursive: true });
      let filesFrom: string | undefined;
      if (shards) {
        filesFrom = path.join(dir, `${name}-${host}.files`);
        await writeFile(filesFrom, (shards[n - 1] ?? []).map((object) => `${object.relativePath}\n`).join(''));
      }
      sidecars.push({
        name: `fastfile-${name}-${host}`,
        command: rcloneMountArgs({
          bucket,
          directory,
          namePrefix: key.slice(directory.length),
          ...(exactName ? { exactName } : {}),
          mountPoint,
          ...(filesFrom !== undefined ? { filesFrom } : {}),
          ...(options.debug ? { debug: true } : {}),
        }),
        env: rcloneEnv(options.s3, options.path),
        ready: { kind: 'mount', path: mountPoint },
        cleanup: ['fusermount3', '-u', '-z', mountPoint],
        ...(options.debug ? {} : { logHost: host }),
      });
    }
  }
  return sidecars;
}
