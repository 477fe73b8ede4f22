import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionResult, InstanceResult } from '../executor.js';
import { jobFiles, type SupervisorSpec } from './job-files.js';
import { pipeLines } from './log-lines.js';
import { SidecarSet } from './sidecars.js';

/** How long sidecars get between SIGTERM and SIGKILL at the end of a job. */
const sidecarGraceMs = 5000;

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Processes of process group `pgid` other than its leader (Linux /proc). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pgid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return members;
}

/**
 * SIGTERM for one instance. Under bubblewrap the group leader is bwrap itself, which dies of
 * SIGTERM and then SIGKILLs its child (--die-with-parent): the program would get no grace
 * period. So the signal goes to the other members of the group (the program and its children).
 */
export function terminateInstance(pid: number | undefined, sandboxed: boolean): void {
  if (pid === undefined) return;
  if (!sandboxed) return killGroup(pid, 'SIGTERM');
  for (const member of groupMembers(pid)) {
    try {
      process.kill(member, 'SIGTERM');
    } catch {
      // gone
    }
  }
}

/**
 * `salvia supervise <jobDir>`: starts the job's sidecars and waits until they are ready, then runs
 * the instances of spec.json (each in its own process group), appends their output lines to
 * logs/<host>.log, enforces MaxRuntimeInSeconds and stop requests (a `stop` file or SIGTERM:
 * SIGTERM to every instance, SIGKILL after the grace period), stops the others when one instance
 * (or a sidecar) fails, stops the sidecars and runs their cleanup, and finally writes result.json
 * atomically. Returns the exit code.
 */
export async function runSupervisor(jobDir: string): Promise<number> {
  const files = jobFiles(jobDir);
  const spec = JSON.parse(readFileSync(files.spec, 'utf8')) as SupervisorSpec;
  mkdirSync(files.logs, { recursive: true });
  const startTime = Date.now();
  let stopped = false;
  let timedOut = false;
  let terminating = false;
  const children: ChildProcess[] = [];
  const results: Array<InstanceResult | undefined> = spec.instances.map(() => undefined);
  const killTimers: NodeJS.Timeout[] = [];
  const terminate = (): void => {
    if (terminating) return;
    terminating = true;
    children.forEach((child, i) => {
      if (results[i] === undefined) terminateInstance(child.pid, spec.sandboxed === true);
    });
    killTimers.push(
      setTimeout(() => {
        children.forEach((child, i) => {
          if (results[i] === undefined) killGroup(child.pid, 'SIGKILL');
        });
      }, spec.stopGraceSeconds * 1000),
    );
  };
  const requestStop = (): void => {
    if (!terminating) stopped = true;
    terminate();
  };
  process.on('SIGTERM', requestStop);
  process.on('SIGINT', requestStop);
  process.on('SIGHUP', () => undefined);
  const watcher = setInterval(() => {
    if (!terminating && existsSync(files.stop)) requestStop();
  }, 100);
  const deadline = setTimeout(
    () => {
      if (!terminating) timedOut = true;
      terminate();
    },
    Math.min(spec.maxRuntimeSeconds * 1000, 2 ** 31 - 1),
  );

  const sidecars = new SidecarSet(spec.sidecars ?? [], files.logs, files.sidecars);
  // A sidecar failing at any time (not ready, or later) stops the job: before the start no instance runs.
  sidecars.onFailure(() => terminate());
  sidecars.start();
  const ready = await sidecars.waitReady(() => terminating);
  if (ready === undefined && !terminating) {
    await Promise.all(spec.instances.map((instance, i) => runInstance(instance, i)));
  }
  writeFileSync(files.instancePids, JSON.stringify(children.map((c) => c.pid ?? null)));
  clearInterval(watcher);
  clearTimeout(deadline);
  killTimers.forEach(clearTimeout);
  await sidecars.stop(sidecarGraceMs);
  const result: ExecutionResult = {
    instances: spec.instances.map((instance, i) => results[i] ?? { host: instance.host, exitCode: null, signal: null, error: 'not started' }),
    stopped,
    timedOut,
    ...(sidecars.failed !== undefined ? { sidecarFailure: sidecars.failed } : {}),
    startTime,
    endTime: Date.now(),
  };
  const tmp = `${files.result}.tmp`;
  writeFileSync(tmp, JSON.stringify(result));
  renameSync(tmp, files.result);
  return 0;

  function runInstance(instance: SupervisorSpec['instances'][number], i: number): Promise<void> {
    const out = createWriteStream(path.join(files.logs, `${instance.host}.log`), { flags: 'a' });
    const [program, ...args] = instance.argv;
    const child = spawn(program as string, args, { cwd: instance.cwd, env: { ...instance.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children[i] = child;
    writeFileSync(files.instancePids, JSON.stringify(children.map((c) => c.pid ?? null)));
    const piped = Promise.all([pipeLines(child.stdout as NodeJS.ReadableStream, out), pipeLines(child.stderr as NodeJS.ReadableStream, out)]);
    return new Promise<void>((resolve) => {
      let error: string | undefined;
      child.once('error', (e) => {
        error = e.message;
        out.write(`${Date.now()} salvia: cannot start ${String(program)}: ${e.message}\n`);
      });
      child.once('close', (code, signal) => {
        void piped.then(() => {
          results[i] = { host: instance.host, exitCode: code, signal, ...(error !== undefined ? { error } : {}) };
          out.end(() => resolve());
          if ((code !== 0 || error !== undefined) && !terminating) terminate();
        });
      });
    });
  }
}
