import { ValidationException } from '../../errors/index.js';
import type { DataProcessingSpec } from './data-processing-spec.js';
import { JsonPathSyntaxError, parseJsonPath } from './json-path.js';

/** DataProcessing filters' length limit (the JsonPath shape: 0–63 characters). */
const MAX_JSON_PATH_LENGTH = 63;

/**
 * Checks DataProcessing at CreateTransformJob: each filter at most 63 characters and within the
 * supported JSONPath subset (see parseJsonPath), JoinSource Input or None. Throws
 * ValidationException with AWS's constraint wording for lengths and enums, naming the filter and
 * the problem for an unsupported expression.
 */
export function validateDataProcessing(dp: DataProcessingSpec | undefined): void {
  if (!dp) return;
  for (const [member, wire] of [
    ['InputFilter', 'dataProcessing.inputFilter'],
    ['OutputFilter', 'dataProcessing.outputFilter'],
  ] as const) {
    const expression = dp[member];
    if (expression === undefined) continue;
    if (typeof expression !== 'string')
      throw new ValidationException(`1 validation error detected: Value at '${wire}' failed to satisfy constraint: Member must be a string`);
    if (expression.length > MAX_JSON_PATH_LENGTH)
      throw new ValidationException(
        `1 validation error detected: Value '${expression}' at '${wire}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_JSON_PATH_LENGTH}`,
      );
    try {
      parseJsonPath(expression);
    } catch (error) {
      if (!(error instanceof JsonPathSyntaxError)) throw error;
      throw new ValidationException(`${member} '${expression}' is not a valid JSONPath expression for DataProcessing: ${error.message}.`);
    }
  }
  const join = dp.JoinSource;
  if (join !== undefined && join !== 'Input' && join !== 'None')
    throw new ValidationException(
      `1 validation error detected: Value '${String(join)}' at 'dataProcessing.joinSource' failed to satisfy constraint: Member must satisfy enum value set: [Input, None]`,
    );
}
