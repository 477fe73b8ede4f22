import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRecord, toWire } from './wire-records.js';

describe('wire records', () => {
  it('camel-case structure members at every level but leave map keys alone', () => {
    const wire = {
      Image: 'img',
      Environment: { SAGEMAKER_PROGRAM: 'train.py', lower: 'x' },
      ModelDataSource: { S3DataSource: { S3Uri: 's3://b/k/', S3DataType: 'S3Prefix', CompressionType: 'None' } },
      Unmodelled: 1,
    };
    const record = toRecord<Record<string, unknown>>('ContainerDefinition', wire);
    assert.deepEqual(record, {
      image: 'img',
      environment: { SAGEMAKER_PROGRAM: 'train.py', lower: 'x' },
      modelDataSource: { s3DataSource: { s3Uri: 's3://b/k/', s3DataType: 'S3Prefix', compressionType: 'None' } },
    });
    const { Unmodelled: _dropped, ...modelled } = wire;
    assert.deepEqual(toWire('ContainerDefinition', record), modelled);
  });

  it('pass undefined through', () => {
    assert.equal(toRecord('ContainerDefinition', undefined), undefined);
  });
});
