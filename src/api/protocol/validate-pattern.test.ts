import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sagemakerShapes } from './generated/index.js';
import { compileJavaPattern, javaPatternToJs } from './validate-pattern.js';

describe('javaPatternToJs', () => {
  it('turns escaped punctuation into literal code points that the u flag accepts', () => {
    assert.equal(javaPatternToJs('[a-zA-Z0-9\\_\\-]+'), '[a-zA-Z0-9\\u{5f}\\u{2d}]+');
    assert.ok(compileJavaPattern('[a-zA-Z0-9\\ \\_\\.]+')?.test('a b_c.d'));
    assert.equal(compileJavaPattern('[a-zA-Z0-9\\ \\_\\.]+')?.test('a-b'), false);
    assert.ok(compileJavaPattern('[a-z]+\\-[0-9a-z\\-]+')?.test('ml-m5-large'));
  });

  it('expands POSIX classes as ASCII', () => {
    const regex = compileJavaPattern('arn:[\\p{Alnum}\\-]+:lambda:[\\p{Alnum}\\-]+:[0-9]{12}:function:.*');
    assert.ok(regex?.test('arn:aws:lambda:us-east-1:123456789012:function:f'));
    assert.equal(regex?.test('arn:äws:lambda:us-east-1:123456789012:function:f'), false);
    assert.ok(compileJavaPattern('\\p{Alpha}+')?.test('abc'));
  });

  it('drops a quantifier on an anchor, as Java reads `(…)${1,128}`', () => {
    const regex = compileJavaPattern('([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,128}');
    assert.ok(regex?.test('key/with:colons'));
    assert.equal(regex?.test('bad#'), false);
  });

  it('matches whole strings only and keeps Unicode categories', () => {
    const regex = compileJavaPattern('[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*');
    assert.ok(regex?.test('Größe: 12 € — ok!'));
    assert.equal(regex?.test('tab\there'), false);
    assert.equal(compileJavaPattern('[a-z]+')?.test('abc1'), false);
  });

  it('refuses Java-only syntax instead of guessing', () => {
    assert.throws(() => javaPatternToJs('\\Qa.b\\E'));
    assert.throws(() => javaPatternToJs('[a-z&&[^e]]'));
    assert.throws(() => javaPatternToJs('a++'));
    assert.equal(compileJavaPattern('[a-z&&[^e]]'), null);
  });

  it('translates every pattern of the SageMaker model', () => {
    const untranslatable = Object.values(sagemakerShapes.shapes)
      .filter((shape) => shape.pattern !== undefined && compileJavaPattern(shape.pattern) === null)
      .map((shape) => shape.pattern);
    assert.deepEqual(untranslatable, []);
  });
});
