import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../../../test/helpers/server-process.js';
import { sagemakerShapes } from './index.js';

/** Where python3's botocore keeps its models, or undefined if there is none (CI without botocore). */
function botocoreData(): string | undefined {
  try {
    const dir = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return path.join(dir, 'data');
  } catch {
    return undefined;
  }
}

describe('generated SageMaker shapes', () => {
  it('cover the operations Salvia relies on, with their input constraints', () => {
    for (const operation of [
      'CreateModel',
      'DescribeModel',
      'ListModels',
      'DeleteModel',
      'AddTags',
      'ListTags',
      'DeleteTags',
      'CreateTrainingJob',
      'CreateEndpoint',
      'ListEndpoints',
    ]) {
      assert.ok(sagemakerShapes.operations[operation], operation);
    }
    assert.deepEqual(sagemakerShapes.shapes.TagList, { type: 'list', member: 'Tag', min: 0, max: 50 });
    const input = sagemakerShapes.shapes.CreateModelInput;
    assert.ok(input?.type === 'structure' && input.required?.includes('ModelName'));
    assert.ok(!JSON.stringify(sagemakerShapes).includes('documentation'));
  });

  const data = botocoreData();
  it('match what scripts/generate-shapes.mjs makes from the installed botocore', { skip: data ? false : 'python3 botocore not installed' }, () => {
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/generate-shapes.mjs'), '--check', data as string], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
});
