import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finalStatus, finish } from './status.js';
import type { TransformJobRecord } from './transform-job-record.js';

const record: TransformJobRecord = {
  name: 'j',
  arn: 'arn:aws:sagemaker:us-east-1:000000000000:transform-job/j',
  creationTime: 1000,
  lastModifiedTime: 1000,
  status: 'InProgress',
  transformStartTime: 2000,
  spec: {
    ModelName: 'm',
    TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/in' } } },
    TransformOutput: { S3OutputPath: 's3://b/out' },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
  },
};

describe('transform status', () => {
  it('maps every outcome to a final status', () => {
    assert.deepEqual(finalStatus({ kind: 'completed' }, false), { status: 'Completed' });
    assert.deepEqual(finalStatus({ kind: 'completed' }, true), { status: 'Stopped' });
    assert.deepEqual(finalStatus({ kind: 'stopped' }, false), { status: 'Stopped' });
    assert.deepEqual(finalStatus({ kind: 'failed', reason: 'ClientError: in/a.csv: model answered 500' }, false), {
      status: 'Failed',
      failureReason: 'ClientError: in/a.csv: model answered 500',
    });
    assert.equal(finalStatus({ kind: 'failed', reason: 'x'.repeat(5000) }, false).failureReason?.length, 1024);
  });

  it('finish sets the end time and drops a reason left from an earlier run', () => {
    const ended = finish({ ...record, failureReason: 'old' }, { kind: 'completed' }, 5000);
    assert.equal(ended.status, 'Completed');
    assert.equal(ended.failureReason, undefined);
    assert.equal(ended.transformEndTime, 5000);
    assert.equal(ended.lastModifiedTime, 5000);
    assert.equal(finish({ ...record, status: 'Stopping' }, { kind: 'completed' }, 6000).status, 'Stopped');
  });
});
