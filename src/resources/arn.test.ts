import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResourceArn, resourceArn } from './arn.js';

describe('SageMaker ARNs', () => {
  const scope = { region: 'eu-west-1', accountId: '123456789012' };

  it('lower-case the name, as SageMaker does', () => {
    assert.equal(resourceArn(scope, 'model', 'DEMO-Model'), 'arn:aws:sagemaker:eu-west-1:123456789012:model/demo-model');
    assert.equal(resourceArn(scope, 'training-job', 'Job-1'), 'arn:aws:sagemaker:eu-west-1:123456789012:training-job/job-1');
  });

  it('parse back into type and name', () => {
    assert.deepEqual(parseResourceArn('arn:aws:sagemaker:eu-west-1:123456789012:endpoint-config/c-1'), {
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '123456789012',
      type: 'endpoint-config',
      name: 'c-1',
    });
    assert.equal(parseResourceArn('arn:aws:s3:::bucket/key'), undefined);
    assert.equal(parseResourceArn('arn:aws:sagemaker:eu-west-1:123:model/x'), undefined);
    assert.equal(parseResourceArn('not an arn'), undefined);
  });
});
