import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../errors/index.js';
import { HostingError, type DeploymentPlan, type EndpointHosting } from '../hosting/endpoint-hosting.js';
import { ModelService, type ModelRecord } from '../models/index.js';
import { TagService } from '../resources/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyEndpointConfigRepository } from '../store/repositories/endpoint-configs.js';
import { KyselyEndpointRepository } from '../store/repositories/endpoints.js';
import { KyselyModelRepository } from '../store/repositories/models.js';
import { KyselyTagRepository } from '../store/repositories/tags.js';
import type { EndpointConfigRecord } from './endpoint-config-record.js';
import { EndpointConfigService } from './endpoint-config-service.js';
import type { EndpointRecord } from './endpoint-record.js';
import { EndpointService } from './endpoint-service.js';

const scope = { region: 'us-east-1', accountId: '111122223333' };
const arn = (type: string, name: string): string => `arn:aws:sagemaker:us-east-1:111122223333:${type}/${name.toLowerCase()}`;

async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AwsError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

/**
 * A data plane kept in memory: deploy succeeds unless a container's image is `broken` (HostingError)
 * and waits while `hold` names the endpoint; records every call.
 */
class InMemoryHosting implements EndpointHosting {
  readonly calls: string[] = [];
  readonly deployments = new Map<string, DeploymentPlan>();
  readonly active = new Map<string, string>();
  private readonly held = new Map<string, () => void>();
  private readonly waiting = new Map<string, () => void>();

  /** Deployments (and undeployments) of `endpoint` wait until release(endpoint); resolves when one is waiting. */
  hold(endpoint: string): Promise<void> {
    this.held.set(endpoint, () => undefined);
    return new Promise((resolve) => this.waiting.set(endpoint, resolve));
  }

  release(endpoint: string): void {
    const go = this.held.get(endpoint);
    this.held.delete(endpoint);
    go?.();
  }

  async deploy(plan: DeploymentPlan): Promise<void> {
    this.calls.push(`deploy ${plan.endpointName} ${plan.variants.map((v) => `${v.variantName}:${v.weight}x${v.instanceCount}`).join(',')}`);
    if (this.held.has(plan.endpointName)) {
      await new Promise<void>((resolve) => {
        this.held.set(plan.endpointName, resolve);
        this.waiting.get(plan.endpointName)?.();
      });
    }
    if (plan.variants.some((v) => v.containers.some((c) => c.image === 'broken'))) {
      throw new HostingError('The primary container for production variant AllTraffic did not pass the ping health check.');
    }
    this.deployments.set(`${plan.endpointName}/${plan.deploymentId}`, plan);
  }

  async activate(endpointName: string, deploymentId: string): Promise<void> {
    this.calls.push(`activate ${endpointName}`);
    const previous = this.active.get(endpointName);
    if (previous && previous !== deploymentId) this.deployments.delete(`${endpointName}/${previous}`);
    this.active.set(endpointName, deploymentId);
  }

  async undeploy(endpointName: string, deploymentId?: string): Promise<void> {
    if (this.held.has(endpointName)) {
      await new Promise<void>((resolve) => {
        this.held.set(endpointName, resolve);
        this.waiting.get(endpointName)?.();
      });
    }
    for (const key of [...this.deployments.keys()]) {
      if (key === `${endpointName}/${deploymentId ?? key.split('/')[1]}`) this.deployments.delete(key);
    }
    if (deploymentId === undefined || this.active.get(endpointName) === deploymentId) this.active.delete(endpointName);
  }

  async setWeights(endpointName: string, variants: { variantName: string; weight?: number; instanceCount?: number }[]): Promise<void> {
    this.calls.push(`weights ${endpointName} ${variants.map((v) => `${v.variantName}:${v.weight}x${v.instanceCount}`).join(',')}`);
    const plan = this.deployments.get(`${endpointName}/${this.active.get(endpointName) ?? ''}`);
    if (!plan) throw new HostingError('not active');
    plan.variants = plan.variants.map((v) => {
      const wanted = variants.find((w) => w.variantName === v.variantName);
      return wanted ? { ...v, weight: wanted.weight ?? v.weight, instanceCount: wanted.instanceCount ?? v.instanceCount } : v;
    });
  }

