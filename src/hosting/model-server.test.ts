// Health checks of a ready ModelServer, with the real server process of test/fixtures/endpoints/stops-answering:
// a server that stops answering is taken out of service, logged, stopped and restarted; a busy server
// that answers /ping slowly stays; a single-threaded server whose /ping waits behind a long request
// stays (the ping does not count while requests are in flight) — unless it makes no progress for
// busyGraceMs. Every wait is on an observed event (a health check, a state change) or a file the fixture writes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { bubblewrapWorks, hostsFileText } from '../executors/process/sandbox.js';
import { LogService, LogStreamWriter } from '../logs/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyLogRepository } from '../store/repositories/logs.js';
import { ContainerRequestError } from './container-client.js';
import { freePort } from './free-port.js';
import { ModelServer, type HealthCheck, type LivenessOptions, type ModelServerOptions, type ModelServerState } from './model-server.js';

const fixture = fileURLToPath(new URL('../../../test/fixtures/endpoints/stops-answering/serve', import.meta.url));
const group = '/aws/sagemaker/Endpoints/model-server-test';

/** A ModelServer whose health checks and state changes a test can wait for. */
class ObservedServer extends ModelServer {
  readonly checks: HealthCheck[] = [];
  readonly states: ModelServerState[] = [];
  private waiters: Array<() => void> = [];

  protected override changed(state: ModelServerState): void {
    this.states.push(state);
    for (const wake of this.waiters.splice(0)) wake();
  }

