import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinImage, defaultRuntimeDir, predefinedMetricDefinitions, type BuiltinAlgorithm } from '../images/index.js';
import { withPredefinedMetrics } from './builtin-metrics.js';
import { MetricExtractor, validateMetricDefinitions } from './metrics/index.js';
import type { TrainingJobSpec } from './training-job-record.js';

const algorithms: BuiltinAlgorithm[] = ['xgboost', 'linear-learner', 'kmeans'];
const image = (algorithm: BuiltinAlgorithm) => builtinImage(algorithm, { python: '/usr/bin/python3', runtimeDir: defaultRuntimeDir() });

describe('predefined metric definitions of the built-in algorithms', () => {
  it('exist for every algorithm, with unique names and regexes that compile as CreateTrainingJob would check them', async () => {
    for (const algorithm of algorithms) {
      const definitions = await predefinedMetricDefinitions(image(algorithm));
      assert.ok(definitions.length > 0, `${algorithm} has a metrics.json`);
      assert.equal(new Set(definitions.map((d) => d.Name)).size, definitions.length, `${algorithm}: names are unique`);
      // Each chunk of 40 passes the API's own checks (length, regex compiles, a capture group).
      for (let i = 0; i < definitions.length; i += 40) validateMetricDefinitions(definitions.slice(i, i + 40));
    }
  });

  it("read XGBoost's evaluation lines in their stored form (TAB → #011)", async () => {
    const extractor = new MetricExtractor(await predefinedMetricDefinitions(image('xgboost')));
    const samples = extractor.feed('[3]\ttrain-rmse:0.25\tvalidation-rmse:0.5', 1000);
    assert.deepEqual(samples.map((s) => [s.metricName, s.value]).sort(), [
      ['train:rmse', 0.25],
      ['validation:rmse', 0.5],
    ]);
  });

  it("stores a built-in job's spec with the predefined definitions first and the user's after, the user's winning on a name", async () => {
    const spec: TrainingJobSpec = {
      RoleArn: 'arn:aws:iam::000000000000:role/r',
      OutputDataConfig: { S3OutputPath: 's3://b/o' },
      AlgorithmSpecification: {
        TrainingImage: 'kmeans',
        TrainingInputMode: 'File',
        MetricDefinitions: [{ Name: 'mine', Regex: 'mine=(\\S+)' }],
      },
    };
    const predefined = await predefinedMetricDefinitions(image('kmeans'));
    const stored = await withPredefinedMetrics(spec, image('kmeans'));
    assert.deepEqual(stored.AlgorithmSpecification?.MetricDefinitions, [...predefined, { Name: 'mine', Regex: 'mine=(\\S+)' }]);
    assert.equal(stored.AlgorithmSpecification?.TrainingImage, 'kmeans');
    const first = predefined[0];
    assert.ok(first);
    const overridden = await withPredefinedMetrics(
      { ...spec, AlgorithmSpecification: { TrainingInputMode: 'File', MetricDefinitions: [{ Name: first.Name, Regex: 'x=(\\S+)' }] } },
      image('kmeans'),
    );
    assert.deepEqual(overridden.AlgorithmSpecification?.MetricDefinitions?.[0], { Name: first.Name, Regex: 'x=(\\S+)' });
    assert.equal(overridden.AlgorithmSpecification?.MetricDefinitions?.length, predefined.length);
  });
});