  describe(endpointName: string): { variantName: string; weight: number; instanceCount: number }[] | undefined {
    const plan = this.deployments.get(`${endpointName}/${this.active.get(endpointName) ?? ''}`);
    return plan?.variants.map((v) => ({ variantName: v.variantName, weight: v.weight, instanceCount: v.instanceCount }));
  }

  async close(): Promise<void> {
    for (const endpoint of [...this.held.keys()]) this.release(endpoint);
    this.deployments.clear();
    this.active.clear();
  }
}

describe('EndpointConfigService and EndpointService over SQLite', () => {
  let dir: string;
  let database: Database;
  let tags: TagService;
  let models: ModelService;
  let configs: EndpointConfigService;
  let hosting: InMemoryHosting;
  let endpoints: EndpointService;

  const build = (db: Database, host: EndpointHosting): EndpointService =>
    new EndpointService(scope, {
      repository: new KyselyEndpointRepository<EndpointRecord>(db),
      tags,
      configs: (name) => configs.describe(name),
      models: (name) => models.describe(name),
      hosting: host,
    });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-endpoints-'));
    database = await openDatabase({ database: 'sqlite', dataDir: dir });
    tags = new TagService(new KyselyTagRepository(database));
    models = new ModelService(scope, { repository: new KyselyModelRepository<ModelRecord>(database), tags });
    configs = new EndpointConfigService(scope, {
      repository: new KyselyEndpointConfigRepository<EndpointConfigRecord>(database),
      tags,
      models: (name) => models.describe(name),
    });
    hosting = new InMemoryHosting();
    endpoints = build(database, hosting);
    await models.create({ name: 'm1', primaryContainer: { image: 'img:1', environment: { A: '1' } }, enableNetworkIsolation: false });
    await models.create({ name: 'm2', primaryContainer: { image: 'img:2' }, enableNetworkIsolation: false });
    await models.create({
      name: 'mme',
      primaryContainer: { image: 'img:1', mode: 'MultiModel', modelDataUrl: 's3://b/models/' },
      enableNetworkIsolation: false,
    });
    await models.create({ name: 'broken', primaryContainer: { image: 'broken' }, enableNetworkIsolation: false });
    await models.create({ name: 'pipeline', containers: [{ image: 'pre' }, { image: 'img:2', containerHostname: 'main' }], enableNetworkIsolation: false });
  });
  after(async () => {
    await endpoints.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const variant = (modelName: string, extra: Record<string, unknown> = {}) => ({
    variantName: 'AllTraffic',
    modelName,
    instanceType: 'ml.m5.large',
    initialInstanceCount: 1,
    ...extra,
  });

  it('creates configurations with defaults and refuses what SageMaker refuses', async () => {
    const created = await configs.create({ name: 'Cfg-1', productionVariants: [variant('m1')], kmsKeyId: 'k' }, [{ key: 'team', value: 'ml' }]);
    assert.equal(created.arn, arn('endpoint-config', 'cfg-1'));
    assert.deepEqual(created.productionVariants, [{ ...variant('m1'), initialVariantWeight: 1 }]);
    assert.deepEqual(await configs.describe('CFG-1'), created);
    assert.deepEqual((await tags.list(created.arn, 50)).items, [{ key: 'team', value: 'ml' }]);
    await rejectsWith(
      configs.create({ name: 'cfg-1', productionVariants: [variant('m1')] }),
      'ValidationException',
      `Cannot create already existing endpoint configuration "${arn('endpoint-config', 'cfg-1')}".`,
    );
    await rejectsWith(
      configs.create({ name: 'c', productionVariants: [variant('ghost')] }),
      'ValidationException',
      `Could not find model "${arn('model', 'ghost')}".`,
    );
    await rejectsWith(
      configs.create({ name: 'c', productionVariants: [variant('m1'), variant('m2')] }),
      'ValidationException',
      'The variant name "AllTraffic" was non-unique within the request.',
    );
    await rejectsWith(
      configs.create({ name: 'c', productionVariants: [variant('mme', { instanceType: 'ml.g4dn.xlarge' })] }),
      'ValidationException',
      'MultiModel mode is not supported for instance type ml.g4dn.xlarge.',
    );
    await rejectsWith(
      configs.create({ name: 'c', productionVariants: [{ variantName: 'v', modelName: 'm1', initialInstanceCount: 1 }] }),
      'ValidationException',
      "1 validation error detected: Value null at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must not be null",
    );
    await rejectsWith(configs.describe('c'), 'ValidationException', `Could not find endpoint configuration "${arn('endpoint-config', 'c')}".`);
  });

  it('Creating → InService once hosting deployed and activated it; describe shows current and desired values', async () => {
    await configs.create({
      name: 'two',
      productionVariants: [variant('m1', { initialVariantWeight: 3 }), variant('pipeline', { variantName: 'B', initialInstanceCount: 2 })],
    });
    const deploying = hosting.hold('Ep-1');
    const created = await endpoints.create('Ep-1', 'two', {}, [{ key: 'k', value: 'v' }]);
    assert.equal(created.status, 'Creating');
    await deploying;
    const creating = await endpoints.describe('ep-1');
    assert.equal(creating.record.status, 'Creating');
    assert.equal(creating.productionVariants, undefined);
    hosting.release('Ep-1');
    await endpoints.idle();
    const view = await endpoints.describe('EP-1');
    assert.equal(view.record.status, 'InService');
    assert.equal(view.record.deployment.endpointConfigName, 'two');
    assert.deepEqual(
      view.productionVariants?.map((v) => [
        v.variantName,
        v.deployedImages.map((i) => i.specifiedImage),
        v.currentWeight,
        v.desiredWeight,
        v.currentInstanceCount,
        v.desiredInstanceCount,
      ]),
      [
        ['AllTraffic', ['img:1'], 3, 3, 1, 1],
        ['B', ['pre', 'img:2'], 1, 1, 2, 2],
      ],
    );
    const plan = [...hosting.deployments.values()].find((p) => p.endpointName === 'Ep-1');
    assert.deepEqual(plan?.variants[1]?.containers, [
      { image: 'pre', environment: {}, mode: 'SingleModel' },
      { image: 'img:2', environment: {}, mode: 'SingleModel', containerHostname: 'main' },
    ]);
    assert.deepEqual((await tags.list(arn('endpoint', 'ep-1'), 50)).items, [{ key: 'k', value: 'v' }]);
    await rejectsWith(endpoints.create('ep-1', 'two'), 'ValidationException', `Cannot create already existing endpoint "${arn('endpoint', 'ep-1')}".`);
    await rejectsWith(endpoints.create('ep-x', 'nope'), 'ValidationException', `Could not find endpoint configuration "${arn('endpoint-config', 'nope')}".`);
  });

  it('a deployment hosting refuses leaves the endpoint Failed with its reason; it cannot be updated, only deleted', async () => {
    await configs.create({ name: 'bad', productionVariants: [variant('broken')] });
    await endpoints.create('ep-bad', 'bad');
    await endpoints.idle();
    const view = await endpoints.describe('ep-bad');
    assert.equal(view.record.status, 'Failed');
    assert.equal(view.record.failureReason, 'The primary container for production variant AllTraffic did not pass the ping health check.');
    await rejectsWith(endpoints.update('ep-bad', 'two'), 'ValidationException', `Cannot update failed endpoint "${arn('endpoint', 'ep-bad')}".`);
    await endpoints.delete('ep-bad');
    await endpoints.idle();
    await rejectsWith(endpoints.describe('ep-bad'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'ep-bad')}".`);
  });

  it('UpdateEndpoint: Updating with a pending deployment, then InService on the new config; a failing update rolls back with FailureReason', async () => {
    await configs.create({ name: 'next', productionVariants: [variant('m2', { initialVariantWeight: 5, initialInstanceCount: 4 })] });
    const deploying = hosting.hold('Ep-1');
    await endpoints.update('ep-1', 'next', { retainAllVariantProperties: true, excludeRetainedVariantProperties: ['DesiredWeight'] });
    await deploying;
    const updating = await endpoints.describe('ep-1');
    assert.equal(updating.record.status, 'Updating');
    assert.equal(updating.pending?.endpointConfigName, 'next');
    // Retained: the instance count of the running AllTraffic variant (1), not the weight.
    assert.deepEqual(
      updating.pending?.productionVariants.map((v) => [v.variantName, v.desiredWeight, v.desiredInstanceCount, v.instanceType]),
      [['AllTraffic', 5, 1, 'ml.m5.large']],
    );
    await rejectsWith(endpoints.update('ep-1', 'next'), 'ValidationException', `Cannot update in-progress endpoint "${arn('endpoint', 'ep-1')}".`);
    await rejectsWith(endpoints.delete('ep-1'), 'ValidationException', `Cannot update in-progress endpoint "${arn('endpoint', 'ep-1')}".`);
    hosting.release('Ep-1');
    await endpoints.idle();
    const updated = await endpoints.describe('ep-1');
    assert.equal(updated.record.status, 'InService');
    assert.equal(updated.record.deployment.endpointConfigName, 'next');
    assert.equal(updated.pending, undefined);
    assert.deepEqual(
      updated.productionVariants?.map((v) => v.deployedImages[0]?.specifiedImage),
      ['img:2'],
    );

    await endpoints.update('ep-1', 'bad');
    await endpoints.idle();
    const rolledBack = await endpoints.describe('ep-1');
    assert.equal(rolledBack.record.status, 'InService');
    assert.equal(rolledBack.record.deployment.endpointConfigName, 'next');
    assert.match(rolledBack.record.failureReason ?? '', /did not pass the ping health check/);
    assert.equal(hosting.active.has('Ep-1'), true);
  });

  it('UpdateEndpointWeightsAndCapacities applies through hosting; unknown and repeated variants are refused', async () => {
    await rejectsWith(
      endpoints.updateWeights('ep-1', [{ variantName: 'nope', weight: 1 }]),
      'ValidationException',
      'The variant name(s) "nope" is/are not present within endpoint configuration "next".',
    );
    await rejectsWith(
      endpoints.updateWeights('ep-1', [
        { variantName: 'AllTraffic', weight: 1 },
        { variantName: 'AllTraffic', weight: 2 },
      ]),
      'ValidationException',
      'The variant name "AllTraffic" was non-unique within the request.',
    );
    const updating = await endpoints.updateWeights('ep-1', [{ variantName: 'AllTraffic', instanceCount: 3 }]);
    assert.equal(updating.status, 'Updating');
    await endpoints.idle();
    const view = await endpoints.describe('ep-1');
    assert.equal(view.record.status, 'InService');
    assert.equal(view.record.failureReason, undefined);
    assert.deepEqual(
      view.productionVariants?.map((v) => [v.currentInstanceCount, v.desiredInstanceCount, v.currentWeight]),
      [[3, 3, 5]],
    );
    assert.ok(hosting.calls.includes('weights Ep-1 AllTraffic:undefinedx3'));
  });

  it('deleting the model and the configuration in use changes nothing; a restart re-deploys the stored plan (SystemUpdating → InService)', async () => {
    await models.delete('m2');
    await configs.delete('next');
    const restarted = new InMemoryHosting();
    const again = build(database, restarted);
    await again.start();
    assert.equal((await again.describe('ep-1')).record.status === 'SystemUpdating' || (await again.describe('ep-1')).record.status === 'InService', true);
    await again.idle();
    const view = await again.describe('ep-1');
    assert.equal(view.record.status, 'InService');
    assert.deepEqual(
      restarted.calls.filter((c) => c.startsWith('deploy Ep-1')),
      ['deploy Ep-1 AllTraffic:5x3'],
    );
    await rejectsWith(again.create('ep-2', 'next'), 'ValidationException', `Could not find endpoint configuration "${arn('endpoint-config', 'next')}".`);
  });

  it('DeleteEndpoint: Deleting, then gone with its tags; unknown endpoints answer Could not find endpoint', async () => {
    const stopping = hosting.hold('Ep-1');
    await endpoints.delete('EP-1');
    await stopping;
    assert.equal((await endpoints.describe('ep-1')).record.status, 'Deleting');
    await rejectsWith(endpoints.delete('ep-1'), 'ValidationException', `Cannot update in-progress endpoint "${arn('endpoint', 'ep-1')}".`);
    hosting.release('Ep-1');
    await endpoints.idle();
    await rejectsWith(endpoints.describe('ep-1'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'ep-1')}".`);
    await rejectsWith(endpoints.delete('ep-1'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'ep-1')}".`);
    await rejectsWith(endpoints.update('ep-1', 'two'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'ep-1')}".`);
    assert.deepEqual(await new KyselyTagRepository(database).list(arn('endpoint', 'ep-1')), []);
    assert.equal(hosting.active.has('Ep-1'), false);
  });
});