  protected override healthChecked(check: HealthCheck): void {
    this.checks.push(check);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once `condition()` holds (checked after each health check and state change); fails after `timeoutMs`. */
  async until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      assert.ok(left > 0, `timed out waiting for ${what}; states ${this.states.join(' → ')}; checks ${JSON.stringify(this.checks.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

interface Answer {
  token: string;
  pid: number;
  body: string;
}

describe('ModelServer health checks while ready (real model server process)', { concurrency: true }, () => {
  let dir: string;
  let database: Database;
  let logs: LogService;
  const servers: ModelServer[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-model-server-'));
    database = await openDatabase({ database: 'sqlite', dataDir: dir });
    logs = new LogService(new KyselyLogRepository(database), { region: 'us-east-1', accountId: '000000000000' });
    await logs.createLogGroup(group);
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.stop(0)));
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A started server of the fixture with `env`, its own log stream and files; fast health checks unless `liveness` says otherwise. */
  async function serve(name: string, env: Record<string, string> = {}, liveness: Partial<LivenessOptions> = {}, sandboxed = false) {
    const home = mkdtempSync(path.join(dir, `${name}-`));
    const port = await freePort();
    await logs.createLogStream(group, name);
    const log = new LogStreamWriter(logs, group, name, { flushIntervalMs: 10 });
    const hangFile = path.join(home, 'hang');
    const options: ModelServerOptions = {
      container: 'primary',
      command: [fixture],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', SAGEMAKER_BIND_TO_PORT: String(port), HANG_FILE: hangFile, ...env },
      optMlDir: home,
      port,
      log,
      stopGraceMs: 2000,
      startupTimeoutMs: 20_000,
      restartDelayMs: 50,
      liveness: { intervalMs: 100, timeoutMs: 1000, failureThreshold: 3, ...liveness },
      ...(sandboxed ? { sandbox: { hostname: 'localhost', hostsFile: path.join(home, 'hosts') } } : {}),
    };
    if (sandboxed) writeFileSync(path.join(home, 'hosts'), hostsFileText(0));
    const server = new ObservedServer(options);
    servers.push(server);
    await server.start();
    const invoke = async (body: string): Promise<Answer> => {
      const response = await server.client.request({ method: 'POST', path: '/invocations', body: Buffer.from(body), timeoutMs: 30_000 });
      assert.equal(response.status, 200, response.body.toString());
      return JSON.parse(response.body.toString()) as Answer;
    };
    /** Starts an invocation that the fixture holds until release() and resolves once the fixture has it. */
    const blocked = async (): Promise<{ answer: Promise<Answer>; release: () => void }> => {
      const gate = path.join(home, `release-${Date.now()}`);
      const answer = invoke(`block:${gate}`);
      answer.catch(() => undefined);
      // the fixture writes <gate>.started once it holds the request (looked for after each health check)
      await server.until(() => existsSync(`${gate}.started`), 'the fixture to hold the invocation');
      return { answer, release: () => writeFileSync(gate, '') };
    };
    const lines = async (): Promise<string[]> => {
      await log.flush();
      const events = await logs.getLogEvents({ group, stream: name, startFromHead: true });
      return events.events.map((event) => event.message);
    };
    return { server, hangFile, invoke, blocked, lines };
  }

  for (const sandboxed of bubblewrapWorks() ? [false, true] : [false]) {
    it(`a ready server that stops answering /ping is taken out of service, logged, stopped and restarted${sandboxed ? ' (bubblewrap)' : ''}`, async () => {
      const { server, hangFile, invoke, lines } = await serve(`hangs${sandboxed ? '-bwrap' : ''}`, {}, {}, sandboxed);
      const before = await invoke('hello');
      await server.until(() => server.checks.some((check) => check.outcome === 'healthy'), 'a healthy check');
      writeFileSync(hangFile, before.token);
      await server.until(() => server.states.includes('unhealthy'), 'the server to be taken out of service');
      assert.equal(server.ready, false);
      assert.deepEqual(
        server.checks.slice(-3).map((check) => [check.outcome, check.status, check.failures]),
        [
          ['failed', 0, 1],
          ['failed', 0, 2],
          ['failed', 0, 3],
        ],
      );
      await server.until(() => server.ready && server.restarts === 1, 'the restarted server to be ready');
      assert.deepEqual(server.states.slice(-4), ['ready', 'unhealthy', 'restarting', 'ready']);
      const after = await invoke('again');
      assert.notEqual(after.token, before.token, 'the hung server was not replaced');
      const log = await lines();
      assert.ok(
        log.some((line) =>
          /^salvia: model server primary failed 3 health checks in a row \(GET \/ping: no answer within 1 s\); taking it out of service and stopping it/.test(
            line,
          ),
        ),
        log.join('\n'),
      );
      assert.ok(
        log.some((line) => /^salvia: model server primary exited \((SIGTERM|code 143)\); restarting in \d+ ms$/.test(line)),
        log.join('\n'),
      );
    });
  }

  it('a busy threaded server that answers /ping slowly but within the timeout stays in service during a slow invocation', async () => {
    const { server, invoke, blocked } = await serve('busy-threaded', { BUSY_PING_MS: '300' });
    const first = await invoke('hello');
    const slow = await blocked();
    const from = server.checks.length;
    await server.until(
      () => server.checks.slice(from).filter((check) => check.outcome === 'healthy').length >= 3,
      'three healthy checks during the invocation',
    );
    const during = server.checks.slice(from);
    assert.equal(
      during.some((check) => check.outcome === 'failed'),
      false,
    );
    const answered = during.filter((check) => check.outcome === 'healthy');
    assert.ok(answered.length >= 3, JSON.stringify(during));
    assert.ok(
      answered.every((check) => check.elapsedMs >= 290),
      `pings were not slowed by the busy server: ${JSON.stringify(during)}`,
    );
    assert.equal(server.ready, true);
    slow.release();
    assert.equal((await slow.answer).token, first.token);
    assert.equal(server.restarts, 0);
  });

  it('a single-threaded server whose /ping waits behind a long request stays in service: those pings do not count', async () => {
    const { server, invoke, blocked } = await serve('single-threaded', { SINGLE_THREADED: '1' }, { timeoutMs: 300 });
    const first = await invoke('hello');
    await server.until(() => server.checks.some((check) => check.outcome === 'healthy'), 'a healthy check');
    const slow = await blocked();
    const from = server.checks.length;
    await server.until(() => server.checks.slice(from).filter((check) => check.outcome === 'busy').length >= 5, 'five unanswered pings while busy');
    assert.equal(
      server.checks.slice(from).some((check) => check.outcome === 'failed'),
      false,
    );
    assert.equal(server.ready, true);
    slow.release();
    assert.equal((await slow.answer).token, first.token);
    const settled = server.checks.length;
    await server.until(() => server.checks.slice(settled).some((check) => check.outcome === 'healthy'), 'a healthy check after the request');
    assert.equal(server.restarts, 0);
    assert.deepEqual(server.states, ['starting', 'ready']);
  });

  it('a server with requests in flight but no answer for longer than busyGraceMs is replaced all the same', async () => {
    const { server, invoke, blocked } = await serve('stuck-busy', { SINGLE_THREADED: '1' }, { timeoutMs: 300, busyGraceMs: 1500 });
    const first = await invoke('hello');
    const stuck = await blocked();
    await server.until(() => server.states.includes('unhealthy'), 'the stuck server to be taken out of service');
    const outcomes = server.checks.map((check) => check.outcome);
    assert.ok(outcomes.includes('busy'), `no ping was excused first: ${outcomes.join(' ')}`);
    assert.deepEqual(outcomes.slice(-3), ['failed', 'failed', 'failed']);
    await assert.rejects(stuck.answer, ContainerRequestError);
    stuck.release();
    await server.until(() => server.ready && server.restarts === 1, 'the restarted server to be ready');
    assert.notEqual((await invoke('again')).token, first.token);
  });
});
