import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readExitMessages } from './exit-message.js';
import type { ProcessingJobRecord } from './processing-job-record.js';
import { finishProcessing, processingOutcome } from './status.js';

const record: ProcessingJobRecord = {
  name: 'j',
  arn: 'arn',
  creationTime: 1,
  lastModifiedTime: 1,
  status: 'InProgress',
  spec: {} as ProcessingJobRecord['spec'],
};

describe('processing job status', () => {
  it('fails a non-zero exit with the tail of the failing host ExitMessage and the exit code', () => {
    const outcome = processingOutcome({ kind: 'algorithm-error', exitCode: 3 }, 'loading\nValueError: bad row 7\n');
    const done = finishProcessing(record, outcome, 5000, 'loading\nValueError: bad row 7\n');
    assert.equal(done.status, 'Failed');
    assert.equal(done.failureReason, 'AlgorithmError: loading\nValueError: bad row 7, exit code: 3');
    assert.equal(done.exitMessage, 'loading\nValueError: bad row 7\n');
    assert.equal(done.processingEndTime, 5000);
    const long = processingOutcome({ kind: 'algorithm-error', exitCode: 1 }, `${'x'.repeat(2000)}END`);
    assert.match(finishProcessing(record, long, 1, undefined).failureReason ?? '', /^AlgorithmError: …x+END, exit code: 1$/);
  });

  it('names the signal of a killed container, and maps completion and stop', () => {
    const killed = finishProcessing(record, processingOutcome({ kind: 'algorithm-error', exitCode: null, signal: 'SIGKILL' }, undefined), 1, undefined);
    assert.equal(killed.failureReason, 'AlgorithmError: , exit code: killed by SIGKILL');
    assert.equal(finishProcessing(record, { kind: 'completed' }, 1, 'done').status, 'Completed');
    const stopped = finishProcessing({ ...record, status: 'Stopping', failureReason: 'old' }, { kind: 'stopped' }, 1, undefined);
    assert.equal(stopped.status, 'Stopped');
    assert.equal(stopped.failureReason, undefined);
  });

  it('concatenates the hosts exit messages to 1 KB and refuses non-UTF-8', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'salvia-exit-message-'));
    try {
      const dirs = ['algo-1', 'algo-2', 'algo-3'].map((h) => path.join(root, h));
      for (const dir of dirs) await mkdir(path.join(dir, 'output'), { recursive: true });
      await writeFile(path.join(dirs[0] as string, 'output', 'message'), 'one;');
      await writeFile(path.join(dirs[2] as string, 'output', 'message'), `three;${'é'.repeat(600)}`);
      const messages = await readExitMessages(dirs);
      assert.equal(messages.byInstance[1], undefined);
      assert.ok(messages.exitMessage?.startsWith('one;three;é'));
      assert.ok(Buffer.byteLength(messages.exitMessage ?? '') <= 1024);
      assert.equal(Buffer.byteLength(messages.exitMessage ?? ''), 1024 - ((1024 - 10) % 2));
      await writeFile(path.join(dirs[1] as string, 'output', 'message'), Buffer.from([0xff, 0xfe]));
      await assert.rejects(readExitMessages(dirs), /algo-2 is not UTF-8 encoded/);
      assert.deepEqual(await readExitMessages([path.join(root, 'none')]), { byInstance: [undefined] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
