// Traffic across production variants and deployments, with the echo image of
// test/fixtures/endpoints (each answer names its model version and process): a weighted split and
// TargetVariant; UpdateEndpointWeightsAndCapacities; a blue/green UpdateEndpoint under continuous
// traffic that fails no request, switches every worker exactly once and stops the old model servers;
// an update to a model that cannot start rolls back with a FailureReason while traffic goes on; a
// model server killed under traffic is restarted while the other instance serves.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DescribeEndpointCommand, UpdateEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { addEndpointImage, alive, createConfig, deploy, endpointsEnv, invoke, runtimeFailure, waitInService, type EndpointsEnv } from './endpoints-harness.js';

interface Echo {
  reply: string;
  pid: number;
  contentType: string | null;
  accept: string | null;
  customAttributes: string | null;
  body: string;
}

/** Traffic from `workers` loops, each invoking one request after another until stop() is called. */
function traffic(env: EndpointsEnv, endpoint: string, workers: number) {
  let running = true;
  const failures: string[] = [];
  const sequences: string[][] = Array.from({ length: workers }, () => []);
  const pids = new Set<number>();
  const served = { count: 0 };
  const loops = sequences.map(async (sequence, worker) => {
    for (let i = 0; running; i++) {
      try {
        const answer = JSON.parse((await invoke(env, { EndpointName: endpoint, ContentType: 'text/plain', Body: `${worker}:${i}` })).body) as Echo;
        if (answer.body !== `${worker}:${i}`) failures.push(`worker ${worker} request ${i} got the answer to ${answer.body}`);
        if (sequence[sequence.length - 1] !== answer.reply) sequence.push(answer.reply);
        pids.add(answer.pid);
        served.count += 1;
      } catch (error) {
        failures.push(`worker ${worker} request ${i}: ${String(error)}`);
      }
    }
  });
  return {
    /** Every worker's sequence of distinct consecutive replies. */
    sequences,
    failures,
    pids,
    served,
    /** Ends the loops once their current requests are answered. */
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    /** Resolves once every worker has seen `reply`. */
    async until(reply: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!sequences.every((s) => s.includes(reply))) {
        assert.ok(Date.now() < deadline, `not every worker saw ${reply}: ${JSON.stringify(sequences)}`);
        await delay(20);
      }
    },
  };
}

