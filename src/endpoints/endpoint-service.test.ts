// EndpointService over its real collaborators: SQLite repositories and ProcessEndpointHosting running
// model servers from test/fixtures/endpoints (`held` keeps a deployment or an undeployment in progress
// behind a file gate, so each intermediate status can be seen; `exits` never starts; `echo` serves).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../errors/index.js';
import type { DeploymentPlan, EndpointHosting } from '../hosting/endpoint-hosting.js';
import { ProcessEndpointHosting, type HostingConfig, type HostingDeps } from '../hosting/index.js';
import { ImageCatalog, RuntimeEnvironments } from '../images/index.js';
import { LogService } from '../logs/index.js';
import { ModelService, type ModelRecord } from '../models/index.js';
import { FsObjectStore } from '../objectstore/index.js';
import { TagService } from '../resources/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyEndpointConfigRepository } from '../store/repositories/endpoint-configs.js';
import { KyselyEndpointRepository } from '../store/repositories/endpoints.js';
import { KyselyImageRepository } from '../store/repositories/images.js';
import { KyselyLogRepository } from '../store/repositories/logs.js';
import { KyselyModelRepository } from '../store/repositories/models.js';
import { KyselyTagRepository } from '../store/repositories/tags.js';
import type { EndpointConfigRecord } from './endpoint-config-record.js';
import { EndpointConfigService } from './endpoint-config-service.js';
import type { EndpointRecord } from './endpoint-record.js';
import { EndpointService } from './endpoint-service.js';

const scope = { region: 'us-east-1', accountId: '111122223333' };
const arn = (type: string, name: string): string => `arn:aws:sagemaker:us-east-1:111122223333:${type}/${name.toLowerCase()}`;
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/endpoints');

async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AwsError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

/** Resolves once `condition()` holds; fails the test naming `what` after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}

/**
 * A file gate of the `held` fixture (a model's HOLD_START or HOLD_STOP): while it is shut, a model
 * server given it does not answer /ping 200 (HOLD_START) or does not exit on SIGTERM (HOLD_STOP).
 */
class Gate {
  constructor(readonly file: string) {}

  shut(): void {
    rmSync(`${this.file}.waiting`, { force: true });
    writeFileSync(this.file, '');
  }

  /** Resolves once a model server waits at the gate (it wrote `<gate>.waiting`). */
  reached(): Promise<void> {
    return until(() => existsSync(`${this.file}.waiting`), `a model server held at ${path.basename(this.file)}`);
  }

  open(): void {
    rmSync(this.file, { force: true });
  }
}

const summary = (variants: readonly { variantName: string; weight?: number; instanceCount?: number }[]): string =>
  variants.map((v) => `${v.variantName}:${v.weight}x${v.instanceCount}`).join(',');

/** The real hosting, recording the deployments and weight changes it is asked for. */
class RecordingHosting extends ProcessEndpointHosting {
  readonly calls: string[] = [];
  readonly plans: DeploymentPlan[] = [];

  override async deploy(plan: DeploymentPlan): Promise<void> {
    this.calls.push(`deploy ${plan.endpointName} ${summary(plan.variants)}`);
    this.plans.push(plan);
    await super.deploy(plan);
  }

  override async setWeights(endpointName: string, variants: { variantName: string; weight?: number; instanceCount?: number }[]): Promise<void> {
    this.calls.push(`weights ${endpointName} ${summary(variants)}`);
    await super.setWeights(endpointName, variants);
  }
}

/**
 * The data plane of a server on `dataDir`: images `held`, `echo` and `exits` registered from the
 * fixtures; returns a factory of hostings (one per server process) over the same directory.
 */
async function dataPlane(dataDir: string, database: Database): Promise<() => RecordingHosting> {
  const images = new ImageCatalog({ dataDir, python: 'python3' }, { repository: new KyselyImageRepository(database) });
  for (const fixture of ['held', 'echo', 'exits']) await images.add(fixture, path.join(fixtures, fixture));
  const deps: HostingDeps = {
    objectStore: await FsObjectStore.open(path.join(dataDir, 'objects')),
    images,
    runtimes: new RuntimeEnvironments({ dataDir, python: 'python3' }),
    logs: new LogService(new KyselyLogRepository(database), scope),
  };
  const config: HostingConfig = {
    dataDir,
    region: scope.region,
    accountId: scope.accountId,
    sandbox: true,
    baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    // a gate left shut by a failing test ends in a failure, not a hang
    startupTimeoutSeconds: 20,
    stopGraceSeconds: 20,
    drainTimeoutSeconds: 5,
  };
  return () => new RecordingHosting(config, deps);
}

