import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { LogAppender, LogEventInput } from '../logs/index.js';
import { MetricExtractor } from './metrics/index.js';
import { LogTailer } from './log-tailer.js';

/** A LogAppender that keeps what it is given (the port, not a stand-in for LogService's logic). */
class CollectingAppender implements LogAppender {
  readonly events: Array<LogEventInput & { stream: string }> = [];
  append(_group: string, stream: string, events: readonly LogEventInput[]): Promise<void> {
    this.events.push(...events.map((e) => ({ ...e, stream })));
    return Promise.resolve();
  }
}

describe('LogTailer', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'salvia-tailer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('drains a backlog larger than one read on close, escapes tabs, feeds metrics, keeps timestamps', async () => {
    const file = path.join(dir, 'algo-1.log');
    const lines = Array.from({ length: 60_000 }, (_, i) => `${1_700_000_000_000 + i} line ${i}\tpadding-${'x'.repeat(60)}`);
    writeFileSync(file, lines.join('\n') + '\n' + '1700000099999 loss=0.5\n' + '1700000099999 partial');
    const appender = new CollectingAppender();
    const extractor = new MetricExtractor([{ Name: 'loss', Regex: 'loss=([0-9.]+)' }]);
    const samples: number[] = [];
    const tailer = new LogTailer(appender, [{ file, stream: 'job/algo-1-1' }], path.join(dir, 'offsets.json'), extractor, (s) => {
      samples.push(...s.map((x) => x.value));
      return Promise.resolve();
    });
    await tailer.close();
    assert.equal(appender.events.length, 60_001, 'every complete line, the partial one left for later');
    assert.equal(appender.events[0]?.message, `line 0#011padding-${'x'.repeat(60)}`);
    assert.equal(appender.events[0]?.timestamp, 1_700_000_000_000);
    assert.equal(appender.events[60_000]?.message, 'loss=0.5');
    assert.deepEqual(samples, [0.5]);
    assert.deepEqual(
      extractor.final().map((m) => m.Value),
      [0.5],
    );
  });

  it('resumes after the saved offset', async () => {
    const file = path.join(dir, 'algo-2.log');
    writeFileSync(file, '1 first\n');
    const offsets = path.join(dir, 'offsets-2.json');
    const first = new CollectingAppender();
    const one = new LogTailer(first, [{ file, stream: 's' }], offsets, new MetricExtractor([]), () => Promise.resolve());
    await one.poll();
    await one.flush();
    appendFileSync(file, '2 second\n');
    const second = new CollectingAppender();
    const two = new LogTailer(second, [{ file, stream: 's' }], offsets, new MetricExtractor([]), () => Promise.resolve());
    await two.resume();
    await two.close();
    assert.deepEqual(
      first.events.map((e) => e.message),
      ['first'],
    );
    assert.deepEqual(
      second.events.map((e) => [e.message, e.timestamp]),
      [['second', 2]],
    );
  });
});
