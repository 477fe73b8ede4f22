// The Python unit tests of the built-in algorithms (runtime/algorithms/tests, unittest) under the
// interpreter the platform runs them with, so that `npm test` runs them too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { algorithmPython } from '../helpers/algorithm-server.js';
import { repoRoot } from '../helpers/server-process.js';

describe('runtime/algorithms Python unit tests', () => {
  it('pass under the algorithm interpreter (python -m unittest discover)', () => {
    const root = path.join(repoRoot, 'runtime', 'algorithms');
    // With -t only if tests/ is a package (unittest insists); salvia_algorithms is importable from PYTHONPATH either way.
    const top = existsSync(path.join(root, 'tests', '__init__.py')) ? ['-t', root] : [];
    const run = spawnSync(algorithmPython, ['-m', 'unittest', 'discover', '-s', path.join(root, 'tests'), ...top], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: root, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.error, undefined, `could not run ${algorithmPython}: ${String(run.error)}`);
    assert.equal(run.status, 0, `unittest failed (exit ${run.status ?? run.signal}):\n${output}`);
    // "Ran 0 tests" means discovery found nothing: the suite moved or lost its __init__.py.
    const ran = /^Ran (\d+) tests? in/m.exec(output);
    assert.ok(ran && Number(ran[1]) > 0, `unittest ran no tests:\n${output}`);
  });
});
