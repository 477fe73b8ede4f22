import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../errors/index.js';
import { MetricExtractor, escapeControlCharacters, parseMetricValue, translatePythonRegex, validateMetricDefinitions } from './index.js';

const t0 = 1_732_262_400_000;

/** Feeds lines one ms apart and returns every sample as [name, value]. */
function run(definitions: { Name: string; Regex: string }[], lines: string[]): { samples: [string, number][]; extractor: MetricExtractor } {
  const extractor = new MetricExtractor(definitions);
  const samples = lines.flatMap((line, i) => extractor.feed(line, t0 + i)).map((s): [string, number] => [s.metricName, s.value]);
  return { samples, extractor };
}

const validationError = (pattern: RegExp) => (error: unknown) =>
  error instanceof AwsError && error.code === 'ValidationException' && error.status === 400 && pattern.test(error.message);

describe('MetricExtractor', () => {
  it('reads group 1 anywhere in the line (re.search), one sample per metric per line', () => {
    const { samples } = run(
      [
        { Name: 'loss', Regex: 'loss=([0-9.]+)' },
        { Name: 'acc', Regex: 'acc: (\\S+)' },
      ],
      ['epoch 1 loss=0.93 acc: 0.51', 'nothing here', 'epoch 2 loss=0.71', 'acc: 0.66 and again acc: 0.99'],
    );
    assert.deepEqual(samples, [
      ['loss', 0.93],
      ['acc', 0.51],
      ['loss', 0.71],
      ['acc', 0.66],
    ]);
  });

  it('FinalMetricDataList holds the last value of each metric with that sample time, in definition order', () => {
    const { extractor } = run(
      [
        { Name: 'never', Regex: 'never=(\\d+)' },
        { Name: 'b', Regex: 'b=(\\d+)' },
        { Name: 'a', Regex: 'a=(\\d+)' },
      ],
      ['a=1', 'b=10', 'a=2', 'a=3 b=30', 'unrelated'],
    );
    assert.deepEqual(extractor.final(), [
      { MetricName: 'b', Value: 30, Timestamp: new Date(t0 + 3) },
      { MetricName: 'a', Value: 3, Timestamp: new Date(t0 + 3) },
    ]);
    assert.deepEqual(new MetricExtractor([{ Name: 'x', Regex: 'x=(\\d)' }]).final(), []);
  });

  it('a line read late with an earlier timestamp (another instance) does not replace a later value', () => {
    const extractor = new MetricExtractor([{ Name: 'loss', Regex: 'loss=(\\S+)' }]);
    extractor.feed('loss=0.5', t0 + 100);
    extractor.feed('loss=0.9', t0 + 50);
    extractor.feed('loss=0.4', t0 + 100);
    assert.deepEqual(extractor.final(), [{ MetricName: 'loss', Value: 0.4, Timestamp: new Date(t0 + 100) }]);
  });

  it('restore() seeds the last values after a restart; newer lines still replace them', () => {
    const extractor = new MetricExtractor([
      { Name: 'loss', Regex: 'loss=(\\S+)' },
      { Name: 'acc', Regex: 'acc=(\\S+)' },
    ]);
    extractor.restore([
      { metricName: 'loss', value: 0.3, timestamp: t0 + 10 },
      { metricName: 'acc', value: 0.8, timestamp: t0 + 10 },
      { metricName: 'undefined-metric', value: 1, timestamp: t0 + 10 },
    ]);
    extractor.feed('loss=0.2', t0 + 20);
    extractor.feed('acc=0.1', t0 + 5);
    assert.deepEqual(extractor.final(), [
      { MetricName: 'loss', Value: 0.2, Timestamp: new Date(t0 + 20) },
      { MetricName: 'acc', Value: 0.8, Timestamp: new Date(t0 + 10) },
    ]);
  });

  it('ignores non-numeric captures, NaN and infinities; accepts what Python float() accepts', () => {
    const { samples, extractor } = run(
      [{ Name: 'v', Regex: 'v=(\\S*)' }],
      ['v=abc', 'v=', 'v=nan', 'v=-inf', 'v=Infinity', 'v=1.5.2', 'v=0x10', 'v=1e-3', 'v=-2.5E+2', 'v=.5', 'v=5.', 'v=+7', 'v=1_000.5', 'v=nan'],
    );
    assert.deepEqual(
      samples.map(([, v]) => v),
      [0.001, -250, 0.5, 5, 7, 1000.5],
    );
    assert.equal(extractor.final()[0]?.Value, 1000.5);
    assert.equal(parseMetricValue('  3.25\t'), 3.25);
    assert.equal(parseMetricValue('1__0'), undefined);
    assert.equal(parseMetricValue('_1'), undefined);
    assert.equal(parseMetricValue('1e400'), undefined);
  });

  it('an optional group that did not take part is no sample', () => {
    const { samples } = run([{ Name: 'x', Regex: 'step(?: x=(\\d+))?' }], ['step', 'step x=4']);
    assert.deepEqual(samples, [['x', 4]]);
  });

  it('XGBoost logs: TAB is matched as #011, whether the line comes escaped or raw', () => {
    const definitions = [
      { Name: 'validation:rmse', Regex: '.*\\[[0-9]+\\].*#011validation-rmse:(\\S+)' },
      { Name: 'train:rmse', Regex: '.*\\[[0-9]+\\].*#011train-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*' },
      // \S+ runs into the next field: "0.41#011validation-rmse:0.45" is not a number, so no sample.
      { Name: 'train:rmse-greedy', Regex: '#011train-rmse:(\\S+)' },
    ];
    const { samples, extractor } = run(definitions, [
      '[3]#011train-rmse:0.41#011validation-rmse:0.45',
      '[4]\ttrain-rmse:0.39\tvalidation-rmse:0.44',
      '[5]#011train-rmse:0.37',
    ]);
    assert.deepEqual(samples, [
      ['validation:rmse', 0.45],
      ['train:rmse', 0.41],
      ['validation:rmse', 0.44],
      ['train:rmse', 0.39],
      ['train:rmse', 0.37],
      ['train:rmse-greedy', 0.37],
    ]);
    assert.deepEqual(
      extractor.final().map((m) => [m.MetricName, m.Value]),
      [
        ['validation:rmse', 0.44],
        ['train:rmse', 0.37],
        ['train:rmse-greedy', 0.37],
      ],
    );
    assert.equal(escapeControlCharacters('a\tb\rc\x1bd\x7f'), 'a#011b#015c#033d#177');
  });

  it('Python regex forms: named groups, backreferences, \\A and \\Z, inline flags, comments, {,n}, verbose', () => {
    const cases: [string, string, number | undefined][] = [
      ['(?P<loss>[0-9.]+) loss', 'epoch 3: 0.25 loss', 0.25],
      ['(?P<q>["\'])(?P<v>\\d+)(?P=q)', 'value "12"', undefined], // group 1 is the quote: not a number
      ['(?P<v>\\d+) (?P=v)', 'x 8 8', 8],
      ['\\A(\\d+) items\\Z', '42 items', 42],
      ['\\A(\\d+) items\\Z', 'got 42 items', undefined],
      ['(?i)LOSS=(\\d+)', 'loss=3', 3],
      ['(?s)a.b=(\\d)', 'a\nb=4', undefined], // lines never hold a newline; . still compiles with s
      ['loss(?#the loss)=(\\d+)', 'loss=5', 5],
      ['x{,2}=(\\d)', 'xx=6', 6],
      ['(?x) loss \\s* = \\s* (\\d+)  # the value', 'loss = 7', 7],
      ['[]a]+=(\\d)', ']a]=8', 8],
      ['[^]]+=(\\d)', 'ab=9', 9],
      ['(?<=acc=)(\\d\\.\\d+)', 'acc=0.75', 0.75],
      ['loss: (\\d+\\.\\d+)$', 'loss: 1.25', 1.25],
      ['^Epoch (\\d+)', 'Epoch 12 done', 12],
    ];
    for (const [regex, line, expected] of cases) {
      const samples = new MetricExtractor([{ Name: 'm', Regex: regex }]).feed(line, t0);
      assert.deepEqual(
        samples.map((s) => s.value),
        expected === undefined ? [] : [expected],
        `${regex} on ${JSON.stringify(line)} (translated: ${translatePythonRegex(regex).source})`,
      );
    }
    assert.deepEqual(translatePythonRegex('(?im)(?P<a>x)'), { source: '(?<a>x)', flags: 'im' });
  });
});

