import { ValidationException } from '../../errors/index.js';
import { translatePythonRegex } from './python-regex.js';

/** One `AlgorithmSpecification.MetricDefinitions` entry, as on the wire. */
export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/** A metric definition with its regex compiled for matching. */
export interface CompiledMetric {
  readonly name: string;
  readonly regex: RegExp;
}

/** SageMaker's limits on MetricDefinitions. */
export const MAX_METRIC_DEFINITIONS = 40;
const MAX_NAME = 255;
const MAX_REGEX = 500;

/**
 * Compiles one definition: the Python-style regex is translated (see translatePythonRegex) and
 * must compile and contain at least one capture group (group 1 is the value).
 * @throws ValidationException naming the metric when the regex is invalid or has no group.
 */
export function compileMetricDefinition(definition: MetricDefinition): CompiledMetric {
  const { source, flags } = translatePythonRegex(definition.Regex);
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    throw new ValidationException(`Invalid regular expression for metric ${definition.Name}: ${definition.Regex} (${reason})`, { cause: error });
  }
  const groups = (new RegExp(`${source}|`, flags).exec('')?.length ?? 1) - 1;
  if (groups < 1) {
    throw new ValidationException(
      `The regular expression for metric ${definition.Name} must contain a capture group for the metric value: ${definition.Regex}`,
    );
  }
  return { name: definition.Name, regex };
}

/**
 * Checks MetricDefinitions as CreateTrainingJob must: at most 40 entries, Name 1–255 and
 * Regex 1–500 characters, and every regex compiles with a capture group.
 * Returns the compiled metrics (in definition order).
 * @throws ValidationException whose message names the offending metric.
 */
export function validateMetricDefinitions(definitions: readonly MetricDefinition[]): CompiledMetric[] {
  if (definitions.length > MAX_METRIC_DEFINITIONS) {
    throw new ValidationException(
      `1 validation error detected: Value at 'algorithmSpecification.metricDefinitions' failed to satisfy constraint: Member must have length less than or equal to ${MAX_METRIC_DEFINITIONS}`,
    );
  }
  return definitions.map((definition, index) => {
    const at = `algorithmSpecification.metricDefinitions.${index + 1}.member`;
    if (typeof definition.Name !== 'string' || definition.Name.length < 1 || definition.Name.length > MAX_NAME) {
      throw new ValidationException(
        `1 validation error detected: Value at '${at}.name' failed to satisfy constraint: Member must have length between 1 and ${MAX_NAME}`,
      );
    }
    if (typeof definition.Regex !== 'string' || definition.Regex.length < 1 || definition.Regex.length > MAX_REGEX) {
      throw new ValidationException(
        `1 validation error detected: Value at '${at}.regex' (metric ${definition.Name}) failed to satisfy constraint: Member must have length between 1 and ${MAX_REGEX}`,
      );
    }
    return compileMetricDefinition(definition);
  });
}
