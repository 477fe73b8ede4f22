import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { SidecarRecord, SupervisorSidecar } from './job-files.js';
import { pipeLines } from './log-lines.js';
import { isMountPoint, unmountBelow } from './mounts.js';

interface Running {
  readonly spec: SupervisorSidecar;
  readonly child: ChildProcess;
  /** Resolves once the process has exited and its output is written. */
  readonly closed: Promise<void>;
  exit?: { code: number | null; signal: NodeJS.Signals | null; error?: string };
  lastLine?: string;
}

function killGroup(pid: number | undefined | null, signal: NodeJS.Signals): void {
  if (pid === undefined || pid === null) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function runCleanup(argv: readonly string[] | undefined): void {
  if (!argv || argv.length === 0) return;
  spawnSync(argv[0] as string, argv.slice(1), { stdio: 'ignore', timeout: 15_000 });
}

/**
 * The sidecars of one job inside the supervisor: started each in its own process group with
 * output lines appended to its log file, waited for until ready, watched while the instances run
 * (an unexpected failure calls `onFailure` once), stopped and cleaned up at the end. The pids go to
 * `recordFile` so that reapSidecars can clean up after a supervisor that died.
 */
export class SidecarSet {
  private readonly running: Running[] = [];
  private stopping = false;
  private failure: string | undefined;
  private failureListener: ((reason: string) => void) | undefined;

  constructor(
    private readonly specs: readonly SupervisorSidecar[],
    private readonly logsDir: string,
    private readonly recordFile: string,
  ) {}

  /** The first sidecar failure, if any. */
  get failed(): string | undefined {
    return this.failure;
  }

  /** Called once, with the reason, when a sidecar fails after the start. */
  onFailure(listener: (reason: string) => void): void {
    this.failureListener = listener;
  }

  /** Spawns every sidecar and records their pids. */
  start(): void {
    for (const spec of this.specs) {
      const out = createWriteStream(path.join(this.logsDir, spec.logFile), { flags: 'a' });
      const [program, ...args] = spec.argv;
      const child = spawn(program as string, args, { env: { ...spec.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const entry: Running = {
        spec,
        child,
        closed: new Promise<void>((resolve) => {
          const onLine = (line: string): void => {
            if (line.trim() !== '') entry.lastLine = line.trim();
          };
          const piped = Promise.all([
            pipeLines(child.stdout as NodeJS.ReadableStream, out, onLine),
            pipeLines(child.stderr as NodeJS.ReadableStream, out, onLine),
          ]);
          child.once('error', (error) => {
            entry.exit = { code: null, signal: null, error: error.message };
            out.write(`${Date.now()} salvia: cannot start sidecar ${spec.name} (${String(program)}): ${error.message}\n`);
          });
          child.once('close', (code, signal) => {
            void piped.then(() => {
              entry.exit = { code, signal, ...(entry.exit?.error !== undefined ? { error: entry.exit.error } : {}) };
              out.end(() => resolve());
              if (!this.stopping && this.isFailure(entry)) this.fail(this.reasonFor(entry));
            });
          });
        }),
      };
      this.running.push(entry);
    }
    const records: SidecarRecord[] = this.running.map((r) => ({
      name: r.spec.name,
      pid: r.child.pid ?? null,
      ...(r.spec.cleanup ? { cleanup: r.spec.cleanup } : {}),
    }));
    writeFileSync(this.recordFile, JSON.stringify(records));
  }

  private isFailure(entry: Running): boolean {
    return entry.exit !== undefined && (entry.exit.error !== undefined || entry.exit.code !== 0);
  }

  private reasonFor(entry: Running): string {
    const file = entry.spec.failureFile;
    if (file !== undefined && existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (text !== '') return text;
    }
    const exit = entry.exit;
    const how =
      exit?.error !== undefined
        ? `could not be started (${exit.error})`
        : exit?.signal
          ? `was killed by ${exit.signal}`
          : `exited with code ${String(exit?.code)}`;
    return `The input sidecar ${entry.spec.name} ${how}${entry.lastLine !== undefined ? `: ${entry.lastLine}` : ''}`;
  }

  private fail(reason: string): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    this.failureListener?.(reason);
  }

  /**
   * Waits until every sidecar is ready. Returns the reason when one exited or timed out first (also
   * recorded as the failure), or `aborted` when `abort()` became true meanwhile; undefined when all are ready.
   */
  async waitReady(abort: () => boolean): Promise<string | 'aborted' | undefined> {
    for (const entry of this.running) {
      const ready = entry.spec.ready;
      const deadline = Date.now() + entry.spec.readyTimeoutSeconds * 1000;
      for (;;) {
        if (this.failure !== undefined) return this.failure;
        if (entry.exit !== undefined) {
          const reason = this.isFailure(entry) ? this.reasonFor(entry) : `The input sidecar ${entry.spec.name} ended before it was ready`;
          this.fail(reason);
          return reason;
        }
        if (!ready || (ready.kind === 'file' ? existsSync(ready.path) : isMountPoint(ready.path))) break;
        if (abort()) return 'aborted';
        if (Date.now() > deadline) {
          const reason = `The input sidecar ${entry.spec.name} was not ready within ${entry.spec.readyTimeoutSeconds} s (${ready.kind} ${ready.path})${entry.lastLine !== undefined ? `: ${entry.lastLine}` : ''}`;
          this.fail(reason);
          return reason;
        }
        await delay(20);
      }
    }
    return undefined;
  }

  /** SIGTERM to every sidecar's group, SIGKILL after `graceMs`, then each one's cleanup. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const entry of this.running) if (entry.exit === undefined) killGroup(entry.child.pid, 'SIGTERM');
    const all = Promise.all(this.running.map((r) => r.closed));
    const timer = setTimeout(() => {
      for (const entry of this.running) if (entry.exit === undefined) killGroup(entry.child.pid, 'SIGKILL');
    }, graceMs);
    await all;
    clearTimeout(timer);
    // Children the sidecar left in its group.
    for (const entry of this.running) killGroup(entry.child.pid, 'SIGKILL');
    for (const entry of this.running) runCleanup(entry.spec.cleanup);
  }
}

/** After a supervisor died: kills the sidecar groups recorded in `recordFile`, runs their cleanup, unmounts FUSE mounts left below `jobDir`. */
export function reapSidecars(recordFile: string, jobDir: string): void {
  let records: SidecarRecord[] = [];
  try {
    records = JSON.parse(readFileSync(recordFile, 'utf8')) as SidecarRecord[];
  } catch {
    // none started
  }
  for (const record of records) killGroup(record.pid, 'SIGKILL');
  for (const record of records) runCleanup(record.cleanup);
  unmountBelow(jobDir);
}
