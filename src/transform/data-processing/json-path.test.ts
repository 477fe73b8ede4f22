import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonPathSelectError, JsonPathSyntaxError, parseJsonPath, selectJsonPath } from './json-path.js';

const select = (expression: string, value: unknown): unknown => selectJsonPath(parseJsonPath(expression), value);

describe('JSONPath subset', () => {
  const row = ['id7', '1.5', '2', '3', '4', '5', '6'];
  const record = { id: 7, features: [1, 2, 3], meta: { a: 1, b: 2 }, SageMakerOutput: { score: 0.5 } };

  it('$ (and the empty string) select the whole value', () => {
    assert.equal(parseJsonPath('$').identity, true);
    assert.equal(parseJsonPath('').identity, true);
    assert.deepEqual(select('$', record), record);
  });

  it('.name and bracketed names select a member; several names select an object of those members', () => {
    assert.deepEqual(select('$.features', record), [1, 2, 3]);
    assert.equal(select('$.meta.b', record), 2);
    assert.equal(select("$['id']", record), 7);
    assert.equal(select('$["id"]', record), 7);
    assert.deepEqual(select("$['id','SageMakerOutput']", record), { id: 7, SageMakerOutput: { score: 0.5 } });
    assert.deepEqual(select("$.meta.['a','b']", record), { a: 1, b: 2 });
    assert.deepEqual(select("$['id','missing']", record), { id: 7 });
    assert.deepEqual(select("$['odd name, with comma']", { 'odd name, with comma': 1 }), 1);
  });

  it('indexes (negative from the end), index lists, slices and unions of both', () => {
    assert.equal(select('$[0]', row), 'id7');
    assert.equal(select('$[-1]', row), '6');
    assert.deepEqual(select('$[1,3]', row), ['1.5', '3']);
    assert.deepEqual(select('$[1:]', row), row.slice(1));
    assert.deepEqual(select('$[:2]', row), ['id7', '1.5']);
    assert.deepEqual(select('$[2:4]', row), ['2', '3']);
    assert.deepEqual(select('$[-2:]', row), ['5', '6']);
    assert.deepEqual(select('$[0,5:]', row), ['id7', '5', '6']);
    assert.deepEqual(select('$[0, -1]', row), ['id7', '6']);
    assert.deepEqual(select('$.features[-1]', record), 3);
  });

  it('wildcards select every element or member value; later segments apply to each match', () => {
    assert.deepEqual(select('$.*', { a: 1, b: 2 }), [1, 2]);
    assert.deepEqual(select('$[*]', [1, 2]), [1, 2]);
    assert.deepEqual(select('$.meta.*', record), [1, 2]);
    assert.deepEqual(select('$[*].x', [{ x: 1 }, { y: 2 }, { x: 3 }]), [1, 3]);
    assert.deepEqual(select('$[1:][0]', [[1], [2], [3]]), [2, 3]);
  });

  it('fails to select a missing member or an index outside the record', () => {
    assert.throws(
      () => select('$.nope', record),
      (e: unknown) => e instanceof JsonPathSelectError && /no member "nope"/.test(e.message),
    );
    assert.throws(() => select('$[7]', row), /index 7 is outside the record's 7 elements/);
    assert.throws(() => select('$[0,9]', row), JsonPathSelectError);
    assert.throws(() => select('$[0]', record), /needs an array, not an object/);
  });

  it('refuses syntax outside the subset', () => {
    for (const bad of ['features', '$..id', '$[?(@.a>1)]', '$[(@.length-1)]', '$.', '$[', '$[a]', '$[1,]', "$['a]", '$x']) {
      assert.throws(() => parseJsonPath(bad), JsonPathSyntaxError, bad);
    }
  });
});
