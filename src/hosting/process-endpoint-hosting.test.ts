import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import type { InvocationRequest } from '../api/runtime/endpoint-router.js';
import { isAwsError, type AwsError } from '../errors/index.js';
import { ImageCatalog, RuntimeEnvironments } from '../images/index.js';
import { LogService } from '../logs/index.js';
import { FsObjectStore } from '../objectstore/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyImageRepository } from '../store/repositories/images.js';
import { KyselyLogRepository } from '../store/repositories/logs.js';
import { HostingError, type HostedContainer, type VariantPlan } from './endpoint-hosting.js';
import { HostingRouter } from './hosting-router.js';
import { ProcessEndpointHosting } from './process-endpoint-hosting.js';

// A model server with several behaviours chosen by the request body (a test fixture written at set-up):
// it answers with its model file's text (model/reply.txt), its pid and what it received; "crash" exits,
// "slow" answers after 3 s, "status:<n>" answers <n> with a message; a "pipe:" prefix is answered as
// text/csv. REFUSE_START=1 makes it exit 2 before listening. With SAGEMAKER_MULTI_MODEL=true it serves the
// multi-model API instead (POST/GET/DELETE /models, POST /models/<name>/invoke answering that model's reply.txt).
const server = `#!/usr/bin/env python3
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
base = os.environ.get('SAGEMAKER_BASE_DIR', '/opt/ml')
if os.environ.get('REFUSE_START'):
    print('cannot load the model: REFUSE_START is set', file=sys.stderr, flush=True)
    sys.exit(2)
MULTI = os.environ.get('SAGEMAKER_MULTI_MODEL') == 'true'
MODELS = {}
REPLY = 'multi' if MULTI else open(os.path.join(base, 'model', 'reply.txt')).read().strip()
class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *args):
        pass
    def answer(self, status, body, content_type='application/json', extra=None):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path == '/models':
            return self.answer(200, json.dumps({'models': [{'modelName': n, 'modelUrl': ''} for n in MODELS]}).encode())
        if self.path == '/ping' and os.environ.get('NEVER_READY'):
            return self.answer(503, b'')
        self.answer(200 if self.path == '/ping' else 404, b'')
    def do_DELETE(self):
        name = self.path.split('/')[2]
        self.answer(200 if MODELS.pop(name, None) is not None else 404, b'{}')
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        if MULTI and self.path == '/models':
            spec = json.loads(body)
            with open(os.path.join(spec['url'], 'reply.txt')) as f:
                MODELS[spec['model_name']] = f.read().strip()
            return self.answer(200, b'{}')
        if MULTI and self.path.startswith('/models/'):
            name = self.path.split('/')[2]
            if name not in MODELS:
                return self.answer(404, b'{"code":404,"type":"ModelNotFoundException","message":"Model not found"}')
            reply = {'reply': MODELS[name], 'pid': os.getpid(), 'target': self.headers.get('X-Amzn-SageMaker-Target-Model'), 'body': body.decode()}
            return self.answer(200, json.dumps(reply).encode())
        if body == b'crash':
            print('crashing on request', flush=True)
            os._exit(3)
        if body == b'slow':
            time.sleep(3)
        if body.startswith(b'status:'):
            return self.answer(int(body[7:10]), b'model says no', 'text/plain')
        attributes = self.headers.get('X-Amzn-SageMaker-Custom-Attributes')
        reply = {'reply': REPLY, 'pid': os.getpid(), 'contentType': self.headers.get('Content-Type'),
                 'accept': self.headers.get('Accept'), 'customAttributes': attributes, 'body': body.decode()}
        extra = {'X-Amzn-SageMaker-Custom-Attributes': 'seen=' + attributes} if attributes else None
        print('invoked with ' + body.decode()[:40], flush=True)
        self.answer(200, json.dumps(reply).encode(), os.environ.get('ANSWER_TYPE', 'application/json'), extra)
print('model server ' + REPLY + ' listening', flush=True)
ThreadingHTTPServer(('127.0.0.1', int(os.environ['SAGEMAKER_BIND_TO_PORT'])), Handler).serve_forever()
`;

const scope = { region: 'us-east-1', accountId: '000000000000' };

interface Reply {
  reply: string;
  pid: number;
  contentType: string | null;
  accept: string | null;
  customAttributes: string | null;
  body: string;
}

