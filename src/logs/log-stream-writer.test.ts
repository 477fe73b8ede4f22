import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../store/index.js';
import { KyselyLogRepository } from '../store/repositories/logs.js';
import { sqliteTarget } from '../store/testing/index.js';
import type { StoreTarget } from '../store/store-contract.js';
import { LogService, type LogEventInput } from './log-service.js';
import { LogStreamWriter } from './log-stream-writer.js';

/** The real service, counting batches. */
class CountingLogService extends LogService {
  batches: number[] = [];
  override async append(group: string, stream: string, events: readonly LogEventInput[]): Promise<void> {
    this.batches.push(events.length);
    await super.append(group, stream, events);
  }
}

let target: StoreTarget;
let database: Database;
let clock = 1_700_000_000_000;

before(async () => {
  target = await sqliteTarget();
  database = await target.open();
});
after(async () => {
  await database.close();
  await target.dispose?.();
});

function service(): CountingLogService {
  return new CountingLogService(new KyselyLogRepository(database), { region: 'us-east-1', accountId: '000000000000', now: () => clock });
}

async function messages(logs: LogService, stream: string): Promise<string[]> {
  const page = await logs.getLogEvents({ group: '/w', stream, startFromHead: true });
  return page.events.map((e) => e.message);
}

test('process output: lines split across chunks, CRLF, a trailing partial line on close', async () => {
  const logs = service();
  const writer = new LogStreamWriter(logs, '/w', 'chunks', { now: () => clock++ });
  writer.writeChunk('epoch 1 lo');
  writer.writeChunk('ss=0.5\r\nepoch 2 loss=0.4\n\nepoch');
  await writer.flush();
  assert.deepEqual(await messages(logs, 'chunks'), ['epoch 1 loss=0.5', 'epoch 2 loss=0.4']);
  writer.writeChunk(' 3 done');
  await writer.close();
  assert.deepEqual(await messages(logs, 'chunks'), ['epoch 1 loss=0.5', 'epoch 2 loss=0.4', 'epoch 3 done']);
  assert.throws(() => writer.write('late'), /closed/);
});

test('many lines go out in batches of maxBatch, in order', async () => {
  const logs = service();
  const writer = new LogStreamWriter(logs, '/w', 'many', { maxBatch: 1000 });
  for (let i = 0; i < 2500; i++) writer.write(`line ${i}`, clock + i);
  await writer.close();
  assert.deepEqual(logs.batches, [1000, 1000, 500]);
  const page = await logs.getLogEvents({ group: '/w', stream: 'many', startFromHead: true, limit: 3 });
  assert.deepEqual(
    page.events.map((e) => e.message),
    ['line 0', 'line 1', 'line 2'],
  );
});

test('an over-long line is split; a failed write surfaces on flush', async () => {
  const logs = service();
  const writer = new LogStreamWriter(logs, '/w', 'long', { maxMessageBytes: 10 });
  writer.write('abcdefghijklmnopqrstuvwxyz', clock);
  await writer.flush();
  assert.deepEqual(await messages(logs, 'long'), ['abcdefghij', 'klmnopqrst', 'uvwxyz']);
  writer.write('bad timestamp', -5);
  await assert.rejects(writer.flush(), /timestamp -5/);
  await writer.close();
});
