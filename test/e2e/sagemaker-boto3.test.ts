import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { awsEnv, repoRoot, startServer, type ServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);

describe('SageMaker models through boto3 and the AWS CLI', () => {
  let server: ServerProcess;
  let home: string;

  before(async () => {
    server = await startServer();
    home = mkdtempSync(path.join(tmpdir(), 'salvia-aws-home-'));
  });
  after(async () => {
    await server?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('boto3: create, describe, paginate, tag, errors, delete', async () => {
    const { stdout } = await run('python3', [path.join(repoRoot, 'test/fixtures/sagemaker_models_boto3.py'), 'bt'], { env: awsEnv(server, home) });
    const result = JSON.parse(stdout) as Record<string, unknown>;
    const arn = 'arn:aws:sagemaker:us-east-1:000000000000:model/bt-main';
    assert.equal(result.arn, arn);
    assert.deepEqual(result.described, {
      ModelName: 'bt-main',
      ModelArn: arn,
      PrimaryContainer: { Image: 'xgboost:1', Environment: { A: '1' } },
      ExecutionRoleArn: 'arn:aws:iam::000000000000:role/SageMakerRole',
      EnableNetworkIsolation: false,
    });
    assert.equal(result.creation_time_type, 'datetime');
    assert.match(String(result.request_id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(result.pages, [['bt-main', 'bt-page-0'], ['bt-page-1', 'bt-page-2'], ['bt-page-3']]);
    assert.deepEqual(result.tags, [
      { Key: 'owner', Value: 'boto3' },
      { Key: 'stage', Value: 'dev' },
    ]);
    assert.deepEqual(result.tags_after_delete, [{ Key: 'stage', Value: 'dev' }]);
    assert.deepEqual(result.missing, {
      code: 'ValidationException',
      message: 'Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/bt-missing".',
      status: 400,
    });
    assert.deepEqual(result.duplicate, { code: 'ValidationException', message: `Cannot create already existing model "${arn}".` });
    assert.deepEqual(result.invalid, {
      code: 'ValidationException',
      message:
        "1 validation error detected: Value 'has_underscore' at 'modelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?",
    });
    assert.deepEqual(result.after_delete, []);
  });

  it('AWS CLI: aws sagemaker list-models', async () => {
    const { stdout } = await run(
      'aws',
      ['sagemaker', 'list-models', '--name-contains', 'bt-page', '--sort-by', 'Name', '--sort-order', 'Descending', '--output', 'json'],
      { env: awsEnv(server, home) },
    );
    const listed = JSON.parse(stdout) as { Models: Array<{ ModelName: string; CreationTime: string | number }> };
    assert.deepEqual(
      listed.Models.map((m) => m.ModelName),
      ['bt-page-3', 'bt-page-2', 'bt-page-1', 'bt-page-0'],
    );
    // AWS CLI v1 prints the wire value (epoch seconds); v2 an ISO string.
    const now = Date.now();
    for (const { CreationTime: time } of listed.Models) {
      const ms = typeof time === 'number' ? time * 1000 : Date.parse(time);
      assert.ok(Math.abs(ms - now) < 10 * 60_000, `CreationTime ${time}`);
    }
  });
});