describe('traffic across variants and deployments', () => {
  let env: EndpointsEnv;
  let echo: string;
  let exits: string;

  before(async () => {
    env = await endpointsEnv('endpoints-traffic');
    echo = await addEndpointImage(env.server, 'traffic-echo', 'echo');
    exits = await addEndpointImage(env.server, 'traffic-exits', 'exits');
  });
  after(async () => {
    await env?.dispose();
  });

  it('splits traffic by variant weight, honours TargetVariant, and follows UpdateEndpointWeightsAndCapacities', async () => {
    const described = await deploy(env, 'split', [
      { variantName: 'Blue', container: { Image: echo, Environment: { REPLY: 'blue' } }, weight: 1 },
      { variantName: 'Green', container: { Image: echo, Environment: { REPLY: 'green' } }, weight: 3, instanceCount: 2 },
    ]);
    assert.deepEqual(
      described.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight, v.CurrentInstanceCount]),
      [
        ['Blue', 1, 1],
        ['Green', 3, 2],
      ],
    );
    const counts = { blue: 0, green: 0 };
    const greenPids = new Set<number>();
    const answers = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        invoke(env, { EndpointName: 'split', ContentType: 'text/plain', Accept: 'application/json', CustomAttributes: `n=${i}`, Body: String(i) }),
      ),
    );
    answers.forEach((answer, i) => {
      const echoed = JSON.parse(answer.body) as Echo;
      assert.equal(echoed.body, String(i));
      assert.equal(echoed.contentType, 'text/plain');
      assert.equal(echoed.accept, 'application/json');
      assert.equal(echoed.customAttributes, `n=${i}`);
      assert.equal(answer.customAttributes, `echo=n=${i}`);
      assert.equal(answer.contentType, 'application/json');
      assert.equal(answer.variant, echoed.reply === 'blue' ? 'Blue' : 'Green');
      counts[echoed.reply as 'blue' | 'green'] += 1;
      if (echoed.reply === 'green') greenPids.add(echoed.pid);
    });
    assert.ok(counts.green / 400 > 0.65 && counts.green / 400 < 0.85, `weights 1:3 gave ${JSON.stringify(counts)}`);
    assert.equal(greenPids.size, 2, 'both Green instances take traffic');

    for (let i = 0; i < 20; i++) {
      const answer = await invoke(env, { EndpointName: 'split', TargetVariant: 'Blue', Body: 'x' });
      assert.equal(answer.variant, 'Blue');
      assert.equal((JSON.parse(answer.body) as Echo).reply, 'blue');
    }
    const unknown = await runtimeFailure(invoke(env, { EndpointName: 'split', TargetVariant: 'Purple', Body: 'x' }));
    assert.equal(unknown.name, 'ValidationError');

    await env.sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'split', DesiredWeightsAndCapacities: [{ VariantName: 'Green', DesiredWeight: 0 }] }),
    );
    const reweighted = await waitInService(env, 'split');
    assert.equal(reweighted.EndpointStatus, 'InService', reweighted.FailureReason);
    assert.deepEqual(
      reweighted.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight]),
      [
        ['Blue', 1],
        ['Green', 0],
      ],
    );
    for (let i = 0; i < 40; i++) assert.equal((await invoke(env, { EndpointName: 'split', Body: 'x' })).variant, 'Blue');
    assert.equal(
      (await invoke(env, { EndpointName: 'split', TargetVariant: 'Green', Body: 'x' })).variant,
      'Green',
      'TargetVariant reaches a variant of weight 0',
    );
  });

  it('a blue/green UpdateEndpoint under continuous traffic fails no request, switches every worker once and stops the old model servers', async () => {
    await deploy(env, 'bg', [{ variantName: 'AllTraffic', container: { Image: echo, Environment: { REPLY: 'v1' } }, instanceCount: 2 }]);
    await createConfig(env, 'bg-v2', [{ variantName: 'AllTraffic', container: { Image: echo, Environment: { REPLY: 'v2' } }, instanceCount: 2 }]);
    const load = traffic(env, 'bg', 6);
    try {
      await load.until('v1');
      const v1Pids = new Set(load.pids);
      const servedBefore = load.served.count;
      await env.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'bg', EndpointConfigName: 'bg-v2' }));
      assert.equal((await env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'bg' }))).EndpointStatus, 'Updating');
      const updated = await waitInService(env, 'bg');
      assert.equal(updated.EndpointStatus, 'InService', updated.FailureReason);
      assert.equal(updated.EndpointConfigName, 'bg-v2');
      assert.ok(load.served.count - servedBefore >= 50, `only ${load.served.count - servedBefore} requests were served while the endpoint was Updating`);
      await load.until('v2');
      const deadline = Date.now() + 45_000;
      while (alive(v1Pids).length > 0) {
        assert.ok(Date.now() < deadline, `v1 model servers still running: ${alive(v1Pids).join(', ')}`);
        await delay(100);
      }
    } finally {
      await load.stop();
    }
    assert.deepEqual(load.failures, []);
    for (const sequence of load.sequences) assert.deepEqual(sequence, ['v1', 'v2'], JSON.stringify(load.sequences));
  });

  it('an update to a model that cannot start rolls back: the endpoint stays InService on its old config with a FailureReason, traffic unharmed', async () => {
    await deploy(env, 'rollback', [{ variantName: 'AllTraffic', container: { Image: echo, Environment: { REPLY: 'stable' } } }]);
    await createConfig(env, 'rollback-broken', [{ variantName: 'AllTraffic', container: { Image: exits } }]);
    const load = traffic(env, 'rollback', 3);
    try {
      await load.until('stable');
      await env.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'rollback', EndpointConfigName: 'rollback-broken' }));
      const described = await waitInService(env, 'rollback');
      assert.equal(described.EndpointStatus, 'InService');
      assert.equal(described.EndpointConfigName, 'rollback-config');
      assert.ok((described.FailureReason ?? '').length > 0, 'the failed update leaves a FailureReason');
    } finally {
      await load.stop();
    }
    assert.deepEqual(load.failures, []);
    for (const sequence of load.sequences) assert.deepEqual(sequence, ['stable']);
  });

  it('a model server killed under traffic is restarted; the other instance keeps serving and no request fails with a 500', async () => {
    await deploy(env, 'crash', [{ variantName: 'AllTraffic', container: { Image: echo, Environment: { REPLY: 'crash' } }, instanceCount: 2 }]);
    const load = traffic(env, 'crash', 3);
    try {
      const deadline = Date.now() + 30_000;
      while (load.pids.size < 2) {
        assert.ok(Date.now() < deadline, `only ${load.pids.size} instance answered`);
        await delay(20);
      }
      const original = new Set(load.pids);
      const [victim] = original;
      process.kill(victim as number, 'SIGKILL');
      const servedAtKill = load.served.count;
      while (![...load.pids].some((pid) => !original.has(pid))) {
        assert.ok(Date.now() < deadline, `no restarted model server answered; pids ${[...load.pids].join(', ')}`);
        await delay(20);
      }
      assert.ok(load.served.count > servedAtKill, 'requests were served while the instance restarted');
    } finally {
      await load.stop();
    }
    // A request in flight on the killed server may fail, as on SageMaker, but only as the runtime's errors.
    for (const failure of load.failures) assert.match(failure, /ModelError|ServiceUnavailable/, failure);
    assert.ok(load.failures.length <= 3, load.failures.join('\n'));
    assert.equal((await env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'crash' }))).EndpointStatus, 'InService');
  });
});
