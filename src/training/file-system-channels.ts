import { lstat, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { ValidationException } from '../errors/index.js';
import type { DirectoryBind } from '../executors/index.js';
import type { FileSystemSource, ResolvedFileSystemChannel } from '../filesystems/index.js';
import type { TrainingJobSpec } from './training-job-record.js';

/** What resolves a FileSystemDataSource to a host directory (the FileSystemRegistry). */
export interface FileSystemResolver {
  resolveChannel(channel: string, source: FileSystemSource): Promise<ResolvedFileSystemChannel>;
}

function fileSystemChannels(spec: TrainingJobSpec): Array<{ name: string; source: FileSystemSource }> {
  return (spec.InputDataConfig ?? []).flatMap((channel) => {
    const source = channel.DataSource?.FileSystemDataSource;
    return source ? [{ name: channel.ChannelName as string, source }] : [];
  });
}

/**
 * CreateTrainingJob's check of every FileSystemDataSource channel: registered, inside its file
 * system, an existing directory. Throws ValidationException naming the channel (also when there is
 * no resolver: file systems are not available on this server).
 */
export async function checkFileSystemChannels(spec: TrainingJobSpec, resolver: FileSystemResolver | undefined): Promise<void> {
  for (const { name, source } of fileSystemChannels(spec)) {
    if (!resolver) throw new ValidationException(`Channel ${name}: file-system channels are not available on this server.`);
    await resolver.resolveChannel(name, source);
  }
}

/**
 * Makes the job's file-system channels appear at `/opt/ml/input/data/<channel>` of one instance,
 * resolved again (the registration may have changed since the job was created). In a sandbox they
 * are returned as binds (bubblewrap mounts them, read-only for `ro`); without one a `rw` channel
 * becomes a symbolic link in the instance directory and a `ro` channel is refused, since nothing
 * could enforce it. Throws ValidationException (→ ClientError) naming the channel.
 */
export async function fileSystemMounts(
  spec: TrainingJobSpec,
  resolver: FileSystemResolver | undefined,
  instance: { dir: string; sandboxed: boolean },
): Promise<DirectoryBind[]> {
  const binds: DirectoryBind[] = [];
  for (const { name, source } of fileSystemChannels(spec)) {
    if (!resolver) throw new ValidationException(`Channel ${name}: file-system channels are not available on this server.`);
    const resolved = await resolver.resolveChannel(name, source);
    const mountPoint = path.join(instance.dir, 'input', 'data', name);
    if (instance.sandboxed) {
      await mkdir(mountPoint, { recursive: true });
      binds.push({ hostPath: resolved.hostPath, containerPath: `/opt/ml/input/data/${name}`, readOnly: resolved.readOnly });
      continue;
    }
    if (resolved.readOnly)
      throw new ValidationException(
        `Channel ${name}: FileSystemAccessMode ro cannot be enforced without the bubblewrap sandbox (training programs run as plain processes on this server); use rw or install bubblewrap.`,
      );
    if (
      await lstat(mountPoint).then(
        () => true,
        () => false,
      )
    )
      await rm(mountPoint, { recursive: true, force: true });
    await mkdir(path.dirname(mountPoint), { recursive: true });
    await symlink(resolved.hostPath, mountPoint, 'dir');
  }
  return binds;
}
