import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationException } from '../errors/index.js';
import type { BuiltinAlgorithm } from './sagemaker-images.js';

/** A built-in algorithm as the platform runs it: `<python> -m salvia_algorithms.<module> train|serve`. */
export interface BuiltinImage {
  readonly kind: 'builtin';
  readonly algorithm: BuiltinAlgorithm;
  /** The package under `salvia_algorithms` (`xgboost`, `linear_learner`, `kmeans`). */
  readonly module: string;
  /** The interpreter (config.algorithmPython). */
  readonly python: string;
  /** The directory holding `salvia_algorithms/` (`<runtime>/algorithms`): the process's PYTHONPATH. */
  readonly pythonPath: string;
}

/** A predefined metric definition, as AlgorithmSpecification.MetricDefinitions carries it. */
export interface AlgorithmMetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/** The Python package of each built-in algorithm. */
export const algorithmModules: Readonly<Record<BuiltinAlgorithm, string>> = {
  xgboost: 'xgboost',
  'linear-learner': 'linear_learner',
  kmeans: 'kmeans',
};

/** The built-in image for `algorithm`, run by `python` from `<runtimeDir>/algorithms`. */
export function builtinImage(algorithm: BuiltinAlgorithm, options: { python: string; runtimeDir: string }): BuiltinImage {
  return { kind: 'builtin', algorithm, module: algorithmModules[algorithm], python: options.python, pythonPath: path.join(options.runtimeDir, 'algorithms') };
}

/**
 * Checks that the image's interpreter (config.algorithmPython) is an executable file when it is
 * given as a path (a bare command name is looked up on PATH when the job starts).
 * Throws ValidationException naming the setting, so that the job is not accepted only to fail with
 * an exec error.
 */
export async function checkBuiltinRunnable(image: BuiltinImage): Promise<void> {
  if (!image.python.includes('/')) return;
  try {
    if (!(await stat(image.python)).isFile()) throw new Error('not a file');
    await access(image.python, constants.X_OK);
  } catch (error) {
    throw new ValidationException(
      `SageMaker's built-in ${image.algorithm} algorithm runs with ${image.python} (--algorithm-python / SALVIA_ALGORITHM_PYTHON), which is not an executable file on this Salvia server; ` +
        'install python3 with python3-numpy, python3-scipy and python3-xgboost, or point SALVIA_ALGORITHM_PYTHON at an interpreter that has them.',
      { cause: error },
    );
  }
}

/**
 * The algorithm's predefined metric definitions (`salvia_algorithms/<module>/metrics.json`: SageMaker's
 * names and regexes), in file order; none when the file does not exist.
 * Throws if the file exists but is not a JSON list of `{ Name, Regex }` strings (a packaging bug).
 */
export async function predefinedMetricDefinitions(image: BuiltinImage): Promise<AlgorithmMetricDefinition[]> {
  const file = path.join(image.pythonPath, 'salvia_algorithms', image.module, 'metrics.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((d): d is AlgorithmMetricDefinition => isDefinition(d)))
    throw new Error(`${file} must be a JSON list of {"Name": string, "Regex": string}`);
  return parsed.map((d) => ({ Name: d.Name, Regex: d.Regex }));
}

function isDefinition(value: unknown): value is AlgorithmMetricDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['Name'] === 'string' && typeof record['Regex'] === 'string';
}

/**
 * The definitions a built-in job runs with: the algorithm's predefined ones, then the user's; a
 * user definition replaces the predefined one of the same name (in its place).
 */
export function mergeMetricDefinitions(
  predefined: readonly AlgorithmMetricDefinition[],
  user: readonly AlgorithmMetricDefinition[],
): AlgorithmMetricDefinition[] {
  const byName = new Map(user.map((d) => [d.Name, d]));
  const merged = predefined.map((d) => byName.get(d.Name) ?? d);
  const predefinedNames = new Set(predefined.map((d) => d.Name));
  return [...merged, ...user.filter((d) => !predefinedNames.has(d.Name))];
}
