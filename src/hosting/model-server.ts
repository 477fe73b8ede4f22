import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { bubblewrapArgv } from '../executors/process/sandbox.js';
import { groupMembers, killGroup, terminateInstance } from '../executors/process/supervisor.js';
import type { LogStreamWriter } from '../logs/index.js';
import { ContainerClient } from './container-client.js';

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
}

/** The model server did not become healthy; `message` says why (exit code and last output, or the timeout). */
export class ModelServerStartError extends Error {
  override readonly name = 'ModelServerStartError';
}

type State = 'idle' | 'starting' | 'ready' | 'restarting' | 'stopped';

/** A run that lasts this long resets the restart back-off. */
const stableRunMs = 60_000;
const recentLines = 20;

/**
 * One model server process (a container of a variant instance): started with `start()` (resolves
 * once GET /ping answers 200), restarted with back-off when it exits unexpectedly (not ready in
 * between), its output lines sent to the log stream, stopped with SIGTERM then SIGKILL after the
 * grace period — the whole process group, so nothing it started is left behind.
 */
export class ModelServer {
  readonly client: ContainerClient;
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
    this.client = new ContainerClient(options.port);
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
    this.state = 'starting';
    const child = this.spawn();
    const failure = await this.waitHealthy(child);
    if (failure !== undefined) {
      await this.stop();
      throw new ModelServerStartError(failure);
    }
  }

  /** Stops the server (SIGTERM, SIGKILL after the grace period) and closes its connections; idempotent. */
  async stop(graceMs: number = this.options.stopGraceMs): Promise<void> {
    this.state = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
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
    this.client.close();
    if (Date.now() - this.startedAt >= stableRunMs) this.crashes = 0;
    const wait = Math.min(this.options.maxRestartDelayMs ?? 30_000, (this.options.restartDelayMs ?? 1000) * 2 ** this.crashes);
    this.crashes++;
    this.state = 'restarting';
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
      const status = await ping(this.options.port);
      if (status === 200 && child.exitCode === null && child.signalCode === null && this.state === during) {
        this.state = 'ready';
        return undefined;
      }
      last = status === 0 ? 'no answer' : `status ${status}`;
      if (Date.now() >= deadline) return `GET /ping did not answer 200 within ${Math.round(this.options.startupTimeoutMs / 1000)} s (last: ${last})`;
      await delay(Math.min(pause, Math.max(1, deadline - Date.now())));
    }
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

/** GET /ping's status, 0 when there is no answer within 2 s (SageMaker's per-ping timeout). */
function ping(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/ping', agent: false, timeout: 2000 }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', () => resolve(0));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
  });
}
