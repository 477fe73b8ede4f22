import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../test/helpers/postgres.js';
import type { Database } from '../store/index.js';
import { KyselyLogRepository } from '../store/repositories/logs.js';
import { postgresTarget, sqliteTarget } from '../store/testing/index.js';
import type { StoreTarget } from '../store/store-contract.js';
import { AwsError } from '../errors/index.js';
import { LogService } from './log-service.js';

const T0 = Date.UTC(2026, 0, 1);

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AwsError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'ok';
}

/** The log service's behaviour over the Kysely repository, run on every dialect. */
function logSuite(label: string, newTarget: () => Promise<StoreTarget>): void {
  describe(`LogService on ${label}`, () => {
    let clock = T0;
    async function withService(fn: (service: LogService, database: Database) => Promise<void>): Promise<void> {
      const target = await newTarget();
      const database = await target.open();
      try {
        await fn(new LogService(new KyselyLogRepository(database), { region: 'us-east-1', accountId: '123456789012', now: () => clock }), database);
      } finally {
        await database.close();
        await target.dispose?.();
      }
    }

    test('groups and streams: create, duplicates, missing, paging, delete', () =>
      withService(async (logs) => {
        assert.equal(await code(logs.createLogStream('/none', 's')), 'ResourceNotFoundException: The specified log group does not exist.');
        for (const name of ['/aws/b', '/aws/a', '/other', '/aws/c']) await logs.createLogGroup(name);
        assert.equal(await code(logs.createLogGroup('/aws/a')), 'ResourceAlreadyExistsException: The specified log group already exists');
        const first = await logs.describeLogGroups({ prefix: '/aws/', limit: 2 });
        assert.deepEqual(
          first.items.map((g) => g.name),
          ['/aws/a', '/aws/b'],
        );
        assert.equal(first.items[0]?.arn, 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/a');
        const second = await logs.describeLogGroups({ prefix: '/aws/', limit: 2, ...(first.nextToken ? { nextToken: first.nextToken } : {}) });
        assert.deepEqual(
          second.items.map((g) => g.name),
          ['/aws/c'],
        );
        assert.equal(second.nextToken, undefined);
        assert.deepEqual(
          (await logs.describeLogGroups({ pattern: 'OTH' })).items.map((g) => g.name),
          ['/other'],
        );
        // '_' and '%' are not wildcards; prefixes are case-sensitive.
        assert.deepEqual((await logs.describeLogGroups({ prefix: '/AWS' })).items, []);
        assert.deepEqual((await logs.describeLogGroups({ prefix: '/aws_' })).items, []);

        for (const s of ['job/algo-2', 'job/algo-1', 'other/x', 'job/algo-3']) await logs.createLogStream('/aws/a', s);
        assert.equal(await code(logs.createLogStream('/aws/a', 'job/algo-1')), 'ResourceAlreadyExistsException: The specified log stream already exists');
        const names: string[] = [];
        let token: string | undefined;
        do {
          const page = await logs.describeLogStreams({ group: '/aws/a', prefix: 'job/', limit: 1, ...(token ? { nextToken: token } : {}) });
          names.push(...page.items.map((s) => s.name));
          token = page.nextToken;
        } while (token);
        assert.deepEqual(names, ['job/algo-1', 'job/algo-2', 'job/algo-3']);
        const all = await logs.describeLogStreams({ group: '/aws/a', limit: 4 });
        assert.equal(all.nextToken, undefined, 'no nextToken on the last page');
        assert.deepEqual(
          (await logs.describeLogStreams({ group: '/aws/a', descending: true, limit: 2 })).items.map((s) => s.name),
          ['other/x', 'job/algo-3'],
        );
        assert.match(await code(logs.describeLogStreams({ group: '/aws/a', prefix: 'job/', orderBy: 'LastEventTime' })), /^InvalidParameterException/);
        assert.equal(await code(logs.describeLogStreams({ group: '/nope' })), 'ResourceNotFoundException: The specified log group does not exist.');
        assert.match(
          await code(logs.describeLogStreams({ group: '/aws/a', nextToken: 'garbage' })),
          /^InvalidParameterException: The specified nextToken is invalid/,
        );

        await logs.append('/aws/a', 'job/algo-2', [{ timestamp: T0 + 5, message: 'late' }]);
        await logs.append('/aws/a', 'job/algo-1', [{ timestamp: T0 + 1, message: 'early' }]);
        const byTime = await logs.describeLogStreams({ group: '/aws/a', orderBy: 'LastEventTime', descending: true, limit: 1 });
        assert.deepEqual(
          byTime.items.map((s) => [s.name, s.lastEventTimestamp]),
          [['job/algo-2', T0 + 5]],
        );
        const next = await logs.describeLogStreams({
          group: '/aws/a',
          orderBy: 'LastEventTime',
          descending: true,
          limit: 5,
          ...(byTime.nextToken ? { nextToken: byTime.nextToken } : {}),
        });
        assert.deepEqual(
          next.items.map((s) => s.name),
          ['job/algo-1', 'other/x', 'job/algo-3'],
        );

        await logs.deleteLogStream('/aws/a', 'job/algo-2');
        assert.equal(await code(logs.deleteLogStream('/aws/a', 'job/algo-2')), 'ResourceNotFoundException: The specified log stream does not exist.');
        await logs.deleteLogGroup('/aws/a');
        assert.equal(await code(logs.deleteLogGroup('/aws/a')), 'ResourceNotFoundException: The specified log group does not exist.');
      }));

    test('append creates what is missing; GetLogEvents pages forward to an empty page and back', () =>
      withService(async (logs) => {
        const events = Array.from({ length: 25 }, (_, i) => ({ timestamp: T0 + Math.floor(i / 5), message: `line ${i}` }));
        await logs.append('/aws/sagemaker/TrainingJobs', 'job/algo-1-1', events.slice(0, 10));
        await logs.append('/aws/sagemaker/TrainingJobs', 'job/algo-1-1', events.slice(10));
        const stream = (await logs.describeLogStreams({ group: '/aws/sagemaker/TrainingJobs' })).items[0];
        assert.equal(stream?.firstEventTimestamp, T0);
        assert.equal(stream?.lastEventTimestamp, T0 + 4);
        assert.equal(stream?.lastIngestionTime, clock);

        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await logs.getLogEvents({
            group: '/aws/sagemaker/TrainingJobs',
            stream: 'job/algo-1-1',
            startFromHead: true,
            startTime: T0 + 1,
            limit: 7,
            ...(token ? { nextToken: token } : {}),
          });
          pages++;
          if (page.events.length === 0) {
            assert.equal(page.nextForwardToken, token, 'an empty page keeps the forward token');
            break;
          }
          seen.push(...page.events.map((e) => e.message));
          token = page.nextForwardToken;
        }
        assert.deepEqual(
          seen,
          events.slice(5).map((e) => e.message),
        );
        assert.equal(pages, 4);

        await logs.append('/aws/sagemaker/TrainingJobs', 'job/algo-1-1', [{ timestamp: T0 + 9, message: 'more' }]);
        const more = await logs.getLogEvents({ group: '/aws/sagemaker/TrainingJobs', stream: 'job/algo-1-1', ...(token ? { nextToken: token } : {}) });
        assert.deepEqual(
          more.events.map((e) => e.message),
          ['more'],
        );

        const tail = await logs.getLogEvents({ group: '/aws/sagemaker/TrainingJobs', stream: 'job/algo-1-1', limit: 3 });
        assert.deepEqual(
          tail.events.map((e) => e.message),
          ['line 23', 'line 24', 'more'],
        );
        const before = await logs.getLogEvents({ group: '/aws/sagemaker/TrainingJobs', stream: 'job/algo-1-1', limit: 3, nextToken: tail.nextBackwardToken });
        assert.deepEqual(
          before.events.map((e) => e.message),
          ['line 20', 'line 21', 'line 22'],
        );
        const window = await logs.getLogEvents({
          group: '/aws/sagemaker/TrainingJobs',
          stream: 'job/algo-1-1',
          startFromHead: true,
          startTime: T0 + 1,
          endTime: T0 + 2,
        });
        assert.equal(window.events.length, 5);

        assert.equal(
          await code(logs.getLogEvents({ group: '/aws/sagemaker/TrainingJobs', stream: 'nope' })),
          'ResourceNotFoundException: The specified log stream does not exist.',
        );
        assert.equal(await code(logs.getLogEvents({ group: '/nope', stream: 'nope' })), 'ResourceNotFoundException: The specified log group does not exist.');
        const empty = await logs.getLogEvents({ group: '/aws/sagemaker/TrainingJobs', stream: 'job/algo-1-1', startTime: T0 + 100, startFromHead: true });
        assert.deepEqual(empty.events, []);
        assert.ok(empty.nextForwardToken.startsWith('f/') && empty.nextBackwardToken.startsWith('b/'));
      }));

    test('FilterLogEvents: interleaved, patterns, streams, paging without a token on the last page', () =>
      withService(async (logs) => {
        await logs.append('/g', 'a/1', [
          { timestamp: T0 + 1, message: 'INFO start' },
          { timestamp: T0 + 3, message: 'ERROR disk full' },
          { timestamp: T0 + 5, message: 'INFO epoch done' },
        ]);
        await logs.append('/g', 'b/1', [
          { timestamp: T0 + 2, message: 'WARN slow step' },
          { timestamp: T0 + 4, message: 'ERROR out of memory' },
        ]);
        const all = await logs.filterLogEvents({ group: '/g' });
        assert.deepEqual(
          all.events.map((e) => e.timestamp - T0),
          [1, 2, 3, 4, 5],
        );
        assert.equal(all.nextToken, undefined);
        assert.deepEqual(
          all.searchedLogStreams.map((s) => s.logStreamName),
          ['a/1', 'b/1'],
        );
        const messages = async (q: object): Promise<string[]> => (await logs.filterLogEvents({ group: '/g', ...q })).events.map((e) => e.message);
        assert.deepEqual(await messages({ filterPattern: 'ERROR' }), ['ERROR disk full', 'ERROR out of memory']);
        assert.deepEqual(await messages({ filterPattern: '"out of memory"' }), ['ERROR out of memory']);
        assert.deepEqual(await messages({ filterPattern: '?WARN ?disk' }), ['WARN slow step', 'ERROR disk full']);
        assert.deepEqual(await messages({ filterPattern: 'INFO -start' }), ['INFO epoch done']);
        assert.deepEqual(await messages({ filterPattern: 'error' }), []);
        assert.deepEqual(await messages({ streamPrefix: 'b/' }), ['WARN slow step', 'ERROR out of memory']);
        assert.deepEqual(await messages({ streamNames: ['a/1'], startTime: T0 + 3, endTime: T0 + 5 }), ['ERROR disk full', 'INFO epoch done']);
        assert.match(await code(logs.filterLogEvents({ group: '/g', filterPattern: '{ $.x = 1 }' })), /^InvalidParameterException/);

        const paged: string[] = [];
        let token: string | undefined;
        let calls = 0;
        do {
          const page = await logs.filterLogEvents({ group: '/g', filterPattern: 'ERROR', limit: 1, ...(token ? { nextToken: token } : {}) });
          paged.push(...page.events.map((e) => e.message));
          token = page.nextToken;
          calls++;
        } while (token);
        assert.deepEqual(paged, ['ERROR disk full', 'ERROR out of memory']);
        assert.equal(calls, 2);
      }));

    test('PutLogEvents rules and a large append in one call', () =>
      withService(async (logs) => {
        clock = Date.now();
        await logs.createLogGroup('/p');
        assert.equal(
          await code(logs.putLogEvents('/p', 's', [{ timestamp: clock, message: 'x' }])),
          'ResourceNotFoundException: The specified log stream does not exist.',
        );
        await logs.createLogStream('/p', 's');
        assert.match(
          await code(
            logs.putLogEvents('/p', 's', [
              { timestamp: clock, message: 'b' },
              { timestamp: clock - 1, message: 'a' },
            ]),
          ),
          /chronological order/,
        );
        const rejected = await logs.putLogEvents('/p', 's', [
          { timestamp: clock - 14 * 86_400_000 - 3_600_000, message: 'old' },
          { timestamp: clock - 14 * 86_400_000 + 3_600_000, message: 'kept' },
        ]);
        assert.deepEqual(rejected, { tooOldLogEventEndIndex: 1 });
        const many = Array.from({ length: 20_000 }, (_, i) => ({ timestamp: clock + i, message: `step ${i} loss=0.${i}` }));
        const started = Date.now();
        await logs.append('/p', 's', many);
        assert.ok(Date.now() - started < 5_000, 'appending 20 000 events takes well under 5 s');
        const page = await logs.getLogEvents({ group: '/p', stream: 's', startFromHead: true });
        assert.equal(page.events.length, 10_000);
        assert.deepEqual(
          page.events.slice(0, 2).map((e) => e.message),
          ['kept', 'step 0 loss=0.0'],
        );
      }));
  });
}

logSuite('SQLite', sqliteTarget);

describe('PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  logSuite('PostgreSQL', async () => postgresTarget(await (await sharedPostgres()).createDatabase()));
});
