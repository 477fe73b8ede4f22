import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../errors/index.js';
import type { ObjectInfo } from '../../objectstore/index.js';
import { checkConditions, resolveRange } from './conditions.js';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'ok';
};

test('ranges resolve like S3: closed, open, suffix, clamped, ignored, unsatisfiable', () => {
  assert.deepEqual(resolveRange('bytes=2-4', 10), { start: 2, end: 4 });
  assert.deepEqual(resolveRange('bytes=7-', 10), { start: 7, end: 9 });
  assert.deepEqual(resolveRange('bytes=-3', 10), { start: 7, end: 9 });
  assert.deepEqual(resolveRange('bytes=-30', 10), { start: 0, end: 9 });
  assert.deepEqual(resolveRange('bytes=8-100', 10), { start: 8, end: 9 });
  for (const ignored of [undefined, 'bytes=5-2', 'bytes=abc', 'bytes=0-1,3-4', 'items=1-2', 'bytes=-'])
    assert.equal(resolveRange(ignored, 10), undefined, ignored);
  for (const [header, size] of [
    ['bytes=10-', 10],
    ['bytes=10-20', 10],
    ['bytes=-0', 10],
    ['bytes=0-', 0],
    ['bytes=-5', 0],
  ] as const) {
    assert.equal(
      code(() => resolveRange(header, size)),
      '416 InvalidRange',
      header,
    );
  }
});

test('conditions: 412 for If-Match / If-Unmodified-Since, 304 for If-None-Match / If-Modified-Since', () => {
  const info = { etag: '"abc"', lastModified: new Date('2026-01-01T00:00:00.500Z') } as ObjectInfo;
  assert.equal(
    code(() => checkConditions(info, { ifMatch: '"abc"' })),
    'ok',
  );
  assert.equal(
    code(() => checkConditions(info, { ifMatch: 'abc, "x"' })),
    'ok',
  );
  assert.equal(
    code(() => checkConditions(info, { ifMatch: '"x"' })),
    '412 PreconditionFailed',
  );
  assert.equal(
    code(() => checkConditions(info, { ifNoneMatch: '*' })),
    '304 NotModified',
  );
  assert.equal(
    code(() => checkConditions(info, { ifNoneMatch: '"abc"' }, true)),
    '412 PreconditionFailed',
  );
  assert.equal(
    code(() => checkConditions(info, { ifModifiedSince: 'Thu, 01 Jan 2026 00:00:00 GMT' })),
    '304 NotModified',
  );
  assert.equal(
    code(() => checkConditions(info, { ifModifiedSince: 'Wed, 31 Dec 2025 23:59:59 GMT' })),
    'ok',
  );
  assert.equal(
    code(() => checkConditions(info, { ifUnmodifiedSince: 'Wed, 31 Dec 2025 23:59:59 GMT' })),
    '412 PreconditionFailed',
  );
  assert.equal(
    code(() => checkConditions(info, { ifMatch: '"abc"', ifUnmodifiedSince: 'Wed, 31 Dec 2025 23:59:59 GMT' })),
    'ok',
  );
  assert.equal(
    code(() => checkConditions(info, { ifModifiedSince: 'garbage' })),
    'ok',
  );
});
