import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/server-process.js';
import { unusedPort } from '../helpers/free-port.js';

// `salvia server` with a database it cannot use exits at once with a one-line reason that names the
// database (password hidden) — no stack trace, no half-started server.

const run = promisify(execFile);
const dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-cli-server-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `salvia server …` and expects it to fail; returns its exit code and what it printed. */
async function failingServer(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    await run(process.execPath, [path.join(repoRoot, 'bin/salvia.js'), 'server', '--port', '0', '--data-dir', dataDir, ...args], { timeout: 60_000 });
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
  return assert.fail('the server should not have started');
}

describe('salvia server --database', () => {
  it('exits 1 naming an unreachable PostgreSQL server, without its password', async () => {
    const port = await unusedPort();
    const { code, stdout, stderr } = await failingServer('--database', `postgres://salvia:hunter2@127.0.0.1:${port}/metadata`);
    assert.equal(code, 1);
    assert.doesNotMatch(stdout, /listening/);
    assert.equal(stderr.trim(), `salvia: cannot reach PostgreSQL at postgres://salvia:***@127.0.0.1:${port}/metadata: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('exits 1 on a database URL it does not support', async () => {
    const { code, stderr } = await failingServer('--database', 'mysql://root:pw@localhost/x');
    assert.equal(code, 1);
    assert.equal(stderr.trim(), 'salvia: unsupported database "mysql://root:***@localhost/x": use "sqlite", "sqlite:<file>" or a postgres:// URL');
  });
});
