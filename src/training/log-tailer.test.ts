// LogTailer over the real LogService and a real SQLite store: what it tails is read back through
// GetLogEvents, as the Logs API would serve it.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LogService, type OutputLogEvent } from '../logs/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyLogRepository } from '../store/repositories/logs.js';
import { MetricExtractor, type MetricSample } from './metrics/index.js';
import { LogTailer, TRAINING_LOG_GROUP } from './log-tailer.js';

describe('LogTailer (real LogService on SQLite)', () => {
  let dir: string;
  let database: Database;
  let logs: LogService;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-tailer-'));
    database = await openDatabase({ database: 'sqlite', dataDir: dir });
    logs = new LogService(new KyselyLogRepository(database), { region: 'us-east-1', accountId: '111122223333' });
  });
  after(async () => {
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every event of a training log stream, from the head, page by page. */
  async function streamEvents(stream: string): Promise<OutputLogEvent[]> {
    const events: OutputLogEvent[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.getLogEvents({ group: TRAINING_LOG_GROUP, stream, startFromHead: true, ...(token ? { nextToken: token } : {}) });
      if (page.events.length === 0) return events;
      events.push(...page.events);
      token = page.nextForwardToken;
    }
  }

  it('drains a backlog larger than one read on close, escapes tabs, feeds metrics, keeps timestamps', async () => {
    const file = path.join(dir, 'algo-1.log');
    const lines = Array.from({ length: 60_000 }, (_, i) => `${1_700_000_000_000 + i} line ${i}\tpadding-${'x'.repeat(60)}`);
    writeFileSync(file, lines.join('\n') + '\n' + '1700000099999 loss=0.5\n' + '1700000099999 partial');
    const extractor = new MetricExtractor([{ Name: 'loss', Regex: 'loss=([0-9.]+)' }]);
    const samples: number[] = [];
    const onSamples = (s: MetricSample[]): Promise<void> => {
      samples.push(...s.map((x) => x.value));
      return Promise.resolve();
    };
    const tailer = new LogTailer(logs, [{ file, stream: 'job/algo-1-1' }], path.join(dir, 'offsets.json'), {
      group: TRAINING_LOG_GROUP,
      metrics: { extractor, onSamples },
    });
    await tailer.close();
    const events = await streamEvents('job/algo-1-1');
    assert.equal(events.length, 60_001, 'every complete line, the partial one left for later');
    assert.equal(events[0]?.message, `line 0#011padding-${'x'.repeat(60)}`);
    assert.equal(events[0]?.timestamp, 1_700_000_000_000);
    assert.equal(events[59_999]?.message, `line 59999#011padding-${'x'.repeat(60)}`);
    assert.equal(events[60_000]?.message, 'loss=0.5');
    assert.equal(events[60_000]?.timestamp, 1_700_000_099_999);
    assert.deepEqual(samples, [0.5]);
    assert.deepEqual(
      extractor.final().map((m) => m.Value),
      [0.5],
    );
  });

  it('resumes after the saved offset (a restarted server adds only the new lines to the same stream)', async () => {
    const file = path.join(dir, 'algo-2.log');
    writeFileSync(file, '1 first\n');
    const offsets = path.join(dir, 'offsets-2.json');
    const one = new LogTailer(logs, [{ file, stream: 'job-2/algo-1-1' }], offsets, { group: TRAINING_LOG_GROUP });
    await one.poll();
    await one.flush();
    assert.deepEqual(
      (await streamEvents('job-2/algo-1-1')).map((e) => e.message),
      ['first'],
    );
    appendFileSync(file, '2 second\n');
    const two = new LogTailer(logs, [{ file, stream: 'job-2/algo-1-1' }], offsets, { group: TRAINING_LOG_GROUP });
    await two.resume();
    await two.close();
    assert.deepEqual(
      (await streamEvents('job-2/algo-1-1')).map((e) => [e.message, e.timestamp]),
      [
        ['first', 1],
        ['second', 2],
      ],
    );
  });
});
