import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, startServer, type ServerProcess } from '../helpers/server-process.js';

// `salvia images add|list|remove` against a real server started with --auth: the CLI signs its
// calls to /_salvia/images; registrations live in the metadata database and survive a restart.

const execFileAsync = promisify(execFile);
const salvia = path.join(repoRoot, 'bin/salvia.js');
const fixtures = path.join(repoRoot, 'test/fixtures/images');

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_') && !name.startsWith('SALVIA_')) env[name] = value;
  return { ...env, ...extra };
}

async function cli(
  server: ServerProcess,
  args: string[],
  extraEnv: Record<string, string> = {},
  cwd = repoRoot,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [salvia, 'images', ...args], {
      cwd,
      env: cleanEnv({ AWS_ENDPOINT_URL: server.url, ...extraEnv }),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('salvia images (CLI and /_salvia/images API)', () => {
  let server: ServerProcess;
  let work: string;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'salvia-images-e2e-'));
    server = await startServer({ args: ['--auth'] });
  });
  after(async () => {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('adds, lists and removes images, with relative paths resolved against the caller', async () => {
    const added = await cli(server, ['add', 'team/byo-algo', 'test/fixtures/images/byo']);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, `registered team/byo-algo -> ${path.join(fixtures, 'byo')}\n`);
    const withEntrypoint = await cli(server, ['add', 'entry-algo', '.', '--entrypoint', 'run.sh'], {}, path.join(fixtures, 'entrypoint'));
    assert.equal(withEntrypoint.code, 0, withEntrypoint.stderr);
    const listed = await cli(server, ['list']);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^REPOSITORY\s+DIRECTORY\s+ENTRYPOINT$/);
    assert.match(lines[1] ?? '', new RegExp(`^entry-algo\\s+${path.join(fixtures, 'entrypoint')}\\s+${path.join(fixtures, 'entrypoint', 'run.sh')}$`));
    assert.match(lines[2] ?? '', new RegExp(`^team/byo-algo\\s+${path.join(fixtures, 'byo')}\\s+-$`));

    server = await server.restart();
    const afterRestart = await cli(server, ['list']);
    assert.match(afterRestart.stdout, /team\/byo-algo/);
    const removed = await cli(server, ['remove', 'team/byo-algo']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'removed team/byo-algo\n');
    assert.doesNotMatch((await cli(server, ['list'])).stdout, /team\/byo-algo/);
  });

  it('reports bad input as the server explains it, with a non-zero exit', async () => {
    const missing = await cli(server, ['add', 'algo', path.join(work, 'nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^salvia: ValidationException: Image directory .*nope does not exist or is not a directory\.\n$/);
    const badName = await cli(server, ['add', 'Bad_Name!', fixtures]);
    assert.match(badName.stderr, /ValidationException: Repository name Bad_Name! is not valid/);
    const notRegistered = await cli(server, ['remove', 'never-added']);
    assert.equal(notRegistered.code, 1);
    assert.match(notRegistered.stderr, /ResourceNotFound: Image never-added is not registered\./);
    const usage = await cli(server, ['add', 'only-repo']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /usage:/);
    const wrongKey = await cli(server, ['list'], { AWS_ACCESS_KEY_ID: 'salvia', AWS_SECRET_ACCESS_KEY: 'wrong' });
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /InvalidSignature/);
    const down = await cli(server, ['list', '--endpoint-url', 'http://127.0.0.1:1']);
    assert.match(down.stderr, /cannot reach the Salvia server at http:\/\/127\.0\.0\.1:1/);
  });

  it('answers unsigned and malformed API calls in the AWS JSON error form', async () => {
    const unsigned = await fetch(`${server.url}/_salvia/images`);
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const open = await startServer();
    try {
      const badBody = await fetch(`${open.url}/_salvia/images/x`, { method: 'PUT', body: '{"Directory": 3}' });
      assert.equal(badBody.status, 400);
      assert.deepEqual(await badBody.json(), { __type: 'ValidationException', message: 'Directory (an absolute path) is required.' });
      const notJson = await fetch(`${open.url}/_salvia/images/x`, { method: 'PUT', body: '{' });
      assert.equal(((await notJson.json()) as { __type: string }).__type, 'SerializationException');
      const unknown = await fetch(`${open.url}/_salvia/other`);
      assert.equal(unknown.status, 404);
      const post = await fetch(`${open.url}/_salvia/images`, { method: 'POST' });
      assert.equal(post.status, 405);
      const put = await fetch(`${open.url}/_salvia/images/team%2Fslashed`, { method: 'PUT', body: JSON.stringify({ Directory: path.join(fixtures, 'byo') }) });
      assert.equal(put.status, 200);
      const got = (await (await fetch(`${open.url}/_salvia/images/team/slashed`)).json()) as { Repository: string; Directory: string; CreationTime: number };
      assert.equal(got.Repository, 'team/slashed');
      assert.equal(got.Directory, path.join(fixtures, 'byo'));
      assert.equal(typeof got.CreationTime, 'number');
    } finally {
      await open.dispose();
    }
  });
});
