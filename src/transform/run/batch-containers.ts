import type { HostedContainer } from '../../hosting/index.js';
import type { TransformJobSpec } from '../transform-runner.js';

/**
 * The model's containers as a transform job runs them: each container's Environment, then the job's
 * Environment (job values win), then `SAGEMAKER_BATCH=true` and — only when the request set them —
 * `SAGEMAKER_MAX_PAYLOAD_IN_MB`, `SAGEMAKER_BATCH_STRATEGY` (`SINGLE_RECORD`|`MULTI_RECORD`) and
 * `SAGEMAKER_MAX_CONCURRENT_TRANSFORMS`, as SageMaker starts batch containers.
 */
export function batchContainers(containers: readonly HostedContainer[], spec: TransformJobSpec): HostedContainer[] {
  const batch: Record<string, string> = { SAGEMAKER_BATCH: 'true' };
  if (spec.MaxPayloadInMB !== undefined) batch['SAGEMAKER_MAX_PAYLOAD_IN_MB'] = String(spec.MaxPayloadInMB);
  if (spec.BatchStrategy !== undefined) batch['SAGEMAKER_BATCH_STRATEGY'] = spec.BatchStrategy === 'SingleRecord' ? 'SINGLE_RECORD' : 'MULTI_RECORD';
  // 0 means unset, as in batchSettings.
  if (spec.MaxConcurrentTransforms) batch['SAGEMAKER_MAX_CONCURRENT_TRANSFORMS'] = String(spec.MaxConcurrentTransforms);
  return containers.map((container) => ({ ...container, environment: { ...container.environment, ...spec.Environment, ...batch } }));
}
