import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, repoRoot, startServer, testCredentials, type ServerProcess } from '../helpers/server-process.js';
import { unusedPort } from '../helpers/free-port.js';

// `salvia env` prints shell exports; `eval "$(salvia env --port N)"` in bash must be all that the
// AWS CLI and boto3 need to reach a server on port N — whatever AWS_* settings the shell had before.

const run = promisify(execFile);
const salvia = path.join(repoRoot, 'bin/salvia.js');

let server: ServerProcess;
let port: number;
let home: string;
const bucket = `cli-env-${process.pid}-${Date.now().toString(36)}`;

/**
 * A shell environment with misleading AWS settings a developer might have: the exports must win.
 * Config and credential files point into an empty directory so nothing on this machine leaks in.
 */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_') && !name.startsWith('SALVIA_')) env[name] = value;
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_ACCESS_KEY_ID: 'stale-key',
    AWS_SECRET_ACCESS_KEY: 'stale-secret',
    AWS_SESSION_TOKEN: 'stale-token',
    AWS_PROFILE: 'no-such-profile',
  };
}

/** Runs a bash script after `eval "$(salvia env …)"`. */
async function afterEval(script: string, envArgs: string[] = ['--port', String(port)]): Promise<string> {
  const command = `set -euo pipefail\neval "$(node ${JSON.stringify(salvia)} env ${envArgs.join(' ')})"\n${script}`;
  const { stdout } = await run('bash', ['-c', command], { env: shellEnv(), cwd: home, timeout: 60_000 });
  return stdout;
}

before(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'salvia-cli-env-'));
  port = await unusedPort();
  server = await startServer({ args: ['--port', String(port)] });
  assert.equal(server.url, `http://127.0.0.1:${port}`);
  const s3 = new S3Client(clientConfig(server));
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
});

after(async () => {
  await server?.dispose();
  rmSync(home, { recursive: true, force: true });
});

describe('salvia env', () => {
  it('prints exports for the endpoint, region and the first access key, and unsets session settings', async () => {
    const { stdout } = await run(process.execPath, [salvia, 'env', '--port', String(port)], { env: shellEnv() });
    assert.equal(
      stdout,
      [
        `export AWS_ENDPOINT_URL='http://127.0.0.1:${port}'`,
        `export AWS_REGION='us-east-1'`,
        `export AWS_DEFAULT_REGION='us-east-1'`,
        `export AWS_ACCESS_KEY_ID='${testCredentials.accessKeyId}'`,
        `export AWS_SECRET_ACCESS_KEY='${testCredentials.secretAccessKey}'`,
        'unset AWS_SESSION_TOKEN AWS_PROFILE',
        '',
      ].join('\n'),
    );
  });

  it('quotes values for the shell and follows --host, --region and --access-keys like the server', async () => {
    const printed = await afterEval('env | grep ^AWS_ | sort', [
      '--host',
      '0.0.0.0',
      '--port',
      '8123',
      '--region',
      'eu-west-1',
      '--access-keys',
      `"k1:it's \\$secret,k2:other"`,
    ]);
    const vars = Object.fromEntries(
      printed
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.equal(vars['AWS_ENDPOINT_URL'], 'http://127.0.0.1:8123');
    assert.equal(vars['AWS_REGION'], 'eu-west-1');
    assert.equal(vars['AWS_DEFAULT_REGION'], 'eu-west-1');
    assert.equal(vars['AWS_ACCESS_KEY_ID'], 'k1');
    assert.equal(vars['AWS_SECRET_ACCESS_KEY'], "it's $secret");
    assert.equal(vars['AWS_SESSION_TOKEN'], undefined);
    assert.equal(vars['AWS_PROFILE'], undefined);
  });

  it('after eval, the AWS CLI lists the buckets of the server on that port', async () => {
    const stdout = await afterEval('aws s3 ls\naws sts get-caller-identity --query Account --output text');
    const lines = stdout.trim().split('\n');
    assert.ok(
      lines.some((line) => line.endsWith(` ${bucket}`)),
      stdout,
    );
    assert.equal(lines.at(-1), '000000000000');
  });

  it('after eval, boto3 reaches S3, SageMaker and STS on that port with no endpoint in the code', async () => {
    const snippet = [
      'import boto3, json',
      'buckets = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]',
      'models = boto3.client("sagemaker").list_models()["Models"]',
      'account = boto3.client("sts").get_caller_identity()["Account"]',
      'print(json.dumps({"buckets": buckets, "models": models, "account": account}))',
    ].join('\n');
    const stdout = await afterEval(`python3 - <<'PY'\n${snippet}\nPY`);
    const out = JSON.parse(stdout) as { buckets: string[]; models: unknown[]; account: string };
    assert.ok(out.buckets.includes(bucket), stdout);
    assert.deepEqual(out.models, []);
    assert.equal(out.account, '000000000000');
  });

  it('runs as `npx salvia env` from the repository root (the package’s own bin)', async () => {
    // npm's own settings (registry, cache) stay those of this machine; only its update check is off.
    const env = { ...shellEnv(), HOME: process.env['HOME'] ?? home, npm_config_update_notifier: 'false' };
    const { stdout } = await run('npx', ['--no-install', 'salvia', 'env', '--port', String(port)], { cwd: repoRoot, env, timeout: 60_000 });
    assert.match(stdout, new RegExp(`^export AWS_ENDPOINT_URL='http://127\\.0\\.0\\.1:${port}'$`, 'm'));
  });
});
