import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRecord } from '../api/sagemaker/wire-records.js';
import type { ContainerRecord, ModelRecord } from '../models/index.js';
import { hostedContainers } from './deployment-plan.js';

function model(container: Record<string, unknown>): ModelRecord {
  const primaryContainer = toRecord<ContainerRecord>('ContainerDefinition', container);
  return {
    name: 'm',
    arn: 'arn:aws:sagemaker:us-east-1:000000000000:model/m',
    creationTime: 0,
    enableNetworkIsolation: false,
    ...(primaryContainer ? { primaryContainer } : {}),
  };
}

describe('hostedContainers', () => {
  it("passes a multi-model container's MultiModelConfig.ModelCacheSetting to hosting", () => {
    const [disabled] = hostedContainers(
      model({ Image: 'kmeans', Mode: 'MultiModel', ModelDataUrl: 's3://b/models/', MultiModelConfig: { ModelCacheSetting: 'Disabled' } }),
    );
    assert.equal(disabled?.mode, 'MultiModel');
    assert.equal(disabled?.modelCacheSetting, 'Disabled');
    const [plain] = hostedContainers(model({ Image: 'kmeans', Mode: 'MultiModel', ModelDataUrl: 's3://b/models/' }));
    assert.equal(plain?.modelCacheSetting, undefined);
  });

  it('refuses a model without an image', () => {
    assert.throws(() => hostedContainers(model({ ModelDataUrl: 's3://b/m.tar.gz' })), /has no Image/);
  });
});
