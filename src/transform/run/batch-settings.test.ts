import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostedContainer } from '../../hosting/index.js';
import type { TransformJobSpec } from '../transform-runner.js';
import { assembled } from './assemble.js';
import { batchContainers } from './batch-containers.js';
import { batchSettings, parseExecutionParameters, settingsLine } from './batch-settings.js';
import { outputLocation } from './output-location.js';

describe('batch settings', () => {
  it('takes each setting from the request, else /execution-parameters, else 1 / MultiRecord / 6', () => {
    assert.deepEqual(batchSettings({}, {}), { maxConcurrentTransforms: 1, batchStrategy: 'MultiRecord', maxPayloadInMB: 6 });
    const params = parseExecutionParameters(Buffer.from('{"MaxConcurrentTransforms":8,"BatchStrategy":"SINGLE_RECORD","MaxPayloadInMB":2}'));
    assert.deepEqual(batchSettings({}, params), { maxConcurrentTransforms: 8, batchStrategy: 'SingleRecord', maxPayloadInMB: 2 });
    assert.deepEqual(batchSettings({ MaxConcurrentTransforms: 3, BatchStrategy: 'MultiRecord', MaxPayloadInMB: 0 }, params), {
      maxConcurrentTransforms: 3,
      batchStrategy: 'MultiRecord',
      maxPayloadInMB: 0,
    });
  });

  it('ignores invalid or unparsable execution parameters', () => {
    assert.deepEqual(parseExecutionParameters(Buffer.from('not json')), {});
    assert.deepEqual(parseExecutionParameters(Buffer.from('[1]')), {});
    assert.deepEqual(parseExecutionParameters(Buffer.from('{"MaxConcurrentTransforms":0,"BatchStrategy":"ALL","MaxPayloadInMB":101}')), {});
    assert.deepEqual(parseExecutionParameters(Buffer.from('{"MaxConcurrentTransforms":2.5,"BatchStrategy":"MULTI_RECORD"}')), { BatchStrategy: 'MultiRecord' });
  });

  it('writes the data-log settings line as SageMaker does', () => {
    assert.equal(
      settingsLine({ maxConcurrentTransforms: 4, batchStrategy: 'SingleRecord', maxPayloadInMB: 6 }),
      'MaxConcurrentTransforms=4, MaxPayloadInMB=6, BatchStrategy=SINGLE_RECORD',
    );
  });
});

describe('batchContainers', () => {
  const spec = (extra: Partial<TransformJobSpec>): TransformJobSpec => ({
    ModelName: 'm',
    TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/in/' } } },
    TransformOutput: { S3OutputPath: 's3://b/out' },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    ...extra,
  });
  const model: HostedContainer = { image: 'i', environment: { A: 'model', B: 'model' }, mode: 'SingleModel' };

  it('adds the job Environment (winning) and SAGEMAKER_BATCH; the batch settings only when the request set them', () => {
    assert.deepEqual(batchContainers([model], spec({ Environment: { B: 'job' } }))[0]?.environment, { A: 'model', B: 'job', SAGEMAKER_BATCH: 'true' });
    assert.deepEqual(batchContainers([model], spec({ MaxPayloadInMB: 0, BatchStrategy: 'SingleRecord', MaxConcurrentTransforms: 2 }))[0]?.environment, {
      A: 'model',
      B: 'model',
      SAGEMAKER_BATCH: 'true',
      SAGEMAKER_MAX_PAYLOAD_IN_MB: '0',
      SAGEMAKER_BATCH_STRATEGY: 'SINGLE_RECORD',
      SAGEMAKER_MAX_CONCURRENT_TRANSFORMS: '2',
    });
    assert.deepEqual(model.environment, { A: 'model', B: 'model' }, 'the model is not changed');
    assert.equal(
      batchContainers([model], spec({ MaxConcurrentTransforms: 0 }))[0]?.environment['SAGEMAKER_MAX_CONCURRENT_TRANSFORMS'],
      undefined,
      '0 means unset',
    );
  });
});

describe('outputLocation and assembled', () => {
  it('puts <relative path>.out under S3OutputPath, with or without its trailing slash', () => {
    assert.deepEqual(outputLocation('s3://out/results', 'sub/x.csv'), { bucket: 'out', key: 'results/sub/x.csv.out' });
    assert.deepEqual(outputLocation('s3://out/results/', 'x.csv'), { bucket: 'out', key: 'results/x.csv.out' });
    assert.deepEqual(outputLocation('s3://out', 'x.csv'), { bucket: 'out', key: 'x.csv.out' });
  });

  it('appends a newline for AssembleWith Line unless the output ends with one', () => {
    assert.equal(Buffer.concat(assembled(Buffer.from('a'), 'Line')).toString(), 'a\n');
    assert.equal(Buffer.concat(assembled(Buffer.from('a\n'), 'Line')).toString(), 'a\n');
    assert.equal(Buffer.concat(assembled(Buffer.from(''), 'Line')).toString(), '\n');
    assert.equal(Buffer.concat(assembled(Buffer.from('a'), 'None')).toString(), 'a');
  });
});