describe('EndpointConfigService and EndpointService over SQLite and ProcessEndpointHosting', () => {
  let dir: string;
  let database: Database;
  let tags: TagService;
  let models: ModelService;
  let configs: EndpointConfigService;
  let newHosting: () => RecordingHosting;
  let hosting: RecordingHosting;
  let endpoints: EndpointService;
  // m1 (Ep-1's first model) starts behind ep1Start; m2 (the update's) behind nextStart and stops behind nextStop.
  let ep1Start: Gate;
  let nextStart: Gate;
  let nextStop: Gate;

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
    mkdirSync(path.join(dir, 'gates'));
    [ep1Start, nextStart, nextStop] = ['ep1-start', 'next-start', 'next-stop'].map((name) => new Gate(path.join(dir, 'gates', name))) as [Gate, Gate, Gate];
    database = await openDatabase({ database: 'sqlite', dataDir: dir });
    tags = new TagService(new KyselyTagRepository(database));
    models = new ModelService(scope, { repository: new KyselyModelRepository<ModelRecord>(database), tags });
    configs = new EndpointConfigService(scope, {
      repository: new KyselyEndpointConfigRepository<EndpointConfigRecord>(database),
      tags,
      models: (name) => models.describe(name),
    });
    newHosting = await dataPlane(dir, database);
    hosting = newHosting();
    endpoints = build(database, hosting);
    await models.create({
      name: 'm1',
      primaryContainer: { image: 'held:1', environment: { REPLY: '1', HOLD_START: ep1Start.file } },
      enableNetworkIsolation: false,
    });
    await models.create({
      name: 'm2',
      primaryContainer: { image: 'held:2', environment: { REPLY: '2', HOLD_START: nextStart.file, HOLD_STOP: nextStop.file } },
      enableNetworkIsolation: false,
    });
    await models.create({
      name: 'mme',
      primaryContainer: { image: 'echo:1', mode: 'MultiModel', modelDataUrl: 's3://b/models/' },
      enableNetworkIsolation: false,
    });
    await models.create({ name: 'broken', primaryContainer: { image: 'exits' }, enableNetworkIsolation: false });
    await models.create({
      name: 'pipeline',
      containers: [{ image: 'echo:pre' }, { image: 'echo:2', containerHostname: 'main' }],
      enableNetworkIsolation: false,
    });
  });
  after(async () => {
    for (const gate of [ep1Start, nextStart, nextStop]) gate?.open();
    await endpoints?.close();
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
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
    ep1Start.shut();
    const created = await endpoints.create('Ep-1', 'two', {}, [{ key: 'k', value: 'v' }]);
    assert.equal(created.status, 'Creating');
    await ep1Start.reached();
    const creating = await endpoints.describe('ep-1');
    assert.equal(creating.record.status, 'Creating');
    assert.equal(creating.productionVariants, undefined);
    ep1Start.open();
    await endpoints.idle();
    const view = await endpoints.describe('EP-1');
    assert.equal(view.record.status, 'InService', view.record.failureReason);
    assert.equal(view.record.deployment.endpointConfigName, 'two');
    assert.equal(hosting.active('Ep-1')?.id, view.record.deployment.id);
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
        ['AllTraffic', ['held:1'], 3, 3, 1, 1],
        ['B', ['echo:pre', 'echo:2'], 1, 1, 2, 2],
      ],
    );
    const plan = hosting.plans.find((p) => p.endpointName === 'Ep-1');
    assert.deepEqual(plan?.variants[1]?.containers, [
      { image: 'echo:pre', environment: {}, mode: 'SingleModel' },
      { image: 'echo:2', environment: {}, mode: 'SingleModel', containerHostname: 'main' },
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
    assert.match(
      view.record.failureReason ?? '',
      /^The primary container for production variant AllTraffic did not pass the ping health check\. Please check CloudWatch logs for this endpoint\. \(the model server exited \(code 1\) before answering GET \/ping; its last output: serve: no model file under \/opt\/ml\/model/,
    );
    assert.equal(hosting.active('ep-bad'), undefined);
    await rejectsWith(endpoints.update('ep-bad', 'two'), 'ValidationException', `Cannot update failed endpoint "${arn('endpoint', 'ep-bad')}".`);
    await endpoints.delete('ep-bad');
    await endpoints.idle();
    await rejectsWith(endpoints.describe('ep-bad'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'ep-bad')}".`);
    assert.ok(!existsSync(path.join(dir, 'endpoints', 'ep-bad')), 'nothing of the failed endpoint is left on disk');
  });

  it('UpdateEndpoint: Updating with a pending deployment, then InService on the new config; a failing update rolls back with FailureReason', async () => {
    await configs.create({ name: 'next', productionVariants: [variant('m2', { initialVariantWeight: 5, initialInstanceCount: 4 })] });
    const first = (await endpoints.describe('ep-1')).record.deployment.id;
    nextStart.shut();
    await endpoints.update('ep-1', 'next', { retainAllVariantProperties: true, excludeRetainedVariantProperties: ['DesiredWeight'] });
    await nextStart.reached();
    const updating = await endpoints.describe('ep-1');
    assert.equal(updating.record.status, 'Updating');
    assert.equal(updating.pending?.endpointConfigName, 'next');
    // Retained: the instance count of the running AllTraffic variant (1), not the weight.
    assert.deepEqual(
      updating.pending?.productionVariants.map((v) => [v.variantName, v.desiredWeight, v.desiredInstanceCount, v.instanceType]),
      [['AllTraffic', 5, 1, 'ml.m5.large']],
    );
    assert.equal(hosting.active('Ep-1')?.id, first, 'the running deployment serves while the new one starts');
    await rejectsWith(endpoints.update('ep-1', 'next'), 'ValidationException', `Cannot update in-progress endpoint "${arn('endpoint', 'ep-1')}".`);
    await rejectsWith(endpoints.delete('ep-1'), 'ValidationException', `Cannot update in-progress endpoint "${arn('endpoint', 'ep-1')}".`);
    nextStart.open();
    await endpoints.idle();
    const updated = await endpoints.describe('ep-1');
    assert.equal(updated.record.status, 'InService', updated.record.failureReason);
    assert.equal(updated.record.deployment.endpointConfigName, 'next');
    assert.equal(updated.pending, undefined);
    assert.deepEqual(
      updated.productionVariants?.map((v) => v.deployedImages[0]?.specifiedImage),
      ['held:2'],
    );
    assert.equal(hosting.active('Ep-1')?.id, updated.record.deployment.id);
    assert.ok(!existsSync(path.join(dir, 'endpoints', 'Ep-1', first)), 'the replaced deployment was stopped and removed');

    await endpoints.update('ep-1', 'bad');
    await endpoints.idle();
    const rolledBack = await endpoints.describe('ep-1');
    assert.equal(rolledBack.record.status, 'InService');
    assert.equal(rolledBack.record.deployment.endpointConfigName, 'next');
    assert.match(rolledBack.record.failureReason ?? '', /did not pass the ping health check/);
    assert.equal(hosting.active('Ep-1')?.id, updated.record.deployment.id, 'the running deployment still serves');
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
    assert.equal(
      hosting
        .active('Ep-1')
        ?.variant('AllTraffic')
        ?.instances.filter((i) => i.ready).length,
      3,
    );
  });

  it('deleting the model and the configuration in use changes nothing; a restart re-deploys the stored plan (SystemUpdating → InService)', async () => {
    await models.delete('m2');
    await configs.delete('next');
    await endpoints.close(); // the server stops, and its model servers with it
    hosting = newHosting();
    endpoints = build(database, hosting);
    nextStart.shut();
    await endpoints.start();
    assert.equal((await endpoints.describe('ep-1')).record.status, 'SystemUpdating');
    await nextStart.reached();
    assert.equal((await endpoints.describe('ep-1')).record.status, 'SystemUpdating');
    nextStart.open();
    await endpoints.idle();
    const view = await endpoints.describe('ep-1');
    assert.equal(view.record.status, 'InService', view.record.failureReason);
    assert.deepEqual(
      hosting.calls.filter((c) => c.startsWith('deploy Ep-1')),
      ['deploy Ep-1 AllTraffic:5x3'],
    );
    assert.equal(hosting.active('Ep-1')?.variant('AllTraffic')?.instances.length, 3);
    await rejectsWith(endpoints.create('ep-2', 'next'), 'ValidationException', `Could not find endpoint configuration "${arn('endpoint-config', 'next')}".`);
  });

  it('DeleteEndpoint: Deleting, then gone with its tags; unknown endpoints answer Could not find endpoint', async () => {
    nextStop.shut();
    await endpoints.delete('EP-1');
    await nextStop.reached();
    assert.equal((await endpoints.describe('ep-1')).record.status, 'Deleting');
    await rejectsWith(endpoints.delete('ep-1'), 'ValidationException', `Cannot update in-progress endpoint "${arn('endpoint', 'ep-1')}".`);
    nextStop.open();
    await endpoints.idle();
    await rejectsWith(endpoints.describe('ep-1'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'ep-1')}".`);
    await rejectsWith(endpoints.delete('ep-1'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'ep-1')}".`);
    await rejectsWith(endpoints.update('ep-1', 'two'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'ep-1')}".`);
    assert.deepEqual(await new KyselyTagRepository(database).list(arn('endpoint', 'ep-1')), []);
    assert.equal(hosting.active('Ep-1'), undefined);
    assert.ok(!existsSync(path.join(dir, 'endpoints', 'Ep-1')), "the endpoint's files are removed");
  });
});

