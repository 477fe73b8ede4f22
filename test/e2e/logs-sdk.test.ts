import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { clientConfig, startServer, type ServerProcess } from '../helpers/server-process.js';
import { sdkErrorOf } from '../helpers/sdk-errors.js';

// CloudWatch Logs through @aws-sdk/client-cloudwatch-logs against the real server.

let server: ServerProcess;
let logs: CloudWatchLogsClient;
const group = '/aws/sagemaker/TrainingJobs';
const now = Date.now();

before(async () => {
  server = await startServer();
  logs = new CloudWatchLogsClient(clientConfig(server));
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  for (let i = 1; i <= 5; i++) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `sdk-job/algo-${i}-1700000000` }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'other-job/algo-1-1700000000' }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: 'sdk-job/algo-1-1700000000',
      logEvents: Array.from({ length: 120 }, (_, i) => ({
        timestamp: now + Math.floor(i / 4),
        message: i % 10 === 3 ? `ERROR step ${i} failed` : `INFO step ${i} loss=${(1 / (i + 1)).toFixed(4)}`,
      })),
    }),
  );
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: 'sdk-job/algo-2-1700000000',
      logEvents: [{ timestamp: now + 1, message: 'ERROR out of memory on algo-2' }],
    }),
  );
});

after(async () => {
  logs?.destroy();
  await server?.dispose();
});

test('DescribeLogGroups and DescribeLogStreams paging (never a nextToken on the last page)', async () => {
  const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/sagemaker/' }));
  assert.deepEqual(
    groups.logGroups?.map((g) => g.logGroupName),
    [group],
  );
  assert.equal(typeof groups.logGroups?.[0]?.creationTime, 'number');
  assert.ok((groups.logGroups?.[0]?.creationTime ?? 0) > 1e12, 'creationTime is in milliseconds');

  const pages: string[][] = [];
  for await (const page of paginateDescribeLogStreams(
    { client: logs, pageSize: 2 },
    { logGroupName: group, logStreamNamePrefix: 'sdk-job/', orderBy: 'LogStreamName' },
  )) {
    pages.push((page.logStreams ?? []).map((s) => s.logStreamName ?? ''));
  }
  assert.deepEqual(pages, [
    ['sdk-job/algo-1-1700000000', 'sdk-job/algo-2-1700000000'],
    ['sdk-job/algo-3-1700000000', 'sdk-job/algo-4-1700000000'],
    ['sdk-job/algo-5-1700000000'],
  ]);
  const exact = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: 'sdk-job/', limit: 5 }));
  assert.equal(exact.logStreams?.length, 5);
  assert.equal(exact.nextToken, undefined);
  const first = exact.logStreams?.[0];
  assert.equal(first?.firstEventTimestamp, now);
  assert.equal(first?.lastEventTimestamp, now + 29);
  assert.equal(first?.arn, `arn:aws:logs:us-east-1:000000000000:log-group:${group}:log-stream:sdk-job/algo-1-1700000000`);

  const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 1 }));
  assert.equal(byTime.logStreams?.[0]?.logStreamName, 'sdk-job/algo-1-1700000000');
});

test('GetLogEvents pages forward until an empty page with the same token', async () => {
  const messages: string[] = [];
  let token: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: 'sdk-job/algo-1-1700000000',
        startFromHead: true,
        startTime: now + 5,
        limit: 50,
        nextToken: token,
      }),
    );
    pages++;
    assert.ok(page.nextForwardToken?.startsWith('f/') && page.nextBackwardToken?.startsWith('b/'));
    if ((page.events ?? []).length === 0) {
      assert.equal(page.nextForwardToken, token);
      break;
    }
    for (const event of page.events ?? []) {
      assert.equal(typeof event.timestamp, 'number');
      assert.ok((event.ingestionTime ?? 0) >= now - 60_000);
      messages.push(event.message ?? '');
    }
    token = page.nextForwardToken;
  }
  assert.equal(messages.length, 100, 'events from startTime (inclusive) on: 120 - 4*5');
  assert.equal(pages, 3);
  assert.match(messages[0] ?? '', /^INFO step 20 /);

  const latest = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'sdk-job/algo-1-1700000000', limit: 2 }));
  assert.deepEqual(
    latest.events?.map((e) => e.message),
    ['INFO step 118 loss=0.0084', 'INFO step 119 loss=0.0083'],
  );
});

