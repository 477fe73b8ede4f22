import { escapeControlCharacters } from './log-line-escape.js';
import { compileMetricDefinition, type CompiledMetric, type MetricDefinition } from './metric-definitions.js';
import { parseMetricValue } from './parse-metric-value.js';

/** One value of one metric, read from one log line. `timestamp` is epoch milliseconds. */
export interface MetricSample {
  readonly metricName: string;
  readonly value: number;
  readonly timestamp: number;
}

/** A `FinalMetricDataList` entry, as on the wire. */
export interface FinalMetricData {
  readonly MetricName: string;
  readonly Value: number;
  readonly Timestamp: Date;
}

/**
 * Reads metric values out of a training job's log lines, as SageMaker does with
 * `AlgorithmSpecification.MetricDefinitions`: every line is searched with every definition's
 * regex (Python `re.search` semantics, see translatePythonRegex); a match whose group 1 parses as
 * a finite float (see parseMetricValue) is a sample. Lines are matched in their stored form:
 * control characters are escaped first (TAB → `#011`, see escapeControlCharacters), so regexes
 * written for SageMaker's logs work whether or not the caller already escaped the line.
 * One extractor per job; feed the lines of every instance.
 */
export class MetricExtractor {
  private readonly metrics: CompiledMetric[];
  private readonly last = new Map<string, MetricSample>();

  /**
   * @throws ValidationException if a regex does not compile (run validateMetricDefinitions at
   * create time so that this cannot happen later).
   */
  constructor(definitions: readonly MetricDefinition[]) {
    this.metrics = definitions.map(compileMetricDefinition);
  }

  /** The samples in `line` (at most one per metric), remembered for final(). */
  feed(line: string, timestamp: number): MetricSample[] {
    if (this.metrics.length === 0) return [];
    const stored = escapeControlCharacters(line);
    const samples: MetricSample[] = [];
    for (const metric of this.metrics) {
      const captured = metric.regex.exec(stored)?.[1];
      if (captured === undefined) continue;
      const value = parseMetricValue(captured);
      if (value === undefined) continue;
      const sample = { metricName: metric.name, value, timestamp };
      samples.push(sample);
      const previous = this.last.get(metric.name);
      if (previous === undefined || previous.timestamp <= timestamp) this.last.set(metric.name, sample);
    }
    return samples;
  }

  /**
   * Seeds the last values from samples stored earlier (e.g. TrainingMetricsRepository.lastValues
   * after a server restart) so that final() also covers lines fed before the restart. Samples of
   * metrics not defined here are ignored; a later-fed sample still wins on equal timestamps.
   */
  restore(samples: readonly MetricSample[]): void {
    const defined = new Set(this.metrics.map((m) => m.name));
    for (const { metricName, value, timestamp } of samples) {
      if (!defined.has(metricName)) continue;
      const previous = this.last.get(metricName);
      if (previous === undefined || previous.timestamp < timestamp) this.last.set(metricName, { metricName, value, timestamp });
    }
  }

  /**
   * FinalMetricDataList: the last value of each metric that had one (the sample with the latest
   * timestamp; of equal timestamps, the one fed last), in definition order, stamped with that
   * sample's time. Metrics never seen are left out; a name defined twice appears once.
   */
  final(): FinalMetricData[] {
    const result: FinalMetricData[] = [];
    const done = new Set<string>();
    for (const metric of this.metrics) {
      const sample = this.last.get(metric.name);
      if (done.has(metric.name)) continue;
      done.add(metric.name);
      if (sample) result.push({ MetricName: sample.metricName, Value: sample.value, Timestamp: new Date(sample.timestamp) });
    }
    return result;
  }
}
