import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryBudgetBytes } from './memory-budget.js';
import { modelId } from './model-id.js';
import { residentBytes } from './process-memory.js';

const MiB = 1024 * 1024;

test('the memory budget is the configured MiB, else the instance type memory', () => {
  assert.equal(memoryBudgetBytes('ml.m5.xlarge', 64), 64 * MiB);
  assert.equal(memoryBudgetBytes('ml.m5.xlarge'), 16 * 1024 * MiB);
  assert.equal(memoryBudgetBytes('ml.c5.large'), 4 * 1024 * MiB);
  assert.equal(memoryBudgetBytes('ml.m7i.2xlarge'), 32 * 1024 * MiB);
});

test('resident memory is read from /proc/<pid>/status; gone processes count 0', async () => {
  const own = await residentBytes([process.pid]);
  assert.ok(own > 10 * MiB && own < 8192 * MiB, String(own));
  assert.equal(await residentBytes([]), 0);
  assert.equal(await residentBytes([2 ** 22 + 12345]), 0);
  const twice = await residentBytes([process.pid, process.pid]);
  assert.ok(twice >= own, 'summed over the ids');
});

test('model ids are short hex names, distinct per prefix and TargetModel, stable', () => {
  const id = modelId('s3://b/p/', 'dir/model 1.tar.gz');
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(modelId('s3://b/p/', 'dir/model 1.tar.gz'), id);
  assert.notEqual(modelId('s3://b/q/', 'dir/model 1.tar.gz'), id);
  assert.notEqual(modelId('s3://b/p/', 'dir/model 2.tar.gz'), id);
});
