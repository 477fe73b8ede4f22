import path from 'node:path';

/** Where a job's files live: `<dataDir>/jobs/<kind>/<name lower-cased>/` (kind `training`, `processing` …). */
export function jobDirectory(dataDir: string, kind: string, name: string): string {
  return path.join(dataDir, 'jobs', kind, name.toLowerCase());
}

/** Where a training job's files live: `<dataDir>/jobs/training/<name lower-cased>/`. */
export function trainingJobDir(dataDir: string, name: string): string {
  return jobDirectory(dataDir, 'training', name);
}

/** Instance `n`'s directory, laid out as /opt/ml. */
export function instanceDir(jobDir: string, n: number): string {
  return path.join(jobDir, 'instances', `algo-${n}`);
}

/** A container path under /opt/ml (e.g. CheckpointConfig.LocalPath) as a host path below the instance dir; undefined elsewhere. */
export function hostPathFor(instance: string, containerPath: string): string | undefined {
  const normal = path.posix.normalize(containerPath);
  if (normal === '/opt/ml') return instance;
  if (!normal.startsWith('/opt/ml/')) return undefined;
  return path.join(instance, normal.slice('/opt/ml/'.length));
}

/** `<S3OutputPath>/<job>/output/<file>` joined with exactly one `/`. */
export function outputKey(prefixKey: string, job: string, file: string): string {
  const base = prefixKey === '' || prefixKey.endsWith('/') ? prefixKey : `${prefixKey}/`;
  return `${base}${job}/output/${file}`;
}
