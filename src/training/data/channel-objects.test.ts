import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChannelError } from './channel-error.js';
import { listChannelObjects } from './channel-objects.js';
import { putMany, withStore } from './test-store.js';

const prefix = (S3Uri: string) => ({ S3DataType: 'S3Prefix', S3Uri });
const isChannelError =
  (kind: string, ...fragments: string[]) =>
  (error: unknown) =>
    error instanceof ChannelError && error.kind === kind && fragments.every((fragment) => error.message.includes(fragment));

describe('listChannelObjects: S3Prefix', () => {
  it('places keys as SageMaker File mode does: the key minus the whole prefix', () =>
    withStore(async (fixture) => {
      await putMany(fixture, 'data', ['data/train/a.csv', 'data/train-2/b.csv', 'data/train/x/y.csv', 'data/test/c.csv', 'data/train/', 'other.csv']);
      const slash = await listChannelObjects(fixture.store, prefix('s3://data/data/train/'));
      assert.deepEqual(
        slash.objects.map((o) => [o.key, o.relativePath]),
        [
          ['data/train/a.csv', 'a.csv'],
          ['data/train/x/y.csv', 'x/y.csv'],
        ],
      );
      const bare = await listChannelObjects(fixture.store, prefix('s3://data/data/train'));
      assert.deepEqual(
        bare.objects.map((o) => o.relativePath),
        ['-2/b.csv', 'a.csv', 'x/y.csv'],
      );
      const single = await listChannelObjects(fixture.store, prefix('s3://data/data/test/c.csv'));
      assert.deepEqual(single.objects, [{ bucket: 'data', key: 'data/test/c.csv', size: 'content of data/test/c.csv'.length, relativePath: 'c.csv' }]);
      const root = await listChannelObjects(fixture.store, prefix('s3://data'));
      assert.equal(root.objects.length, 5, 'the folder marker data/train/ is not data');
      assert.ok(root.objects.some((o) => o.relativePath === 'data/train/x/y.csv'));
      await putMany(fixture, 'data', ['data/test/c.csv.bak']);
      const exact = await listChannelObjects(fixture.store, prefix('s3://data/data/test/c.csv'));
      assert.deepEqual(
        exact.objects.map((o) => o.relativePath),
        ['c.csv'],
        'an S3Uri naming one object is that object alone',
      );
    }));

  it('pages through large prefixes', () =>
    withStore(async (fixture) => {
      const keys = Array.from({ length: 1001 }, (_, i) => `big/part-${String(i).padStart(5, '0')}`);
      await putMany(fixture, 'data', keys);
      const { objects } = await listChannelObjects(fixture.store, prefix('s3://data/big/'));
      assert.deepEqual(
        objects.map((o) => o.key),
        keys,
      );
    }));

  it('an empty prefix or missing bucket is a ChannelError a person can act on', () =>
    withStore(async (fixture) => {
      await fixture.put('data', 'elsewhere/a', 'x');
      await assert.rejects(
        listChannelObjects(fixture.store, prefix('s3://data/nothing/here/'), { region: 'us-east-1', roleArn: 'arn:aws:iam::1:role/R' }),
        isChannelError(
          'NoObjects',
          'No S3 objects found under S3 URL "s3://data/nothing/here/" given in input data source',
          '(us-east-1)',
          '"arn:aws:iam::1:role/R"',
          '"s3:ListBucket"',
          'bucket "data"',
        ),
      );
      await assert.rejects(listChannelObjects(fixture.store, prefix('s3://no-such-bucket/x')), isChannelError('NoObjects', 's3://no-such-bucket/x'));
      await fixture.put('data', 'only-folder/', '');
      await assert.rejects(listChannelObjects(fixture.store, prefix('s3://data/only-folder/')), isChannelError('NoObjects'));
    }));

  it('a bad URI or data type is a ValidationException', () =>
    withStore(async (fixture) => {
      await assert.rejects(listChannelObjects(fixture.store, prefix('http://data/x')), { code: 'ValidationException' });
      await assert.rejects(listChannelObjects(fixture.store, { S3DataType: 'Converse', S3Uri: 's3://data/x' }), { code: 'ValidationException' });
    }));
});

