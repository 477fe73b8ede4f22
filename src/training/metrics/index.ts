export { MetricExtractor } from './metric-extractor.js';
export type { FinalMetricData, MetricSample } from './metric-extractor.js';
export { compileMetricDefinition, validateMetricDefinitions, MAX_METRIC_DEFINITIONS } from './metric-definitions.js';
export type { CompiledMetric, MetricDefinition } from './metric-definitions.js';
export { translatePythonRegex } from './python-regex.js';
export type { TranslatedRegex } from './python-regex.js';
export { parseMetricValue } from './parse-metric-value.js';
export { escapeControlCharacters } from './log-line-escape.js';
export type { TrainingMetricsRepository, StoredMetricSample, MetricSeriesQuery } from './training-metrics-repository.js';
