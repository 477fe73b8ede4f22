import type { SidecarS3Access } from '../sidecar-s3.js';

/** The rclone remote the mounts use, configured entirely through RCLONE_CONFIG_SALVIA_* variables. */
export const RCLONE_REMOTE = 'salvia';

/** How one FastFile channel of one instance is mounted. */
export interface RcloneMount {
  /** Bucket and key prefix up to its last `/` (`''` for the bucket's top): the mount's root. */
  readonly bucket: string;
  readonly directory: string;
  /** The rest of the S3Uri's key after `directory` (a partial name such as `train-0`): only entries starting with it are shown. */
  readonly namePrefix: string;
  /** `namePrefix` is a whole object's name (an S3Uri naming one object): only that file is shown. */
  readonly exactName?: boolean;
  /** Host directory to mount on (the instance's input/data/<channel>). */
  readonly mountPoint: string;
  /** A file listing the only paths (relative to the root) to show: the instance's shard. */
  readonly filesFrom?: string;
  /** Log every HTTP request's headers (rclone -vv --dump headers), to prove which ranges were fetched. */
  readonly debug?: boolean;
}

/** A glob that matches `text` literally in an rclone filter rule. */
function globLiteral(text: string): string {
  return text.replace(/[\\*?[\]{}]/g, (c) => `\\${c}`);
}

/**
 * `rclone mount` argv for a read-only, lazily read view: no VFS cache (a read is a ranged GET of
 * what the kernel asks for, nothing is staged on disk), no read-ahead buffer beyond the current
 * chunk, chunks of 1 MiB doubling while a file is read sequentially (reset on every seek), the
 * listing kept for the job's lifetime (objects are listed once, as SageMaker does at start), and
 * server modification times (no HEAD per file).
 */
export function rcloneMountArgs(mount: RcloneMount): string[] {
  const root = `${RCLONE_REMOTE}:${mount.bucket}${mount.directory === '' ? '' : `/${mount.directory.replace(/\/+$/, '')}`}`;
  const argv = [
    'rclone',
    'mount',
    root,
    mount.mountPoint,
    '--config',
    '/dev/null',
    '--read-only',
    '--vfs-cache-mode',
    'off',
    '--buffer-size',
    '0',
    '--vfs-read-chunk-size',
    '1M',
    '--dir-cache-time',
    '1000h',
    '--poll-interval',
    '0',
    '--attr-timeout',
    '1h',
    '--use-server-modtime',
  ];
  if (mount.namePrefix !== '') {
    const name = globLiteral(mount.namePrefix);
    argv.push(...(mount.exactName ? ['--include', `/${name}`] : ['--include', `/${name}*`, '--include', `/${name}*/**`]));
  }
  if (mount.filesFrom !== undefined) argv.push('--files-from-raw', mount.filesFrom);
  argv.push(...(mount.debug ? ['--log-level', 'DEBUG', '--dump', 'headers'] : ['--log-level', 'NOTICE']));
  return argv;
}

/**
 * The complete environment of an rclone mount: PATH (for fusermount3) and the remote's settings —
 * an S3 remote of provider Other at the sidecar endpoint, path-style as configured, with the keys
 * (anonymous without). Nothing of the server's environment (AWS_CA_BUNDLE and the like) leaks in.
 */
export function rcloneEnv(s3: SidecarS3Access, pathVariable: string): Record<string, string> {
  const prefix = `RCLONE_CONFIG_${RCLONE_REMOTE.toUpperCase()}_`;
  return {
    PATH: pathVariable,
    [`${prefix}TYPE`]: 's3',
    [`${prefix}PROVIDER`]: 'Other',
    [`${prefix}ENDPOINT`]: s3.endpoint,
    [`${prefix}REGION`]: s3.region,
    [`${prefix}FORCE_PATH_STYLE`]: String(s3.forcePathStyle),
    [`${prefix}NO_CHECK_BUCKET`]: 'true',
    [`${prefix}ENV_AUTH`]: 'false',
    ...(s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined
      ? { [`${prefix}ACCESS_KEY_ID`]: s3.accessKeyId, [`${prefix}SECRET_ACCESS_KEY`]: s3.secretAccessKey }
      : {}),
  };
}
