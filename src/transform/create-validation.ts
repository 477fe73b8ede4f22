import type { CreateTransformJobRequest } from '@aws-sdk/client-sagemaker';
import { ValidationException } from '../errors/index.js';
import { instanceResources } from '../training/index.js';
import { parseS3Uri } from '../training/data/index.js';
import { validateDataProcessing } from './data-processing/index.js';
import type { TransformJobSpec } from './transform-runner.js';

/** CreateTransformJob's request without the members the service keeps elsewhere (name, tags). */
export type CreateTransformJobInput = Omit<CreateTransformJobRequest, 'TransformJobName' | 'Tags'>;

/** Largest MaxPayloadInMB, and largest MaxConcurrentTransforms × MaxPayloadInMB (SageMaker's limit). */
const MAX_PAYLOAD_MB = 100;

/** AWS's wording for one constraint violation (`1 validation error detected: Value '…' at '<path>' …`). */
function violation(value: unknown, path: string, constraint: string): ValidationException {
  return new ValidationException(
    `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}

function required<T>(value: T | undefined, path: string): T {
  if (value === undefined || value === null) throw violation(undefined, path, 'Member must not be null');
  return value;
}

function oneOf(value: string | undefined, allowed: readonly string[], path: string): void {
  if (value !== undefined && !allowed.includes(value)) throw violation(value, path, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
}

/**
 * Checks a CreateTransformJob request beyond what the service model's shapes check (they are also
 * re-checked here for callers that bypass the API): required members, enums, S3 URIs (`s3://` only),
 * S3DataType S3Prefix or ManifestFile (AugmentedManifestFile is for training), a known instance type,
 * MaxPayloadInMB ≤ 100 and MaxConcurrentTransforms × MaxPayloadInMB ≤ 100 MB, ModelClientConfig ranges,
 * DataProcessing (validateDataProcessing). Returns the request as a TransformJobSpec (unchanged: it is
 * stored verbatim). Throws ValidationException. Whether the model exists is the service's check.
 */
export function validateTransformJobSpec(input: CreateTransformJobInput): TransformJobSpec {
  required(input.ModelName, 'modelName');
  const source = required(
    required(required(input.TransformInput, 'transformInput').DataSource, 'transformInput.dataSource').S3DataSource,
    'transformInput.dataSource.s3DataSource',
  );
  const dataType = required(source.S3DataType, 'transformInput.dataSource.s3DataSource.s3DataType');
  if (dataType !== 'S3Prefix' && dataType !== 'ManifestFile') {
    throw new ValidationException(`S3DataType ${dataType} is not supported for transform jobs; use S3Prefix or ManifestFile.`);
  }
  parseS3Uri(required(source.S3Uri, 'transformInput.dataSource.s3DataSource.s3Uri'));
  oneOf(input.TransformInput?.CompressionType, ['None', 'Gzip'], 'transformInput.compressionType');
  oneOf(input.TransformInput?.SplitType, ['None', 'Line', 'RecordIO', 'TFRecord'], 'transformInput.splitType');
  const output = required(input.TransformOutput, 'transformOutput');
  parseS3Uri(required(output.S3OutputPath, 'transformOutput.s3OutputPath'));
  oneOf(output.AssembleWith, ['None', 'Line'], 'transformOutput.assembleWith');
  const resources = required(input.TransformResources, 'transformResources');
  const type = required(resources.InstanceType, 'transformResources.instanceType');
  if (!instanceResources(type)) throw new ValidationException(`The instance type ${type} is not supported for transform jobs.`);
  const count = required(resources.InstanceCount, 'transformResources.instanceCount');
  if (!Number.isInteger(count) || count < 1) throw violation(count, 'transformResources.instanceCount', 'Member must have value greater than or equal to 1');
  oneOf(input.BatchStrategy, ['MultiRecord', 'SingleRecord'], 'batchStrategy');
  const payload = input.MaxPayloadInMB;
  const concurrency = input.MaxConcurrentTransforms;
  if (payload !== undefined && payload < 0) throw violation(payload, 'maxPayloadInMB', 'Member must have value greater than or equal to 0');
  if (payload !== undefined && payload > MAX_PAYLOAD_MB)
    throw violation(payload, 'maxPayloadInMB', `Member must have value less than or equal to ${MAX_PAYLOAD_MB}`);
  if (concurrency !== undefined && concurrency < 0)
    throw violation(concurrency, 'maxConcurrentTransforms', 'Member must have value greater than or equal to 0');
  if (payload !== undefined && concurrency !== undefined && payload * concurrency > MAX_PAYLOAD_MB) {
    throw new ValidationException(
      `The value of (MaxConcurrentTransforms * MaxPayloadInMB) cannot exceed ${MAX_PAYLOAD_MB} MB: ${concurrency} * ${payload} = ${concurrency * payload} MB.`,
    );
  }
  const client = input.ModelClientConfig;
  const timeout = client?.InvocationsTimeoutInSeconds;
  if (timeout !== undefined && (timeout < 1 || timeout > 3600))
    throw violation(
      timeout,
      'modelClientConfig.invocationsTimeoutInSeconds',
      timeout < 1 ? 'Member must have value greater than or equal to 1' : 'Member must have value less than or equal to 3600',
    );
  const retries = client?.InvocationsMaxRetries;
  if (retries !== undefined && (retries < 0 || retries > 3))
    throw violation(
      retries,
      'modelClientConfig.invocationsMaxRetries',
      retries < 0 ? 'Member must have value greater than or equal to 0' : 'Member must have value less than or equal to 3',
    );
  if (input.DataCaptureConfig) parseS3Uri(required(input.DataCaptureConfig.DestinationS3Uri, 'dataCaptureConfig.destinationS3Uri'));
  validateDataProcessing(input.DataProcessing);
  return input as TransformJobSpec;
}
