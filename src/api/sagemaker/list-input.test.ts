import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../errors/index.js';
import { nextPageToken, parseListInput } from './list-input.js';
import { decodePageToken, encodePageToken } from './page-token.js';

const options = { sortFields: { Name: 'name', CreationTime: 'creationTime' }, defaultSortBy: 'CreationTime', defaultSortOrder: 'Descending' } as const;

describe('parseListInput', () => {
  it('applies SageMaker defaults: CreationTime, Descending, 10 results', () => {
    assert.deepEqual(parseListInput({}, options), { sortBy: 'creationTime', sortOrder: 'Descending', maxResults: 10 });
  });

  it('maps filters and times to epoch milliseconds', () => {
    const request = parseListInput(
      {
        SortBy: 'Name',
        SortOrder: 'Ascending',
        MaxResults: 100,
        NameContains: 'abc',
        CreationTimeAfter: new Date(1000),
        CreationTimeBefore: new Date(2000),
        LastModifiedTimeAfter: new Date(3000),
        StatusEquals: 'InService',
      },
      options,
    );
    assert.deepEqual(request, {
      sortBy: 'name',
      sortOrder: 'Ascending',
      maxResults: 100,
      nameContains: 'abc',
      creationTimeAfter: 1000,
      creationTimeBefore: 2000,
      lastModifiedTimeAfter: 3000,
      statusEquals: 'InService',
    });
  });

  it('round-trips a NextToken for the same sort and rejects it for another', () => {
    const first = parseListInput({ SortBy: 'Name' }, options);
    const token = nextPageToken(first, { value: 'b-model', name: 'b-model' });
    assert.ok(token && /^[A-Za-z0-9_-]+$/.test(token));
    assert.deepEqual(parseListInput({ SortBy: 'Name', NextToken: token }, options).after, { value: 'b-model', name: 'b-model' });
    assert.throws(
      () => parseListInput({ SortBy: 'CreationTime', NextToken: token }, options),
      (error: unknown) => error instanceof AwsError && error.code === 'ValidationException' && error.message.startsWith('Invalid pagination token'),
    );
    assert.equal(nextPageToken(first, undefined), undefined);
  });
});

describe('page tokens', () => {
  it('reject garbage with ValidationException', () => {
    for (const token of [
      '%%%',
      'abc',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('{"s":"name","o":"Ascending","v":{},"n":"x"}').toString('base64url'),
    ]) {
      assert.throws(() => decodePageToken(token, 'name', 'Ascending'), /Invalid pagination token/, token);
    }
  });

  it('carry numbers and strings', () => {
    assert.deepEqual(decodePageToken(encodePageToken('creationTime', 'Descending', { value: 1732262400123, name: 'm' }), 'creationTime', 'Descending'), {
      value: 1732262400123,
      name: 'm',
    });
  });
});