test('FilterLogEvents with terms and phrases, interleaved across streams, paginated', async () => {
  const errors = await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: 'sdk-job/', filterPattern: 'ERROR' }));
  assert.equal(errors.events?.length, 13);
  assert.equal(errors.nextToken, undefined);
  assert.deepEqual(
    errors.events?.slice(0, 3).map((e) => e.logStreamName?.slice(8, 14)),
    ['algo-1', 'algo-2', 'algo-1'],
    'ordered by timestamp across streams',
  );
  assert.ok(errors.events?.every((e) => e.message?.includes('ERROR') && typeof e.eventId === 'string'));
  const phrase = await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: '"out of memory"' }));
  assert.deepEqual(
    phrase.events?.map((e) => e.message),
    ['ERROR out of memory on algo-2'],
  );
  const named = await logs.send(
    new FilterLogEventsCommand({
      logGroupName: group,
      logStreamNames: ['sdk-job/algo-1-1700000000'],
      filterPattern: 'ERROR "step 1"',
      startTime: now,
      endTime: now + 29,
    }),
  );
  assert.deepEqual(
    named.events?.map((e) => e.message),
    ['ERROR step 13 failed', 'ERROR step 103 failed', 'ERROR step 113 failed'],
  );

  let collected = 0;
  let calls = 0;
  for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 5 }, { logGroupName: group, filterPattern: 'ERROR' })) {
    collected += page.events?.length ?? 0;
    calls++;
  }
  assert.equal(collected, 13);
  assert.equal(calls, 3);
});

test('errors: missing group or stream, bad parameters, duplicates', async () => {
  assert.deepEqual(await sdkErrorOf(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/no/such/group' }))), {
    name: 'ResourceNotFoundException',
    message: 'The specified log group does not exist.',
    status: 400,
  });
  assert.deepEqual(await sdkErrorOf(logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'no-such-stream' }))), {
    name: 'ResourceNotFoundException',
    message: 'The specified log stream does not exist.',
    status: 400,
  });
  const prefixByTime = await sdkErrorOf(
    logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: 'sdk-job/', orderBy: 'LastEventTime' })),
  );
  assert.equal(prefixByTime.name, 'InvalidParameterException');
  const tooMany = await sdkErrorOf(logs.send(new DescribeLogStreamsCommand({ logGroupName: group, limit: 51 })));
  assert.deepEqual(tooMany, {
    name: 'InvalidParameterException',
    message: "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
    status: 400,
  });
  assert.equal(
    (await sdkErrorOf(logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'sdk-job/algo-1-1700000000', nextToken: 'f/nonsense' })))).name,
    'InvalidParameterException',
  );
  assert.equal((await sdkErrorOf(logs.send(new CreateLogGroupCommand({ logGroupName: group })))).name, 'ResourceAlreadyExistsException');
  assert.equal(
    (await sdkErrorOf(logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'sdk-job/algo-1-1700000000' })))).name,
    'ResourceAlreadyExistsException',
  );
  const unordered = await sdkErrorOf(
    logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'other-job/algo-1-1700000000',
        logEvents: [
          { timestamp: now + 1, message: 'b' },
          { timestamp: now, message: 'a' },
        ],
      }),
    ),
  );
  assert.equal(unordered.name, 'InvalidParameterException');
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/tmp/sdk-delete' }));
  await logs.send(new DeleteLogGroupCommand({ logGroupName: '/tmp/sdk-delete' }));
  assert.equal((await sdkErrorOf(logs.send(new DeleteLogGroupCommand({ logGroupName: '/tmp/sdk-delete' })))).name, 'ResourceNotFoundException');
});
