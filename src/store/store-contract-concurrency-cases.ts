import assert from 'node:assert/strict';
import type { StoreContractCase } from './store-contract.js';
import { KyselyLogRepository } from './repositories/logs.js';
import { KyselyModelRepository } from './repositories/models.js';
import { KyselyTagRepository } from './repositories/tags.js';

const arn = 'arn:aws:sagemaker:us-east-1:000000000000:model/concurrent';

/**
 * The repositories under concurrent API requests (the server handles many at once, and on
 * PostgreSQL they run on separate connections): no lost write, no duplicate, no limit overrun.
 */
export const repositoryConcurrencyCases: readonly StoreContractCase[] = [
  {
    name: 'models: concurrent CreateModel of one name (any case) has exactly one winner',
    async run({ database }) {
      const models = new KyselyModelRepository(database);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          models.insert({ name: i % 2 ? 'Race-Model' : 'race-model', arn: `${arn}-${i}`, creationTime: 1_764_000_000_000 + i }),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const stored = await models.get('RACE-MODEL');
      assert.equal(typeof stored?.creationTime, 'number');
    },
  },
  {
    name: 'tags: concurrent AddTags never take a resource past the tag limit',
    async run({ database }) {
      const tags = new KyselyTagRepository(database);
      const limit = 10;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, w) =>
          tags.put(
            arn,
            Array.from({ length: 4 }, (_, i) => ({ key: `w${w}-k${i}`, value: String(w) })),
            limit,
          ),
        ),
      );
      const stored = await tags.list(arn);
      assert.ok(stored.length <= limit, `${stored.length} tags stored, limit ${limit}`);
      assert.equal(stored.length, 4 * results.filter(Boolean).length, 'every accepted AddTags is stored whole, every refused one not at all');
    },
  },
  {
    name: 'logs: concurrent appends to a stream that does not exist yet lose no event and count every byte',
    async run({ database }) {
      const logs = new KyselyLogRepository(database);
      const writers = 8;
      const perWriter = 25;
      const outcomes = await Promise.all(
        Array.from({ length: writers }, (_, w) =>
          logs.append(
            '/salvia/concurrent',
            'stream',
            Array.from({ length: perWriter }, (_, i) => ({ timestamp: 2 ** 40 + w * 1000 + i, message: `writer ${w} event ${i} ✓` })),
            1_764_000_000_000 + w,
            true,
          ),
        ),
      );
      assert.deepEqual(new Set(outcomes), new Set(['appended']));
      const events = await logs.readEvents('/salvia/concurrent', { limit: 10_000 });
      assert.equal(events?.length, writers * perWriter);
      assert.equal(new Set(events?.map((e) => e.message)).size, writers * perWriter);
      const bytes = (events ?? []).reduce((sum, e) => sum + Buffer.byteLength(e.message) + 26, 0);
      const stream = await logs.getStream('/salvia/concurrent', 'stream');
      assert.equal(stream?.storedBytes, bytes);
      assert.equal(stream?.firstEventTimestamp, 2 ** 40);
      assert.equal(stream?.lastEventTimestamp, 2 ** 40 + (writers - 1) * 1000 + perWriter - 1);
      const group = await logs.getGroup('/salvia/concurrent');
      assert.equal(group?.storedBytes, bytes);
    },
  },
  {
    name: 'logs: concurrent CreateLogGroup and CreateLogStream of one name have exactly one winner',
    async run({ database }) {
      const logs = new KyselyLogRepository(database);
      const groups = await Promise.all(Array.from({ length: 10 }, () => logs.createGroup('/salvia/race', 1)));
      assert.equal(groups.filter(Boolean).length, 1);
      const streams = await Promise.all(Array.from({ length: 10 }, () => logs.createStream('/salvia/race', 's', 2)));
      assert.deepEqual(streams.filter((s) => s === 'created').length, 1);
      assert.deepEqual(streams.filter((s) => s === 'exists').length, 9);
    },
  },
];