describe('EndpointService after a server restart', () => {
  it('resumes Creating, Updating and Deleting endpoints left by the previous process', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'salvia-endpoints-restart-'));
    const database = await openDatabase({ database: 'sqlite', dataDir: dir });
    try {
      const tags = new TagService(new KyselyTagRepository(database));
      const models = new ModelService(scope, { repository: new KyselyModelRepository<ModelRecord>(database), tags });
      const configs = new EndpointConfigService(scope, {
        repository: new KyselyEndpointConfigRepository<EndpointConfigRecord>(database),
        tags,
        models: (name) => models.describe(name),
      });
      const build = (hosting: EndpointHosting): EndpointService =>
        new EndpointService(scope, {
          repository: new KyselyEndpointRepository<EndpointRecord>(database),
          tags,
          configs: (name) => configs.describe(name),
          models: (name) => models.describe(name),
          hosting,
        });
      await models.create({ name: 'm', primaryContainer: { image: 'img:1' }, enableNetworkIsolation: false });
      await models.create({ name: 'm2', primaryContainer: { image: 'img:2' }, enableNetworkIsolation: false });
      const one = { variantName: 'AllTraffic', instanceType: 'ml.m5.large', initialInstanceCount: 1 };
      await configs.create({ name: 'c1', productionVariants: [{ ...one, modelName: 'm' }] });
      await configs.create({ name: 'c2', productionVariants: [{ ...one, modelName: 'm2' }] });

      const first = new InMemoryHosting();
      const before = build(first);
      await before.create('u', 'c1');
      await before.create('d', 'c1');
      await before.idle();
      const held = [first.hold('c'), first.hold('u'), first.hold('d')];
      await before.create('c', 'c1');
      await before.update('u', 'c2');
      await before.delete('d');
      await Promise.all(held);
      await before.close(); // the process ends mid-operation: nothing more is recorded
      const status = async (name: string): Promise<string> => (await before.describe(name)).record.status;
      assert.deepEqual([await status('c'), await status('u'), await status('d')], ['Creating', 'Updating', 'Deleting']);

      const second = new InMemoryHosting();
      const after = build(second);
      await after.start();
      await after.idle();
      assert.equal((await after.describe('c')).record.status, 'InService');
      const updated = await after.describe('u');
      assert.deepEqual([updated.record.status, updated.record.deployment.endpointConfigName, updated.pending], ['InService', 'c2', undefined]);
      await rejectsWith(after.describe('d'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'd')}".`);
      assert.deepEqual(second.calls.filter((c) => c.startsWith('deploy')).sort(), [
        'deploy c AllTraffic:1x1',
        'deploy u AllTraffic:1x1',
        'deploy u AllTraffic:1x1',
      ]);
      assert.deepEqual([...second.active.keys()].sort(), ['c', 'u']);
      await after.close();
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
