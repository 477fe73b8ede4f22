import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { bubblewrapArgv } from '../executors/process/sandbox.js';
import { groupMembers, killGroup, terminateInstance } from '../executors/process/supervisor.js';
import type { LogStreamWriter } from '../logs/index.js';
import type { ContainerClient } from './container-client.js';
import { TrackedClient } from './tracked-client.js';

/** How to run one container of one variant instance. */
export interface ModelServerOptions {
  /** The container's name in messages (`primary`, or a pipeline container's hostname). */
  readonly container: string;
  /** argv of the `serve` command (launchFor(image, 'serve')). */
  readonly command: readonly string[];
  readonly cwd?: string;
  /** The complete environment of the program (SAGEMAKER_BIND_TO_PORT included). */
  readonly env: Readonly<Record<string, string>>;
  /** The host directory that is the container's /opt/ml. */
  readonly optMlDir: string;
  /** Under bubblewrap (real /opt/ml, own hostname, the host's network) when given. */
  readonly sandbox?: { readonly hostname: string; readonly hostsFile: string };
  /** The port the server listens on (its SAGEMAKER_BIND_TO_PORT). */
  readonly port: number;
  /** Where stdout/stderr lines go (CloudWatch Logs); the model server does not close it. */
  readonly log: LogStreamWriter;
  /** SIGTERM → SIGKILL delay on stop (SageMaker: 30 s). */
  readonly stopGraceMs: number;
  /** How long GET /ping may take to answer 200 after a start or restart. */
  readonly startupTimeoutMs: number;
  /** First delay before restarting a crashed server; doubles per crash up to maxRestartDelayMs. Default 1 s. */
  readonly restartDelayMs?: number;
  /** Default 30 s. */
  readonly maxRestartDelayMs?: number;
  /** A file to record the process group in (`<pid> <start time>`), so a server that died without stopping it can be reaped (reapLeftovers). */
  readonly pidFile?: string;
  /** Health checks of the ready server (see LivenessOptions); each field has a default. */
  readonly liveness?: Partial<LivenessOptions>;
}

/**
 * How a ready model server is watched, as SageMaker keeps pinging running containers: GET /ping every
 * `intervalMs` (after the previous ping finished), each given `timeoutMs`; after `failureThreshold`
 * failed pings in a row the server is no longer ready (the router skips it), a line says so in its log
 * stream, and it is stopped (SIGTERM, SIGKILL after the stop grace period) and restarted as after a crash.
 * A ping that gets no answer while requests to the server are in flight does not count (a
 * single-threaded server answers /ping only after the request it is busy with), as long as the server
 * answered a request, or became busy, less than `busyGraceMs` ago: a server hung with requests in
 * flight is replaced too, at the latest `busyGraceMs` after its last answer.
 */
export interface LivenessOptions {
  /** Default 5 s. */
  readonly intervalMs: number;
  /** Default 2 s (SageMaker's /ping timeout). */
  readonly timeoutMs: number;
  /** Default 3. */
  readonly failureThreshold: number;
  /** Default 60 s, the invocation timeout: the longest a request may legitimately keep a server from answering /ping. */
  readonly busyGraceMs: number;
}

const livenessDefaults: LivenessOptions = { intervalMs: 5000, timeoutMs: 2000, failureThreshold: 3, busyGraceMs: 60_000 };

/** One health check of a ready server: `busy` — no answer, but requests were in flight (not counted). */
export interface HealthCheck {
  readonly outcome: 'healthy' | 'busy' | 'failed';
  /** GET /ping's status; 0 when it got no answer in time. */
  readonly status: number;
  /** How long the ping took, in ms. */
  readonly elapsedMs: number;
  /** Failed checks in a row, this one included. */
  readonly failures: number;
}

/** The model server did not become healthy; `message` says why (exit code and last output, or the timeout). */
export class ModelServerStartError extends Error {
  override readonly name = 'ModelServerStartError';
}

/** `unhealthy`: failed its health checks and is being stopped, to be restarted. */
export type ModelServerState = 'idle' | 'starting' | 'ready' | 'unhealthy' | 'restarting' | 'stopped';
type State = ModelServerState;

/** A run that lasts this long resets the restart back-off. */
const stableRunMs = 60_000;
const recentLines = 20;

/**
 * One model server process (a container of a variant instance): started with `start()` (resolves
 * once GET /ping answers 200), restarted with back-off when it exits unexpectedly (not ready in
 * between), its output lines sent to the log stream, stopped with SIGTERM then SIGKILL after the
 * grace period — the whole process group, so nothing it started is left behind. While ready it is
 * pinged periodically and replaced when it stops answering (LivenessOptions).
 */