describe('listChannelObjects: ManifestFile', () => {
  it('lists the prefix + each entry, with sizes, each once', () =>
    withStore(async (fixture) => {
      await putMany(fixture, 'data', ['some/prefix/rel/a', 'some/prefix/rel/b', 'some/prefix/c']);
      await fixture.put('data', 'm.manifest', JSON.stringify([{ prefix: 's3://data/some/prefix/' }, 'rel/b', 'rel/a', 'c', 'rel/a']));
      const { objects } = await listChannelObjects(fixture.store, { S3DataType: 'ManifestFile', S3Uri: 's3://data/m.manifest' });
      assert.deepEqual(
        objects.map((o) => [o.key, o.relativePath, o.size]),
        [
          ['some/prefix/rel/b', 'rel/b', 'content of some/prefix/rel/b'.length],
          ['some/prefix/rel/a', 'rel/a', 'content of some/prefix/rel/a'.length],
          ['some/prefix/c', 'c', 'content of some/prefix/c'.length],
        ],
      );
    }));

  it('names the missing keys', () =>
    withStore(async (fixture) => {
      await fixture.put('data', 'p/here', 'x');
      await fixture.put('data', 'm.json', JSON.stringify([{ prefix: 's3://data/p/' }, 'here', 'gone-1', 'gone-2']));
      await assert.rejects(
        listChannelObjects(fixture.store, { S3DataType: 'ManifestFile', S3Uri: 's3://data/m.json' }),
        isChannelError('ManifestMissingKeys', 's3://data/m.json', '2 S3 object(s)', '"s3://data/p/gone-1"', '"s3://data/p/gone-2"'),
      );
    }));

  it('rejects a missing or malformed manifest', () =>
    withStore(async (fixture) => {
      await assert.rejects(
        listChannelObjects(fixture.store, { S3DataType: 'ManifestFile', S3Uri: 's3://data/none.json' }),
        isChannelError('NoObjects', 's3://data/none.json'),
      );
      for (const [body, why] of [
        ['not json', 'not JSON'],
        ['{}', 'non-empty JSON array'],
        ['["s3://data/p/"]', 'first element'],
        ['[{"prefix": "/local"}]', 'not an s3:// URI'],
        ['[{"prefix": "s3://data/p/"}, 3]', 'element 1'],
      ] as const) {
        await fixture.put('data', 'bad.json', body);
        await assert.rejects(
          listChannelObjects(fixture.store, { S3DataType: 'ManifestFile', S3Uri: 's3://data/bad.json' }),
          isChannelError('ManifestInvalid', why),
          body,
        );
      }
      await fixture.put('data', 'empty.json', '[{"prefix": "s3://data/p/"}]');
      await assert.rejects(listChannelObjects(fixture.store, { S3DataType: 'ManifestFile', S3Uri: 's3://data/empty.json' }), isChannelError('NoObjects'));
    }));
});

describe('listChannelObjects: AugmentedManifestFile', () => {
  it('gives the manifest itself as the object and its lines reduced to AttributeNames, in order', () =>
    withStore(async (fixture) => {
      await fixture.put('data', 'img/1.jpg', 'jpeg1');
      const lines = [{ 'source-ref': 's3://data/img/1.jpg', class: '0', extra: 1 }, {}, { class: '1', 'source-ref': 's3://data/img/1.jpg' }].map((line) =>
        Object.keys(line).length === 0 ? '' : JSON.stringify(line),
      );
      await fixture.put('data', 'aug/train.manifest', lines.join('\n') + '\n');
      const listing = await listChannelObjects(fixture.store, {
        S3DataType: 'AugmentedManifestFile',
        S3Uri: 's3://data/aug/train.manifest',
        AttributeNames: ['source-ref', 'class'],
      });
      assert.deepEqual(listing.objects, [{ bucket: 'data', key: 'aug/train.manifest', size: lines.join('\n').length + 1, relativePath: 'train.manifest' }]);
      assert.deepEqual(listing.augmentedManifestLines, [
        {
          lineNumber: 1,
          attributes: [
            { name: 'source-ref', value: 's3://data/img/1.jpg', ref: { bucket: 'data', key: 'img/1.jpg' } },
            { name: 'class', value: '0' },
          ],
        },
        {
          lineNumber: 3,
          attributes: [
            { name: 'source-ref', value: 's3://data/img/1.jpg', ref: { bucket: 'data', key: 'img/1.jpg' } },
            { name: 'class', value: '1' },
          ],
        },
      ]);
    }));

  it('fails on a missing attribute, a bad line or a missing -ref object', () =>
    withStore(async (fixture) => {
      const list = (AttributeNames?: string[]) =>
        listChannelObjects(fixture.store, {
          S3DataType: 'AugmentedManifestFile',
          S3Uri: 's3://data/a.manifest',
          ...(AttributeNames ? { AttributeNames } : {}),
        });
      await fixture.put('data', 'a.manifest', '{"source-ref": "s3://data/nope.jpg", "class": "0"}\n{"class": "1"}\n');
      await assert.rejects(list(['source-ref', 'class']), isChannelError('ManifestInvalid', 'line 2', '"source-ref"'));
      assert.equal((await list(['class'])).augmentedManifestLines?.length, 2, 'only selected -ref attributes are checked');
      await assert.rejects(list(undefined), isChannelError('ManifestMissingKeys', '"s3://data/nope.jpg"'));
      await fixture.put('data', 'a.manifest', '{"a": 1}\n[1]\n');
      await assert.rejects(list(), isChannelError('ManifestInvalid', 'line 2'));
      await fixture.put('data', 'a.manifest', '\n\n');
      await assert.rejects(list(), isChannelError('NoObjects'));
    }));
});