describe('validateMetricDefinitions', () => {
  it('accepts up to 40 well-formed definitions and returns them compiled', () => {
    const definitions = Array.from({ length: 40 }, (_, i) => ({ Name: `m${i}`, Regex: `m${i}=(\\d+)` }));
    const compiled = validateMetricDefinitions(definitions);
    assert.equal(compiled.length, 40);
    assert.equal(compiled[7]?.regex.exec('m7=3')?.[1], '3');
    assert.deepEqual(validateMetricDefinitions([]), []);
  });

  it('rejects an invalid regex with a ValidationException naming the metric', () => {
    for (const regex of ['loss=(\\d+', '(?P<x>a)(?P<x>b)', '*(\\d)', '(?i:a)(\\d)']) {
      assert.throws(
        () =>
          validateMetricDefinitions([
            { Name: 'ok', Regex: 'a(\\d)' },
            { Name: 'bad:metric', Regex: regex },
          ]),
        validationError(/bad:metric/),
        regex,
      );
      assert.throws(() => new MetricExtractor([{ Name: 'bad:metric', Regex: regex }]), validationError(/bad:metric/), regex);
    }
  });

  it('rejects a regex without a capture group', () => {
    assert.throws(() => validateMetricDefinitions([{ Name: 'nogroup', Regex: 'loss=\\d+' }]), validationError(/nogroup.*capture group/));
    assert.throws(() => validateMetricDefinitions([{ Name: 'nc', Regex: 'loss=(?:\\d+)' }]), validationError(/capture group/));
  });

  it('enforces the length limits and the count', () => {
    assert.throws(
      () => validateMetricDefinitions(Array.from({ length: 41 }, (_, i) => ({ Name: `m${i}`, Regex: '(x)' }))),
      validationError(/less than or equal to 40/),
    );
    assert.throws(() => validateMetricDefinitions([{ Name: '', Regex: '(x)' }]), validationError(/name.*between 1 and 255/));
    assert.throws(() => validateMetricDefinitions([{ Name: 'n'.repeat(256), Regex: '(x)' }]), validationError(/between 1 and 255/));
    assert.doesNotThrow(() => validateMetricDefinitions([{ Name: 'n'.repeat(255), Regex: `(x)${'a'.repeat(497)}` }]));
    assert.throws(() => validateMetricDefinitions([{ Name: 'long', Regex: `(x)${'a'.repeat(498)}` }]), validationError(/long.*between 1 and 500/));
    assert.throws(() => validateMetricDefinitions([{ Name: 'empty', Regex: '' }]), validationError(/empty/));
  });
});
