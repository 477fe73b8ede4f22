import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AwsError } from '../errors/index.js';
import { builtinImage, checkBuiltinRunnable, mergeMetricDefinitions, predefinedMetricDefinitions } from './builtin-algorithms.js';

describe('built-in algorithm images', () => {
  const runtimeDir = mkdtempSync(path.join(tmpdir(), 'salvia-builtin-'));
  after(() => rmSync(runtimeDir, { recursive: true, force: true }));

  it('names the Python package of each algorithm under <runtime>/algorithms', () => {
    assert.deepEqual(builtinImage('linear-learner', { python: '/usr/bin/python3', runtimeDir: '/r' }), {
      kind: 'builtin',
      algorithm: 'linear-learner',
      module: 'linear_learner',
      python: '/usr/bin/python3',
      pythonPath: '/r/algorithms',
    });
    assert.equal(builtinImage('kmeans', { python: 'p', runtimeDir: '/r' }).module, 'kmeans');
    assert.equal(builtinImage('xgboost', { python: 'p', runtimeDir: '/r' }).module, 'xgboost');
  });

  it("reads the algorithm's metrics.json; none when it is missing; a malformed file is an error", async () => {
    const image = builtinImage('kmeans', { python: 'p', runtimeDir });
    assert.deepEqual(await predefinedMetricDefinitions(image), []);
    const dir = path.join(runtimeDir, 'algorithms', 'salvia_algorithms', 'kmeans');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify([{ Name: 'train:msd', Regex: 'msd=(\\S+)', Extra: 1 }]));
    assert.deepEqual(await predefinedMetricDefinitions(image), [{ Name: 'train:msd', Regex: 'msd=(\\S+)' }]);
    writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify([{ Name: 'train:msd' }]));
    await assert.rejects(predefinedMetricDefinitions(image), /must be a JSON list/);
  });

  it('accepts an executable interpreter or a bare command name, and rejects a missing or non-executable one', async () => {
    const image = (python: string) => builtinImage('xgboost', { python, runtimeDir });
    await checkBuiltinRunnable(image(process.execPath));
    await checkBuiltinRunnable(image('python3'));
    const plain = path.join(runtimeDir, 'not-executable');
    writeFileSync(plain, '');
    for (const python of [path.join(runtimeDir, 'missing'), plain, runtimeDir]) {
      await assert.rejects(checkBuiltinRunnable(image(python)), (error: unknown) => {
        assert.ok(error instanceof AwsError && error.code === 'ValidationException');
        assert.match(
          error.message,
          /built-in xgboost algorithm runs with .* \(--algorithm-python \/ SALVIA_ALGORITHM_PYTHON\), which is not an executable file/,
        );
        return true;
      });
    }
  });

  it("merges the user's definitions after the predefined ones, a user definition replacing one of the same name in place", () => {
    const predefined = [
      { Name: 'a', Regex: 'a=(\\S+)' },
      { Name: 'b', Regex: 'b=(\\S+)' },
    ];
    assert.deepEqual(mergeMetricDefinitions(predefined, []), predefined);
    assert.deepEqual(
      mergeMetricDefinitions(predefined, [
        { Name: 'c', Regex: 'c=(\\S+)' },
        { Name: 'b', Regex: 'mine=(\\S+)' },
      ]),
      [
        { Name: 'a', Regex: 'a=(\\S+)' },
        { Name: 'b', Regex: 'mine=(\\S+)' },
        { Name: 'c', Regex: 'c=(\\S+)' },
      ],
    );
  });
});
