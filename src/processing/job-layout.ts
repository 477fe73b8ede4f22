import path from 'node:path';
import { hostPathFor, jobDirectory } from '../training/index.js';

/** The CloudWatch Logs group of processing jobs. */
export const PROCESSING_LOG_GROUP = '/aws/sagemaker/ProcessingJobs';

/** Where a processing job's files live: `<dataDir>/jobs/processing/<name lower-cased>/` (instances under `instances/algo-N`, laid out as /opt/ml). */
export function processingJobDir(dataDir: string, name: string): string {
  return jobDirectory(dataDir, 'processing', name);
}

/** A validated LocalPath (below /opt/ml/processing/) as a host path in an instance directory. */
export function localPathOnHost(instanceDir: string, localPath: string): string {
  return hostPathFor(instanceDir, localPath) ?? path.join(instanceDir, 'processing');
}
