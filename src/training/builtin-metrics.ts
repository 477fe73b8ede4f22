import { mergeMetricDefinitions, predefinedMetricDefinitions, type BuiltinImage } from '../images/index.js';
import type { TrainingJobSpec } from './training-job-record.js';

/**
 * The spec a built-in algorithm's job is stored with: AlgorithmSpecification.MetricDefinitions holds
 * the algorithm's predefined definitions (SageMaker's names and regexes, from the algorithm's
 * metrics.json) followed by the user's, a user definition replacing a predefined one of the same
 * name. As on SageMaker, DescribeTrainingJob echoes them and they feed FinalMetricDataList.
 */
export async function withPredefinedMetrics(spec: TrainingJobSpec, image: BuiltinImage): Promise<TrainingJobSpec> {
  const predefined = await predefinedMetricDefinitions(image);
  const algorithm = spec.AlgorithmSpecification;
  if (predefined.length === 0 || !algorithm) return spec;
  const user = (algorithm.MetricDefinitions ?? []).map((d) => ({ Name: d.Name as string, Regex: d.Regex as string }));
  return { ...spec, AlgorithmSpecification: { ...algorithm, MetricDefinitions: mergeMetricDefinitions(predefined, user) } };
}