describe('EndpointService after a server restart', () => {
  it('resumes Creating, Updating and Deleting endpoints left by the previous process', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'salvia-endpoints-restart-'));
    const database = await openDatabase({ database: 'sqlite', dataDir: dir });
    const [c1Start, c1Stop, c2Start] = ['c1-start', 'c1-stop', 'c2-start'].map((name) => new Gate(path.join(dir, name))) as [Gate, Gate, Gate];
    const services: EndpointService[] = [];
    try {
      const tags = new TagService(new KyselyTagRepository(database));
      const models = new ModelService(scope, { repository: new KyselyModelRepository<ModelRecord>(database), tags });
      const configs = new EndpointConfigService(scope, {
        repository: new KyselyEndpointConfigRepository<EndpointConfigRecord>(database),
        tags,
        models: (name) => models.describe(name),
      });
      const newHosting = await dataPlane(dir, database);
      const build = (hosting: EndpointHosting): EndpointService => {
        const service = new EndpointService(scope, {
          repository: new KyselyEndpointRepository<EndpointRecord>(database),
          tags,
          configs: (name) => configs.describe(name),
          models: (name) => models.describe(name),
          hosting,
        });
        services.push(service);
        return service;
      };
      await models.create({
        name: 'm',
        primaryContainer: { image: 'held:1', environment: { HOLD_START: c1Start.file, HOLD_STOP: c1Stop.file } },
        enableNetworkIsolation: false,
      });
      await models.create({ name: 'm2', primaryContainer: { image: 'held:2', environment: { HOLD_START: c2Start.file } }, enableNetworkIsolation: false });
      const one = { variantName: 'AllTraffic', instanceType: 'ml.m5.large', initialInstanceCount: 1 };
      await configs.create({ name: 'c1', productionVariants: [{ ...one, modelName: 'm' }] });
      await configs.create({ name: 'c2', productionVariants: [{ ...one, modelName: 'm2' }] });

      const first = newHosting();
      const previous = build(first);
      await previous.create('u', 'c1');
      await previous.create('d', 'c1');
      await previous.idle();
      // c's deployment and u's update wait for /ping, d's model server for its SIGTERM to take effect
      for (const gate of [c1Start, c1Stop, c2Start]) gate.shut();
      await previous.create('c', 'c1');
      await previous.update('u', 'c2');
      await previous.delete('d');
      await Promise.all([c1Start.reached(), c2Start.reached(), c1Stop.reached()]);
      const closing = previous.close(); // the process ends mid-operation: nothing more is recorded
      c1Stop.open(); // its model servers may now exit
      await closing;
      const status = async (name: string): Promise<string> => (await previous.describe(name)).record.status;
      assert.deepEqual([await status('c'), await status('u'), await status('d')], ['Creating', 'Updating', 'Deleting']);

      c1Start.open();
      c2Start.open();
      const second = newHosting();
      const next = build(second);
      await next.start();
      await next.idle();
      const created = await next.describe('c');
      assert.equal(created.record.status, 'InService', created.record.failureReason);
      const updated = await next.describe('u');
      assert.deepEqual([updated.record.status, updated.record.deployment.endpointConfigName, updated.pending], ['InService', 'c2', undefined]);
      await rejectsWith(next.describe('d'), 'ValidationException', `Could not find endpoint "${arn('endpoint', 'd')}".`);
      assert.deepEqual(second.calls.filter((c) => c.startsWith('deploy')).sort(), [
        'deploy c AllTraffic:1x1',
        'deploy u AllTraffic:1x1',
        'deploy u AllTraffic:1x1',
      ]);
      assert.deepEqual(
        ['c', 'u', 'd'].map((name) => second.active(name)?.id),
        [created.record.deployment.id, updated.record.deployment.id, undefined],
      );
    } finally {
      for (const gate of [c1Start, c1Stop, c2Start]) gate.open();
      for (const service of services) await service.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
