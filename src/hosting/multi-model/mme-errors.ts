import { randomUUID } from 'node:crypto';
import { ModelNotReady, RuntimeValidationError } from '../../errors/index.js';

// The runtime errors particular to multi-model endpoints, in SageMaker Runtime's words where known.

/**
 * InvokeEndpoint on a multi-model endpoint without TargetModel: ValidationError 400
 * `Request <request id> is missing a target model header.` (as SageMaker answers; seen in
 * aws/sagemaker-tensorflow-serving-container#166). `requestId` defaults to a fresh UUID.
 */
export function missingTargetModel(requestId: string = randomUUID()): RuntimeValidationError {
  return new RuntimeValidationError(`Request ${requestId} is missing a target model header.`);
}

/**
 * TargetModel names no object under the model's prefix (or its bucket is gone): ValidationError 400
 * with the message SageMaker gives when it cannot download model data (contract §1.2, unverified for MME).
 */
export function targetModelNotFound(bucket: string, key: string): RuntimeValidationError {
  return new RuntimeValidationError(
    `Failed to download model data(bucket: ${bucket}, key: ${key}). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.`,
  );
}

/** The object TargetModel names is not a gzipped tar archive that can be unpacked: ValidationError 400 naming it and why. */
export function corruptModelArchive(targetModel: string, uri: string, reason: string): RuntimeValidationError {
  return new RuntimeValidationError(`Failed to extract model data for TargetModel "${targetModel}" from ${uri}: ${reason}`);
}

/** The model is still being downloaded or loaded after the wait (60 s): ModelNotReadyException 429; loading goes on, clients retry. */
export function modelStillLoading(targetModel: string, waitedMs: number): ModelNotReady {
  return new ModelNotReady(`Model ${targetModel} is not ready yet: it is still loading after ${Math.round(waitedMs / 1000)} s. Retry the request later.`);
}
