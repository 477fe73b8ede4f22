// Endpoints that cannot serve, with small user images from test/fixtures/endpoints: a model that
// raises (424 ModelError with the container's status and message, its traceback in CloudWatch Logs),
// a model that never answers (424 after the 60 s invocation timeout), a model server that exits at
// start or hangs on /ping (endpoint Failed with a reason, no process left), a corrupt model archive
// (Failed naming it), an endpoint not InService yet (NO_SUCH_ENDPOINT until its /ping answers), an
// instance that stops answering once InService (taken out of service and replaced, the other one serving).
// The slow cases run concurrently; none of them disturbs a healthy endpoint on the same server.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import {
  accountId,
  addEndpointImage,
  commandLine,
  createEndpoint,
  deploy,
  descendants,
  endpointFixtures,
  endpointLog,
  endpointsEnv,
  invoke,
  runtimeFailure,
  tarGz,
  waitForEndpointLog,
  waitInService,
  type EndpointsEnv,
} from './endpoints-harness.js';

/** Processes under the server running one of the fixture images. */
function fixtureProcesses(env: EndpointsEnv, fixture: string): string[] {
  const dir = path.join(endpointFixtures, fixture);
  return [...descendants(env.server.child.pid as number)].map(commandLine).filter((line) => line.includes(dir));
}

