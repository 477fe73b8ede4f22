import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RuntimeEnvironmentError, RuntimeEnvironments } from './runtime-environments.js';

describe('RuntimeEnvironments', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-runtimes-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('without requirements is the configured interpreter', async () => {
    const environments = new RuntimeEnvironments({ dataDir: dir, python: '/usr/bin/python3' });
    assert.deepEqual(await environments.ensure(undefined, () => undefined), { python: '/usr/bin/python3', env: {} });
  });

  it('builds one venv for two concurrent callers, sees system packages, and reuses it after a restart', async () => {
    const requirements = path.join(dir, 'empty.txt');
    writeFileSync(requirements, '# nothing beyond the interpreter\n');
    const environments = new RuntimeEnvironments({ dataDir: dir, python: 'python3' });
    const lines: string[] = [];
    const [a, b] = await Promise.all([environments.ensure(requirements, (l) => lines.push(l)), environments.ensure(requirements, (l) => lines.push(l))]);
    assert.deepEqual(a, b);
    assert.equal(lines.filter((l) => l.startsWith('Building Python environment')).length, 1);
    assert.ok(lines.some((l) => l.startsWith('Python environment ready')));
    assert.ok(a.python.startsWith(path.join(dir, 'runtimes')));
    assert.equal(a.env['VIRTUAL_ENV'], path.dirname(path.dirname(a.python)));
    // --system-site-packages: the interpreter's own pip is importable from the venv.
    const prefix = execFileSync(a.python, ['-c', 'import sys, pip; print(sys.prefix)'], { encoding: 'utf8' }).trim();
    assert.equal(prefix, a.env['VIRTUAL_ENV']);
    const restarted = new RuntimeEnvironments({ dataDir: dir, python: 'python3' });
    const again: string[] = [];
    assert.deepEqual(await restarted.ensure(requirements, (l) => again.push(l)), a);
    assert.deepEqual(again, []);
    assert.deepEqual(
      readdirSync(environments.directory).filter((n) => !n.startsWith('.')),
      [path.basename(a.env['VIRTUAL_ENV'] ?? '')],
    );
  });

  it('rebuilds a directory left without its ready marker (a crashed build)', async () => {
    const requirements = path.join(dir, 'crashed.txt');
    writeFileSync(requirements, '# crashed build\n');
    const environments = new RuntimeEnvironments({ dataDir: dir, python: 'python3' });
    const first = await environments.ensure(requirements, () => undefined);
    const venv = first.env['VIRTUAL_ENV'] ?? '';
    rmSync(path.join(venv, '.salvia-ready'));
    mkdirSync(path.join(venv, 'junk'));
    const lines: string[] = [];
    await new RuntimeEnvironments({ dataDir: dir, python: 'python3' }).ensure(requirements, (l) => lines.push(l));
    assert.ok(lines.some((l) => l.startsWith('Building Python environment')));
    assert.equal(existsSync(path.join(venv, 'junk')), false);
  });

  it('fails with pip output in the message and leaves nothing half-built', async () => {
    const requirements = path.join(dir, 'broken.txt');
    writeFileSync(requirements, 'this is not a requirement !!\n');
    const environments = new RuntimeEnvironments({ dataDir: dir, python: 'python3' });
    const lines: string[] = [];
    await assert.rejects(
      environments.ensure(requirements, (l) => lines.push(l)),
      (error: unknown) => {
        assert.ok(error instanceof RuntimeEnvironmentError);
        assert.match(error.message, /^Could not build the Python environment for broken\.txt with python3: pip install failed \(exit code 1\)/);
        assert.match(error.message, /Invalid requirement/);
        return true;
      },
    );
    assert.ok(
      lines.some((l) => /Invalid requirement/.test(l)),
      'pip output streamed to onLog',
    );
    const before = readdirSync(environments.directory).length;
    await assert.rejects(
      environments.ensure(path.join(dir, 'missing.txt'), () => undefined),
      /Cannot read requirements file/,
    );
    await assert.rejects(
      new RuntimeEnvironments({ dataDir: dir, python: '/nonexistent/python' }).ensure(requirements, () => undefined),
      /python -m venv failed \(spawn \/nonexistent\/python ENOENT\)/,
    );
    assert.equal(readdirSync(environments.directory).length, before);
  });
});