for (const sandbox of [true, false]) {
  describe(`ProcessEndpointHosting and HostingRouter (real model server processes, ${sandbox ? 'bubblewrap' : 'no sandbox'})`, () => {
    let dataDir: string;
    let database: Database;
    let hosting: ProcessEndpointHosting;
    let router: HostingRouter;
    let logs: LogService;
    let store: FsObjectStore;

    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-hosting-'));
      database = await openDatabase({ database: 'sqlite', dataDir });
      store = await FsObjectStore.open(path.join(dataDir, 'objects'));
      await store.createBucket('models');
      const imageDir = path.join(dataDir, 'image');
      mkdirSync(imageDir);
      writeFileSync(path.join(imageDir, 'serve'), server);
      writeFileSync(path.join(imageDir, 'train'), '#!/bin/sh\nexit 0\n');
      chmodSync(path.join(imageDir, 'serve'), 0o755);
      chmodSync(path.join(imageDir, 'train'), 0o755);
      const images = new ImageCatalog({ dataDir, python: 'python3' }, { repository: new KyselyImageRepository(database) });
      await images.add('fixture', imageDir);
      logs = new LogService(new KyselyLogRepository(database), scope);
      hosting = new ProcessEndpointHosting(
        {
          dataDir,
          region: scope.region,
          accountId: scope.accountId,
          sandbox,
          baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
          stopGraceSeconds: 2,
          restartDelayMs: 50,
          drainTimeoutSeconds: 10,
        },
        { objectStore: store, images, runtimes: new RuntimeEnvironments({ dataDir, python: 'python3' }), logs },
      );
      router = new HostingRouter(hosting, { ...scope, invocationTimeoutMs: 1500 });
      for (const name of ['blue', 'green', 'a', 'b', 'one', 'two']) await putModel(`${name}/model.tar.gz`, { 'reply.txt': name });
      await store.putObject('models', 'corrupt/model.tar.gz', {
        body: Readable.from([Buffer.from('this is not a gzip file')]),
        metadata: { userMetadata: {}, headers: {} },
      });
    });
    after(async () => {
      await hosting?.close();
      await database?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    async function putModel(key: string, files: Record<string, string>): Promise<void> {
      const dir = mkdtempSync(path.join(dataDir, 'pack-'));
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
      const bytes = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        tar
          .c({ gzip: true, cwd: dir }, Object.keys(files))
          .on('data', (c: Buffer) => chunks.push(c))
          .on('end', () => resolve(Buffer.concat(chunks)))
          .on('error', reject);
      });
      await store.putObject('models', key, { body: Readable.from([bytes]), metadata: { userMetadata: {}, headers: {} } });
    }

    const container = (model: string, environment: Record<string, string> = {}): HostedContainer => ({
      image: 'fixture',
      modelDataUrl: `s3://models/${model}/model.tar.gz`,
      environment,
      mode: 'SingleModel',
    });
    const variant = (name: string, model: string, options: Partial<VariantPlan> = {}): VariantPlan => ({
      variantName: name,
      modelName: `${model}-model`,
      containers: [container(model)],
      instanceCount: 1,
      instanceType: 'ml.m5.large',
      weight: 1,
      ...options,
    });
    const invoke = async (
      endpointName: string,
      body: string,
      extra: Partial<InvocationRequest> = {},
    ): Promise<{ reply: Reply; variant: string; contentType: string; customAttributes?: string }> => {
      const response = await router.invoke({ endpointName, body: Buffer.from(body), ...extra });
      assert.ok(Buffer.isBuffer(response.body));
      return {
        reply: JSON.parse(response.body.toString()) as Reply,
        variant: response.invokedProductionVariant,
        contentType: response.contentType,
        ...(response.customAttributes !== undefined ? { customAttributes: response.customAttributes } : {}),
      };
    };
    const rejection = async (promise: Promise<unknown>): Promise<AwsError> => {
      try {
        await promise;
      } catch (error) {
        assert.ok(isAwsError(error), String(error));
        return error;
      }
      assert.fail('expected an error');
    };
    const zombie = (pid: number): boolean => {
      try {
        return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return true;
      }
    };
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };

    it('serves the unpacked model and forwards Content-Type, Accept and CustomAttributes; answers carry the variant and custom attributes', async () => {
      await hosting.deploy({ endpointName: 'ep-basic', deploymentId: 'd1', variants: [variant('AllTraffic', 'one')] });
      assert.equal(hosting.active('ep-basic'), undefined, 'deploy alone does not route traffic');
      await assert.rejects(router.invoke({ endpointName: 'ep-basic', body: Buffer.from('x') }), {
        code: 'ValidationError',
        message: 'Endpoint ep-basic of account 000000000000 not found.',
      });
      await hosting.activate('ep-basic', 'd1');
      const answer = await invoke('ep-basic', '1,2,3', { contentType: 'text/csv', accept: 'application/json', customAttributes: 'trace=1' });
      assert.equal(answer.reply.reply, 'one');
      assert.equal(answer.reply.body, '1,2,3');
      assert.equal(answer.reply.contentType, 'text/csv');
      assert.equal(answer.reply.accept, 'application/json');
      assert.equal(answer.reply.customAttributes, 'trace=1');
      assert.equal(answer.variant, 'AllTraffic');
      assert.equal(answer.contentType, 'application/json');
      assert.equal(answer.customAttributes, 'seen=trace=1');
      assert.deepEqual(hosting.describe('ep-basic'), [{ variantName: 'AllTraffic', weight: 1, instanceCount: 1 }]);

      const streamed = await router.invokeWithResponseStream({ endpointName: 'ep-basic', body: Buffer.from('streamed'), contentType: 'text/csv' });
      let text = '';
      for await (const part of streamed.parts) text += Buffer.from(part).toString();
      assert.deepEqual(
        [(JSON.parse(text) as Reply).body, streamed.invokedProductionVariant, streamed.contentType],
        ['streamed', 'AllTraffic', 'application/json'],
      );
      await assert.rejects(router.invokeWithResponseStream({ endpointName: 'ep-basic', body: Buffer.from('status:400') }), {
        code: 'ModelError',
        message: /^Received client error \(400\) from primary with message "model says no"/,
      });
      const active = hosting.active('ep-basic')!;
      assert.deepEqual([active.inFlight, active.instances()[0]!.outstanding], [0, 0], 'streams release the deployment and the instance');

      const stream = await logs.describeLogStreams({ group: '/aws/sagemaker/Endpoints/ep-basic' });
      assert.equal(stream.items.length, 1);
      assert.match(stream.items[0]!.name, /^AllTraffic\/i-[0-9a-f]{17}$/);
      await hosting.undeploy('ep-basic');
      assert.equal(hosting.describe('ep-basic'), undefined);
      assert.ok(!alive(answer.reply.pid), 'the model server is gone after undeploy');
      assert.ok(!existsSync(path.join(dataDir, 'endpoints', 'ep-basic')));
      await assert.rejects(router.invoke({ endpointName: 'ep-basic', body: Buffer.from('x') }), { code: 'ValidationError' });
      const events = await logs.getLogEvents({ group: '/aws/sagemaker/Endpoints/ep-basic', stream: stream.items[0]!.name, startFromHead: true });
      assert.ok(
        events.events.some((e) => e.message === 'model server one listening'),
        JSON.stringify(events.events),
      );
      assert.ok(events.events.some((e) => e.message === 'invoked with 1,2,3'));
    });

    it('answers a non-2xx as ModelError 424, a slow model as the timeout ModelError, and restarts a crashed server', async () => {
      await hosting.deploy({ endpointName: 'ep-errors', deploymentId: 'd1', variants: [variant('AllTraffic', 'one')] });
      await hosting.activate('ep-errors', 'd1');
      const refused = await rejection(router.invoke({ endpointName: 'ep-errors', body: Buffer.from('status:418') }));
      assert.equal(refused.code, 'ModelError');
      assert.equal(refused.status, 424);
      assert.deepEqual(refused.details, {
        ErrorCode: 'CLIENT_ERROR_FROM_MODEL',
        OriginalStatusCode: 418,
        OriginalMessage: 'model says no',
        LogStreamArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/ep-errors',
      });
      const slow = await rejection(router.invoke({ endpointName: 'ep-errors', body: Buffer.from('slow') }));
      assert.equal(slow.code, 'ModelError');
      assert.equal(slow.details['OriginalStatusCode'], 0);
      assert.match(slow.message, /timed out while waiting for a response from container primary/);

      const before = (await invoke('ep-errors', 'x')).reply.pid;
      const crashed = await rejection(router.invoke({ endpointName: 'ep-errors', body: Buffer.from('crash') }));
      assert.equal(crashed.code, 'ModelError');
      const instance = hosting.active('ep-errors')!.instances()[0]!;
      // the server is restarted after its back-off: wait for that condition
      while (!instance.ready || instance.servers[0]!.restarts === 0) await delay(20);
      const afterRestart = (await invoke('ep-errors', 'x')).reply;
      assert.equal(afterRestart.reply, 'one');
      assert.notEqual(afterRestart.pid, before);
      await hosting.undeploy('ep-errors');
    });

    it('fails a deployment whose archive is corrupt or whose server exits, naming the cause and leaving nothing behind', async () => {
      await assert.rejects(hosting.deploy({ endpointName: 'ep-bad', deploymentId: 'd1', variants: [variant('AllTraffic', 'corrupt')] }), (error: unknown) => {
        assert.ok(error instanceof HostingError);
        assert.match(
          error.message,
          /^Failed to extract model data archive for container "container_1" from URL "s3:\/\/models\/corrupt\/model.tar.gz"\. Please ensure that the object located at the URL is a valid tar.gz archive\./,
        );
        return true;
      });
      await assert.rejects(
        hosting.deploy({
          endpointName: 'ep-bad',
          deploymentId: 'd2',
          variants: [variant('AllTraffic', 'one', { containers: [container('one', { REFUSE_START: '1' })] })],
        }),
        (error: unknown) => {
          assert.ok(error instanceof HostingError);
          assert.match(
            error.message,
            /^The primary container for production variant AllTraffic did not pass the ping health check\. Please check CloudWatch logs for this endpoint\./,
          );
          assert.match(error.message, /exited \(code 2\).*cannot load the model: REFUSE_START is set/);
          return true;
        },
      );
      await assert.rejects(
        hosting.deploy({ endpointName: 'ep-bad', deploymentId: 'd3', variants: [variant('AllTraffic', 'missing')] }),
        /^HostingError: Failed to download model data\(bucket: models, key: missing\/model.tar.gz\)/,
      );
      assert.ok(!existsSync(path.join(dataDir, 'endpoints', 'ep-bad', 'd1')));
      assert.ok(!existsSync(path.join(dataDir, 'endpoints', 'ep-bad', 'd2')));
      assert.equal(hosting.active('ep-bad'), undefined);
    });

    it('splits traffic by weight, honours TargetVariant, changes weights and instance counts, spreads over instances', async () => {
      await hosting.deploy({
        endpointName: 'ep-ab',
        deploymentId: 'd1',
        variants: [variant('A', 'a', { weight: 1, instanceCount: 2 }), variant('B', 'b', { weight: 0 })],
      });
      await hosting.activate('ep-ab', 'd1');
      const answers = await Promise.all(Array.from({ length: 16 }, () => invoke('ep-ab', 'x')));
      assert.ok(answers.every((a) => a.variant === 'A' && a.reply.reply === 'a'));
      assert.equal(new Set(answers.map((a) => a.reply.pid)).size, 2, 'both instances of A served');
      assert.equal((await invoke('ep-ab', 'x', { targetVariant: 'B' })).reply.reply, 'b');
      const unknown = await rejection(router.invoke({ endpointName: 'ep-ab', body: Buffer.from('x'), targetVariant: 'C' }));
      assert.equal(unknown.code, 'ValidationError');
      assert.match(unknown.message, /C/);
      const targetModel = await rejection(router.invoke({ endpointName: 'ep-ab', body: Buffer.from('x'), targetModel: 'm.tar.gz' }));
      assert.deepEqual(
        [targetModel.code, targetModel.details['ErrorCode'], targetModel.message],
        ['ValidationError', 'TARGET_MODEL_HEADER_NOT_SUPPORTED', 'Endpoint ep-ab is not a multi-model endpoint and does not support target model header.'],
      );

      await hosting.setWeights('ep-ab', [
        { variantName: 'A', weight: 0, instanceCount: 1 },
        { variantName: 'B', weight: 2, instanceCount: 2 },
      ]);
      assert.deepEqual(hosting.describe('ep-ab'), [
        { variantName: 'A', weight: 0, instanceCount: 1 },
        { variantName: 'B', weight: 2, instanceCount: 2 },
      ]);
      const after = await Promise.all(Array.from({ length: 16 }, () => invoke('ep-ab', 'x')));
      assert.ok(after.every((a) => a.variant === 'B'));
      assert.equal(new Set(after.map((a) => a.reply.pid)).size, 2, 'both instances of B served');
      await hosting.undeploy('ep-ab');
    });

    it('switches deployments without failing a request and stops the old one after it drained', async () => {
      await hosting.deploy({ endpointName: 'ep-bg', deploymentId: 'blue', variants: [variant('AllTraffic', 'blue')] });
      await hosting.activate('ep-bg', 'blue');
      const bluePid = (await invoke('ep-bg', 'x')).reply.pid;
      let stop = false;
      const seen: string[] = [];
      const failures: unknown[] = [];
      const traffic = Promise.all(
        Array.from({ length: 4 }, async () => {
          while (!stop) {
            try {
              seen.push((await invoke('ep-bg', 'x')).reply.reply);
            } catch (error) {
              failures.push(error);
            }
          }
        }),
      );
      while (seen.length < 20) await delay(5);
      await hosting.deploy({ endpointName: 'ep-bg', deploymentId: 'green', variants: [variant('AllTraffic', 'green')] });
      await hosting.activate('ep-bg', 'green');
      const switched = seen.length;
      while (seen.length < switched + 20) await delay(5);
      stop = true;
      await traffic;
      assert.deepEqual(failures, []);
      assert.ok(seen.slice(switched).every((reply) => reply === 'green'));
      assert.ok(!alive(bluePid), 'the old deployment was stopped');
      assert.ok(!existsSync(path.join(dataDir, 'endpoints', 'ep-bg', 'blue')));
      await hosting.undeploy('ep-bg');
    });

    it('serves a multi-model variant by TargetModel, each model from one instance, with the runtime errors of a multi-model endpoint', async () => {
      const multi: HostedContainer = { image: 'fixture', modelDataUrl: 's3://models/', environment: {}, mode: 'MultiModel' };
      await hosting.deploy({ endpointName: 'ep-mme', deploymentId: 'd1', variants: [variant('AllTraffic', 'mme', { containers: [multi], instanceCount: 2 })] });
      await hosting.activate('ep-mme', 'd1');
      const byModel = new Map<string, Set<number>>();
      for (let round = 0; round < 3; round++) {
        for (const name of ['a', 'b', 'one', 'two']) {
          const response = await router.invoke({ endpointName: 'ep-mme', body: Buffer.from('x'), targetModel: `${name}/model.tar.gz` });
          const reply = JSON.parse(response.body.toString()) as Reply & { target: string };
          assert.deepEqual([reply.reply, reply.target, response.invokedProductionVariant], [name, `${name}/model.tar.gz`, 'AllTraffic']);
          byModel.set(name, (byModel.get(name) ?? new Set()).add(reply.pid));
        }
      }
      for (const [name, pids] of byModel) assert.equal(pids.size, 1, `${name} stays on the instance that loaded it`);
      const missingHeader = await rejection(router.invoke({ endpointName: 'ep-mme', body: Buffer.from('x') }));
      assert.equal(missingHeader.code, 'ValidationError');
      assert.match(missingHeader.message, /is missing a target model header/);
      const missingModel = await rejection(router.invoke({ endpointName: 'ep-mme', body: Buffer.from('x'), targetModel: 'nope.tar.gz' }));
      assert.equal(missingModel.code, 'ValidationError');
      assert.match(missingModel.message, /Failed to download model data\(bucket: models, key: nope.tar.gz\)/);
      const corrupt = await rejection(router.invoke({ endpointName: 'ep-mme', body: Buffer.from('x'), targetModel: 'corrupt/model.tar.gz' }));
      assert.equal(corrupt.code, 'ValidationError');
      assert.equal((await invoke('ep-mme', 'x', { targetModel: 'a/model.tar.gz' })).reply.reply, 'a', 'a broken model leaves the others serving');
      await hosting.undeploy('ep-mme');
    });

    it('kills the model servers a previous server left running when it starts on the same data directory', async () => {
      const otherDir = mkdtempSync(path.join(dataDir, 'restart-'));
      const config = {
        dataDir: otherDir,
        region: scope.region,
        accountId: scope.accountId,
        sandbox,
        baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
        restartDelayMs: 60_000,
      };
      const images = new ImageCatalog({ dataDir, python: 'python3' }, { repository: new KyselyImageRepository(database) });
      const deps = { objectStore: store, images, runtimes: new RuntimeEnvironments({ dataDir, python: 'python3' }), logs };
      const crashed = new ProcessEndpointHosting(config, deps);
      try {
        await crashed.deploy({ endpointName: 'ep-left', deploymentId: 'd1', variants: [variant('AllTraffic', 'one')] });
        await crashed.activate('ep-left', 'd1');
        const pid = JSON.parse(
          (
            await crashed
              .active('ep-left')!
              .instances()[0]!
              .servers[0]!.client.request({ method: 'POST', path: '/invocations', body: Buffer.from('x'), timeoutMs: 5000 })
          ).body.toString(),
        ) as Reply;
        assert.ok(alive(pid.pid));
        new ProcessEndpointHosting(config, deps);
        // the old server's process group was SIGKILLed synchronously: wait for the kernel to reap it
        while (alive(pid.pid) && !zombie(pid.pid)) await delay(10);
        assert.ok(!existsSync(path.join(otherDir, 'endpoints')));
      } finally {
        await crashed.close();
      }
    });

    it('an undeploy during the deploy stops the servers being started and fails the deploy', async () => {
      const deploying = hosting.deploy({
        endpointName: 'ep-cancel',
        deploymentId: 'd1',
        variants: [variant('AllTraffic', 'one', { containers: [container('one', { NEVER_READY: '1' })], startupTimeoutSeconds: 300 })],
      });
      const root = path.join(dataDir, 'endpoints', 'ep-cancel');
      const pidFile = (): string | undefined =>
        existsSync(root) ? (readdirSync(root, { recursive: true }) as string[]).find((name) => name.endsWith('.pid')) : undefined;
      // wait for the condition: the model server process was started
      while (pidFile() === undefined) await delay(10);
      const pid = Number(readFileSync(path.join(root, pidFile() as string), 'utf8').split(' ')[0]);
      const outcome = deploying.then(
        () => undefined,
        (error: unknown) => error,
      );
      await hosting.undeploy('ep-cancel');
      assert.ok((await outcome) instanceof HostingError);
      assert.ok(!alive(pid) || zombie(pid), 'the server being started was stopped');
      assert.ok(!existsSync(root));
    });

    it('chains the containers of a serial inference pipeline', async () => {
      const first: HostedContainer = { ...container('one', { ANSWER_TYPE: 'text/csv' }), containerHostname: 'prep' };
      const second: HostedContainer = { ...container('two'), containerHostname: 'predict' };
      await hosting.deploy({ endpointName: 'ep-pipe', deploymentId: 'd1', variants: [variant('AllTraffic', 'one', { containers: [first, second] })] });
      await hosting.activate('ep-pipe', 'd1');
      const answer = await invoke('ep-pipe', 'raw', { contentType: 'application/x-raw', accept: 'application/json' });
      assert.equal(answer.reply.reply, 'two');
      assert.equal(answer.reply.contentType, 'text/csv', "the second container gets the first one's answer type");
      assert.equal(answer.reply.accept, 'application/json');
      const inner = JSON.parse(answer.reply.body) as Reply;
      assert.deepEqual([inner.reply, inner.body, inner.contentType, inner.accept], ['one', 'raw', 'application/x-raw', null]);
      const error = await rejection(router.invoke({ endpointName: 'ep-pipe', body: Buffer.from('status:500') }));
      assert.match(error.message, /^Received server error \(500\) from prep with message "model says no"/);
      const streams = await logs.describeLogStreams({ group: '/aws/sagemaker/Endpoints/ep-pipe' });
      assert.deepEqual(
        streams.items.map((s) => s.name.replace(/i-[0-9a-f]+/, 'i')),
        ['AllTraffic/i/predict', 'AllTraffic/i/prep'],
      );
      await hosting.undeploy('ep-pipe');
    });
  });
}