describe('endpoints that cannot serve', { concurrency: true }, () => {
  let env: EndpointsEnv;
  const images: Record<string, string> = {};

  before(async () => {
    env = await endpointsEnv('endpoints-failures');
    for (const fixture of ['echo', 'raises', 'exits', 'hangs-on-ping', 'gated', 'never-answers', 'stops-answering'])
      images[fixture] = await addEndpointImage(env.server, `ep-${fixture}`, fixture);
    await deploy(env, 'healthy', [{ variantName: 'AllTraffic', container: { Image: images['echo'], Environment: { REPLY: 'healthy' } } }]);
  });
  after(async () => {
    await env?.dispose();
  });

  it('a model that raises answers 424 ModelError with the original status and message; its traceback is in the endpoint log', async () => {
    await deploy(env, 'raises', [{ variantName: 'AllTraffic', container: { Image: images['raises'] } }]);
    const failure = await runtimeFailure(invoke(env, { EndpointName: 'raises', ContentType: 'text/csv', Body: '1,2,3' }));
    assert.equal(failure.name, 'ModelError');
    assert.equal(failure.status, 424);
    assert.equal(failure.originalStatusCode, 500);
    assert.equal(failure.originalMessage, 'ValueError: the model cannot score 5 bytes: weights are NaN');
    assert.match(
      failure.message,
      /^Received server error \(500\) from primary with message "ValueError: the model cannot score 5 bytes: weights are NaN"\. See https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logEventViewer:group=\/aws\/sagemaker\/Endpoints\/raises in account 000000000000 for more information\.$/,
    );
    assert.match(failure.logStreamArn ?? '', new RegExp(`^arn:aws:logs:us-east-1:${accountId}:log-group:/aws/sagemaker/Endpoints/raises`));
    const lines = await waitForEndpointLog(env, 'raises', /ValueError: the model cannot score 5 bytes/, 20_000);
    assert.ok(
      lines.some((l) => /^AllTraffic\/\S+: Traceback/.test(l)),
      lines.join('\n'),
    );
    assert.equal((await invoke(env, { EndpointName: 'healthy', Body: 'x' })).variant, 'AllTraffic');
  });

  it('a model that does not answer within 60 s is a 424 ModelError saying the invocation timed out, and the endpoint goes on serving', async () => {
    await deploy(env, 'never-answers', [{ variantName: 'AllTraffic', container: { Image: images['never-answers'] } }]);
    const started = Date.now();
    const failure = await runtimeFailure(invoke(env, { EndpointName: 'never-answers', ContentType: 'text/csv', Body: '1' }));
    const seconds = (Date.now() - started) / 1000;
    assert.equal(failure.name, 'ModelError');
    assert.equal(failure.status, 424);
    assert.equal(failure.originalStatusCode, 0);
    assert.match(failure.originalMessage ?? '', /^Your invocation timed out while waiting for a response from container primary\./);
    assert.match(failure.message, /^Received server error \(0\) from primary with message "Your invocation timed out/);
    assert.ok(seconds >= 59 && seconds < 75, `timed out after ${seconds} s`);
    const described = await env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'never-answers' }));
    assert.equal(described.EndpointStatus, 'InService');
  });

  it('a model server that exits at start fails the endpoint with a reason and leaves no process', async () => {
    await createEndpoint(env, 'exits', [{ variantName: 'AllTraffic', container: { Image: images['exits'] } }]);
    const described = await waitInService(env, 'exits');
    assert.equal(described.EndpointStatus, 'Failed');
    assert.match(described.FailureReason ?? '', /exit/i);
    assert.match(described.FailureReason ?? '', /no model file under \/opt\/ml\/model|code 1/);
    assert.deepEqual(fixtureProcesses(env, 'exits'), []);
    const failure = await runtimeFailure(invoke(env, { EndpointName: 'exits', Body: 'x' }));
    assert.equal(failure.name, 'ValidationError');
    assert.equal((await invoke(env, { EndpointName: 'healthy', Body: 'x' })).variant, 'AllTraffic');
  });

  it('a model server that never answers /ping fails the endpoint after the startup health check timeout, leaving no process', async () => {
    await createEndpoint(env, 'hangs', [{ variantName: 'AllTraffic', container: { Image: images['hangs-on-ping'] }, startupTimeoutSeconds: 60 }]);
    const described = await waitInService(env, 'hangs', 150);
    assert.equal(described.EndpointStatus, 'Failed');
    assert.match(described.FailureReason ?? '', /ping/i);
    assert.deepEqual(fixtureProcesses(env, 'hangs-on-ping'), []);
  });

  it('a corrupt model archive fails the endpoint with a reason that names it', async () => {
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'corrupt/model.tar.gz', Body: 'this is not a gzip file' }));
    await createEndpoint(env, 'corrupt', [
      { variantName: 'AllTraffic', container: { Image: images['echo'], ModelDataUrl: `s3://${env.bucket}/corrupt/model.tar.gz` } },
    ]);
    const described = await waitInService(env, 'corrupt');
    assert.equal(described.EndpointStatus, 'Failed');
    assert.match(described.FailureReason ?? '', /model\.tar\.gz|model data|archive/i);
    assert.equal((await invoke(env, { EndpointName: 'healthy', Body: 'x' })).variant, 'AllTraffic');
  });

  it('an endpoint whose model is not ready is not InService and answers NO_SUCH_ENDPOINT until /ping says 200', async () => {
    const ready = path.join(env.work, 'gated-ready');
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'gated/model.tar.gz', Body: tarGz({ 'weights.txt': '1\n' }) }));
    await createEndpoint(env, 'gated', [
      {
        variantName: 'AllTraffic',
        container: { Image: images['gated'], ModelDataUrl: `s3://${env.bucket}/gated/model.tar.gz`, Environment: { READY_FILE: ready } },
      },
    ]);
    const creating = await env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'gated' }));
    assert.equal(creating.EndpointStatus, 'Creating');
    const early = await runtimeFailure(invoke(env, { EndpointName: 'gated', Body: 'x' }));
    assert.deepEqual(
      { name: early.name, status: early.status, message: early.message },
      { name: 'ValidationError', status: 400, message: `Endpoint gated of account ${accountId} not found.` },
    );
    assert.equal((await env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'gated' }))).EndpointStatus, 'Creating');
    writeFileSync(ready, '');
    const described = await waitInService(env, 'gated');
    assert.equal(described.EndpointStatus, 'InService', described.FailureReason);
    assert.equal((await invoke(env, { EndpointName: 'gated', Body: 'x' })).body, 'ready');
  });

  it('an instance that stops answering /ping once InService is taken out of service and replaced, while the other instance goes on serving', async () => {
    const hang = path.join(env.work, 'stops-answering-hang');
    await deploy(env, 'stops-answering', [
      { variantName: 'AllTraffic', instanceCount: 2, container: { Image: images['stops-answering'], Environment: { HANG_FILE: hang } } },
    ]);
    /** The token of the model server that answered (each server picks one at start). */
    const answeredBy = async (): Promise<string> =>
      (JSON.parse((await invoke(env, { EndpointName: 'stops-answering', Body: 'x' })).body) as { token: string }).token;
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) seen.add(await answeredBy());
    const [hung, other] = [...seen] as [string, string];
    assert.ok(other !== undefined, 'requests did not reach both instances');
    writeFileSync(hang, hung);
    const deadline = Date.now() + 60_000;
    const outOfService = /^AllTraffic\/i-[0-9a-f]{17}: salvia: model server primary failed 3 health checks in a row \(GET \/ping: no answer within 2 s\)/;
    await waitForEndpointLog(env, 'stops-answering', outOfService, 60_000);
    for (let i = 0; i < 6; i++) assert.notEqual(await answeredBy(), hung, 'a request went to the hung model server');
    let replacement = await answeredBy();
    while (replacement === other) {
      assert.ok(Date.now() < deadline, 'the hung model server was not replaced');
      await delay(200);
      replacement = await answeredBy();
    }
    assert.notEqual(replacement, hung);
    assert.equal((await env.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'stops-answering' }))).EndpointStatus, 'InService');
    assert.ok(
      (await endpointLog(env, 'stops-answering')).some((line) =>
        /salvia: model server primary exited \((SIGTERM|code 143)\); restarting in \d+ ms$/.test(line),
      ),
    );
  });
});
