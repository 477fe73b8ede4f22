import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionResult, ExecutionState, Executor, LaunchSpec } from '../executor.js';
import { jobFiles, type SupervisorSpec } from './job-files.js';
import { bubblewrapArgv, bubblewrapWorks, hostsFileText } from './sandbox.js';
import { unmountBelow } from './mounts.js';
import { reapSidecars } from './sidecars.js';

/** The supervisor's entry point next to this module (what `salvia supervise` runs, without loading the whole CLI). */
function supervisorEntry(): string {
  return fileURLToPath(new URL('./supervisor-main.js', import.meta.url));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Settings of the process executor. */
export interface ProcessExecutorConfig {
  /** Use bubblewrap when it works (default true); false forces plain processes. */
  readonly sandbox?: boolean;
  /** Called once with a warning when instances run without a sandbox. */
  readonly warn?: (message: string) => void;
}

/**
 * Runs instances as local processes under a detached supervisor (`salvia supervise <jobDir>`, started
 * through its light entry point supervisor-main.js;
 * its own session) that survives server restarts. With bubblewrap (probed once) each instance
 * sees its directory at the real /opt/ml, has hostname algo-N resolvable by the others and, with
 * network isolation, no network; without it, programs run as plain processes and must use the
 * SM_* paths.
 */
export class ProcessExecutor implements Executor {
  readonly realOptMl: boolean;

  constructor(config: ProcessExecutorConfig = {}) {
    this.realOptMl = config.sandbox !== false && bubblewrapWorks();
    if (!this.realOptMl) {
      config.warn?.(
        'bubblewrap (bwrap) is not available: training programs run as plain processes, /opt/ml is not mounted (paths are rebased through SM_* variables), hostnames algo-N are not set and EnableNetworkIsolation is not enforced',
      );
    }
  }

  async launch(spec: LaunchSpec): Promise<void> {
    const files = jobFiles(spec.jobDir);
    mkdirSync(files.dir, { recursive: true });
    mkdirSync(files.logs, { recursive: true });
    await writeFile(files.hosts, hostsFileText(spec.instances.length));
    const supervisorSpec: SupervisorSpec = {
      maxRuntimeSeconds: spec.maxRuntimeSeconds,
      stopGraceSeconds: spec.stopGraceSeconds,
      sandboxed: this.realOptMl,
      sidecars: (spec.sidecars ?? []).map((sidecar) => ({
        name: sidecar.name,
        argv: [...sidecar.command],
        env: sidecar.env,
        readyTimeoutSeconds: sidecar.readyTimeoutSeconds ?? 60,
        logFile: `${sidecar.logHost ?? `sidecar-${sidecar.name}`}.log`,
        ...(sidecar.ready ? { ready: sidecar.ready } : {}),
        ...(sidecar.cleanup ? { cleanup: sidecar.cleanup } : {}),
        ...(sidecar.failureFile !== undefined ? { failureFile: sidecar.failureFile } : {}),
      })),
      instances: spec.instances.map((instance) => ({
        host: instance.host,
        env: instance.env,
        ...(this.realOptMl
          ? {
              argv: bubblewrapArgv(instance.command, {
                host: instance.host,
                optMlDir: instance.optMlDir,
                hostsFile: files.hosts,
                networkIsolation: spec.networkIsolation,
                ...(instance.cwd !== undefined ? { cwd: instance.cwd } : {}),
                ...(instance.binds ? { binds: instance.binds } : {}),
              }),
            }
          : { argv: [...instance.command], ...(instance.cwd !== undefined ? { cwd: instance.cwd } : {}) }),
      })),
    };
    await writeFile(files.spec, JSON.stringify(supervisorSpec));
    const log = openSync(files.log, 'a');
    try {
      const child = spawn(process.execPath, [supervisorEntry(), spec.jobDir], { detached: true, stdio: ['ignore', log, log], cwd: spec.jobDir });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      await writeFile(files.pid, String(child.pid));
      child.unref();
    } finally {
      closeSync(log);
    }
  }

  async requestStop(jobDir: string): Promise<void> {
    const files = jobFiles(jobDir);
    mkdirSync(files.dir, { recursive: true });
    await writeFile(files.stop, String(Date.now()));
  }

  async poll(jobDir: string): Promise<ExecutionState> {
    const files = jobFiles(jobDir);
    const result = await this.result(files.result);
    if (result) return { state: 'finished', result };
    const pid = Number(await readFile(files.pid, 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) return { state: 'running' };
    // It may have written its result just now.
    const late = await this.result(files.result);
    return late ? { state: 'finished', result: late } : { state: 'lost' };
  }

  private async result(file: string): Promise<ExecutionResult | undefined> {
    if (!existsSync(file)) return undefined;
    return JSON.parse(await readFile(file, 'utf8')) as ExecutionResult;
  }

  logPath(jobDir: string, host: string): string {
    return path.join(jobFiles(jobDir).logs, `${host}.log`);
  }

  async reap(jobDir: string): Promise<void> {
    const files = jobFiles(jobDir);
    // A finished supervisor stopped its processes itself: only mounts its cleanup could not remove remain.
    if (existsSync(files.result)) {
      unmountBelow(jobDir);
      return;
    }
    // A live supervisor still owns its processes.
    const supervisor = Number(await readFile(files.pid, 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(supervisor) && supervisor > 0 && alive(supervisor)) return;
    reapSidecars(files.sidecars, jobDir);
    const pids = JSON.parse(await readFile(jobFiles(jobDir).instancePids, 'utf8').catch(() => '[]')) as Array<number | null>;
    for (const pid of pids) {
      if (pid === null) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