export class ModelServer {
  readonly client: ContainerClient;
  /** The same client, as the health checks see it (requests in flight, last answer). */
  private readonly tracked: TrackedClient;
  private readonly liveness: LivenessOptions;
  private healthTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  /** How many times the server was restarted after a crash. */
  restarts = 0;
  private state: State = 'idle';
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private recent: string[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private crashes = 0;
  private startedAt = 0;

  constructor(private readonly options: ModelServerOptions) {
    this.tracked = new TrackedClient(options.port);
    this.client = this.tracked;
    this.liveness = { ...livenessDefaults, ...options.liveness };
  }

  /** True when the server answered /ping and has not exited since. */
  get ready(): boolean {
    return this.state === 'ready';
  }

  get port(): number {
    return this.options.port;
  }

  /** PIDs of the server's processes (its process group, bubblewrap included), e.g. to measure memory. */
  processIds(): number[] {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null || this.child.signalCode !== null) return [];
    return [pid, ...groupMembers(pid)];
  }

  /** The last lines the server printed (for failure reasons). */
  lastOutput(): string {
    return this.recent.join('\n');
  }

  /** Starts the server and waits for GET /ping 200. Throws ModelServerStartError (the process is then stopped). */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`model server ${this.options.container} was already started`);
    this.setState('starting');
    const child = this.spawn();
    const failure = await this.waitHealthy(child);
    if (failure !== undefined) {
      await this.stop();
      throw new ModelServerStartError(failure);
    }
  }

  /** Stops the server (SIGTERM, SIGKILL after the grace period) and closes its connections; idempotent. */
  async stop(graceMs: number = this.options.stopGraceMs): Promise<void> {
    this.setState('stopped');
    if (this.restartTimer) clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    clearTimeout(this.killTimer);
    this.client.close();
    const child = this.child;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      terminateInstance(child.pid, this.options.sandbox !== undefined);
      const kill = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(kill);
    }
    // whatever the server started and left running in its group goes too
    if (child?.pid !== undefined) killGroup(child.pid, 'SIGKILL');
  }

  private spawn(): ChildProcess {
    const { command, sandbox, optMlDir, env } = this.options;
    const argv = sandbox
      ? bubblewrapArgv(command, {
          host: sandbox.hostname,
          optMlDir,
          hostsFile: sandbox.hostsFile,
          networkIsolation: false,
          ...(this.options.cwd !== undefined ? { cwd: this.options.cwd } : {}),
        })
      : [...command];
    const [program, ...args] = argv;
    const child = spawn(program as string, args, {
      cwd: sandbox ? optMlDir : (this.options.cwd ?? optMlDir),
      env: { ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.startedAt = Date.now();
    if (this.options.pidFile !== undefined && child.pid !== undefined) {
      try {
        writeFileSync(this.options.pidFile, `${child.pid} ${processStartTime(child.pid) ?? ''}\n`);
      } catch {
        // best effort: only reaping after a crash of this server needs it
      }
    }
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => this.output(text));
    }
    child.once('error', (error) => this.note(`cannot start ${String(program)}: ${error.message}`));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    return child;
  }

  private output(text: string): void {
    try {
      this.options.log.writeChunk(text);
    } catch {
      // the log was closed (the instance is being stopped): the line is dropped
    }
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    this.recent.push(...lines);
    if (this.recent.length > recentLines) this.recent.splice(0, this.recent.length - recentLines);
  }

  /** A platform line in the server's log stream. */
  private note(message: string): void {
    this.output(`salvia: ${message}\n`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child || this.state === 'stopped' || this.state === 'starting') return;
    if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    clearTimeout(this.killTimer);
    clearTimeout(this.healthTimer);
    this.client.close();
    if (Date.now() - this.startedAt >= stableRunMs) this.crashes = 0;
    const wait = Math.min(this.options.maxRestartDelayMs ?? 30_000, (this.options.restartDelayMs ?? 1000) * 2 ** this.crashes);
    this.crashes++;
    this.setState('restarting');
    this.note(`model server ${this.options.container} exited (${signal ?? `code ${code}`}); restarting in ${wait} ms`);
    this.restartTimer = setTimeout(() => void this.restart(), wait);
  }

  private async restart(): Promise<void> {
    if (this.state !== 'restarting') return;
    this.restarts++;
    const child = this.spawn();
    const failure = await this.waitHealthy(child, 'restarting');
    if (failure === undefined || (this.state as State) === 'stopped' || child !== this.child) return;
    this.note(`restarted model server ${this.options.container} is not healthy: ${failure}`);
    if (child.pid !== undefined) {
      terminateInstance(child.pid, this.options.sandbox !== undefined);
      killGroup(child.pid, 'SIGKILL');
    }
  }

  /** Polls GET /ping until 200 (state → ready); the reason when the process exits, the timeout passes or the server is stopped. */
  private async waitHealthy(child: ChildProcess, during: State = 'starting'): Promise<string | undefined> {
    const deadline = Date.now() + this.options.startupTimeoutMs;
    let last = 'no answer';
    for (let pause = 20; ; pause = Math.min(100, pause * 1.5)) {
      if (this.state === 'stopped' || this.child !== child) return 'the model server was stopped';
      if (child.exitCode !== null || child.signalCode !== null) {
        await this.exited;
        const how = child.signalCode ?? `code ${child.exitCode}`;
        return `the model server exited (${how}) before answering GET /ping${this.recent.length ? `; its last output: ${this.recent.slice(-5).join(' | ')}` : ''}`;
      }
      const status = await ping(this.options.port, 2000);
      if (status === 200 && child.exitCode === null && child.signalCode === null && this.state === during) {
        this.setState('ready');
        this.watch(child);
        return undefined;
      }
      last = status === 0 ? 'no answer' : `status ${status}`;
      if (Date.now() >= deadline) return `GET /ping did not answer 200 within ${Math.round(this.options.startupTimeoutMs / 1000)} s (last: ${last})`;
      await delay(Math.min(pause, Math.max(1, deadline - Date.now())));
    }
  }

  /**
   * Health checks of `child` while it is the ready server: GET /ping every intervalMs; after
   * failureThreshold failures in a row, replace() it.
   */
  private watch(child: ChildProcess): void {
    const { intervalMs, timeoutMs, failureThreshold, busyGraceMs } = this.liveness;
    let failures = 0;
    const current = (): boolean => this.state === 'ready' && this.child === child;
    const check = async (): Promise<void> => {
      if (!current()) return;
      const sent = this.tracked.sent;
      const busy = this.tracked.inFlight > 0;
      const started = Date.now();
      const status = await ping(this.options.port, timeoutMs);
      if (!current()) return;
      const overlapped = busy || this.tracked.inFlight > 0 || this.tracked.sent !== sent;
      const outcome = status === 200 ? 'healthy' : status === 0 && overlapped && Date.now() - this.tracked.progressAt < busyGraceMs ? 'busy' : 'failed';
      if (outcome === 'healthy') failures = 0;
      else if (outcome === 'failed') failures++;
      if (failures >= failureThreshold) this.replace(child, failures, status);
      else this.healthTimer = setTimeout(() => void check(), intervalMs);
      this.healthChecked({ outcome, status, elapsedMs: Date.now() - started, failures });
    };
    this.healthTimer = setTimeout(() => void check(), intervalMs);
  }

  /** The ready server stopped answering /ping: not ready any more, stopped (SIGTERM, SIGKILL after the grace period) so that onExit restarts it. */
  private replace(child: ChildProcess, failures: number, status: number): void {
    const { container, stopGraceMs, sandbox } = this.options;
    this.setState('unhealthy');
    const last = status === 0 ? `no answer within ${this.liveness.timeoutMs / 1000} s` : `status ${status}`;
    this.note(
      `model server ${container} failed ${failures} health checks in a row (GET /ping: ${last}); ` +
        `taking it out of service and stopping it (SIGTERM, SIGKILL after ${stopGraceMs / 1000} s) to replace it`,
    );
    terminateInstance(child.pid, sandbox !== undefined);
    this.killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), stopGraceMs);
  }

  private setState(state: State): void {
    if (this.state === state) return;
    this.state = state;
    this.changed(state);
  }

  /** Called on every state change (subclasses observe the server through it; nothing by default). */
  protected changed(state: ModelServerState): void {
    void state;
  }

  /** Called after every health check of the ready server (subclasses observe them through it; nothing by default). */
  protected healthChecked(check: HealthCheck): void {
    void check;
  }
}

/** The start time of process `pid` (field 22 of /proc/<pid>/stat, clock ticks since boot): tells a reused pid apart. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** GET /ping's status on a connection of its own, 0 when there is no complete answer within `timeoutMs` (SageMaker's: 2 s). */
function ping(port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(0);
      req.destroy();
    }, timeoutMs);
    const done = (status: number): void => {
      clearTimeout(timer);
      resolve(status);
    };
    const req = http.get({ host: '127.0.0.1', port, path: '/ping', agent: false }, (response) => {
      response.resume();
      response.once('end', () => done(response.statusCode ?? 0));
      response.once('error', () => done(0));
    });
    req.once('error', () => done(0));
  });
}
