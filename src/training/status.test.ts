import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enterStatus, finalStatus, finish, isRetryable, trainingSeconds, type JobOutcome } from './status.js';
import type { TrainingJobRecord } from './training-job-record.js';

const job: TrainingJobRecord = {
  name: 'j',
  arn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/j',
  creationTime: 1000,
  lastModifiedTime: 1000,
  status: 'InProgress',
  secondaryStatus: 'Starting',
  transitions: [],
  spec: { RoleArn: 'arn:aws:iam::000000000000:role/r', OutputDataConfig: { S3OutputPath: 's3://b/o' } },
  attempt: 1,
};

describe('training status machine', () => {
  it('maps every outcome to a status, secondary status and FailureReason', () => {
    const cases: Array<[JobOutcome, string, string, string | undefined]> = [
      [{ kind: 'completed' }, 'Completed', 'Completed', undefined],
      [{ kind: 'algorithm-error', exitCode: 1, failure: 'boom' }, 'Failed', 'Failed', 'AlgorithmError: boom, exit code: 1'],
      [{ kind: 'algorithm-error', exitCode: 2 }, 'Failed', 'Failed', 'AlgorithmError: , exit code: 2'],
      [
        { kind: 'algorithm-error', exitCode: 1, failure: 'ClientError: Missing required hyperparameter: num_round' },
        'Failed',
        'Failed',
        'ClientError: Missing required hyperparameter: num_round',
      ],
      [
        { kind: 'algorithm-error', exitCode: 1, failure: 'AlgorithmError: xgboost is not importable' },
        'Failed',
        'Failed',
        'AlgorithmError: xgboost is not importable, exit code: 1',
      ],
      [{ kind: 'algorithm-error', exitCode: 1, failure: 'ClientError:no space' }, 'Failed', 'Failed', 'AlgorithmError: ClientError:no space, exit code: 1'],
      [{ kind: 'algorithm-error', exitCode: null, signal: 'SIGKILL' }, 'Failed', 'Failed', 'AlgorithmError: , exit code: killed by SIGKILL'],
      [{ kind: 'client-error', message: 'No S3 objects' }, 'Failed', 'Failed', 'ClientError: No S3 objects'],
      [{ kind: 'platform-error', message: 'disk full' }, 'Failed', 'Failed', 'InternalServerError: disk full'],
      [{ kind: 'stopped' }, 'Stopped', 'Stopped', undefined],
      [{ kind: 'max-runtime-exceeded' }, 'Stopped', 'MaxRuntimeExceeded', undefined],
    ];
    for (const [outcome, status, secondary, reason] of cases) {
      const final = finalStatus(outcome);
      assert.deepEqual([final.status, final.secondaryStatus, final.failureReason], [status, secondary, reason], outcome.kind);
      assert.ok(final.statusMessage.length > 0);
    }
    assert.match(
      finalStatus({ kind: 'supervisor-lost', whileServerDown: true }).failureReason ?? '',
      /^InternalServerError: .*while the Salvia server was down/,
    );
    assert.match(finalStatus({ kind: 'supervisor-lost', whileServerDown: false }).failureReason ?? '', /^InternalServerError: .*supervisor died/);
  });

  it('cuts FailureReason to 1024 characters', () => {
    assert.equal(finalStatus({ kind: 'algorithm-error', exitCode: 1, failure: 'x'.repeat(5000) }).failureReason?.length, 1024);
    assert.equal(finalStatus({ kind: 'algorithm-error', exitCode: 1, failure: `ClientError: ${'x'.repeat(5000)}` }).failureReason?.length, 1024);
  });

  it('retries platform failures only', () => {
    assert.equal(isRetryable({ kind: 'platform-error', message: '' }), true);
    assert.equal(isRetryable({ kind: 'client-error', message: '' }), false);
    assert.equal(isRetryable({ kind: 'algorithm-error', exitCode: 1 }), false);
  });

  it('appends transitions with messages, closing the previous one; the final one has both times', () => {
    let r = enterStatus(job, 'InProgress', 'Starting', 1000);
    r = enterStatus(r, 'InProgress', 'Downloading', 1500);
    r = { ...enterStatus(r, 'InProgress', 'Training', 2000), trainingStartTime: 2000 };
    r = enterStatus(r, 'InProgress', 'Training', 2100);
    r = finish(r, { kind: 'completed' }, 4600);
    assert.deepEqual(
      r.transitions.map((t) => [t.status, t.startTime, t.endTime]),
      [
        ['Starting', 1000, 1500],
        ['Downloading', 1500, 2000],
        ['Training', 2000, 4600],
        ['Completed', 4600, 4600],
      ],
    );
    assert.ok(r.transitions.every((t) => t.statusMessage.length > 0));
    assert.deepEqual([r.status, r.secondaryStatus, r.lastModifiedTime, r.trainingEndTime], ['Completed', 'Completed', 4600, 4600]);
    assert.equal(trainingSeconds(r), 3);
    assert.equal(trainingSeconds({ ...r, trainingEndTime: 2001 }), 1, 'billed at least one second');
    assert.equal(trainingSeconds(job), undefined);
  });
});
