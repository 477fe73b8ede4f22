import path from 'node:path';

/** Where the process executor keeps one job's state inside its job directory. */
export function jobFiles(jobDir: string) {
  const dir = path.join(jobDir, 'supervisor');
  return {
    dir,
    spec: path.join(dir, 'spec.json'),
    pid: path.join(dir, 'pid'),
    instancePids: path.join(dir, 'instances.json'),
    /** The started sidecars: `[{ name, pid, cleanup }]` (what reap needs after a supervisor died). */
    sidecars: path.join(dir, 'sidecars.json'),
    result: path.join(dir, 'result.json'),
    stop: path.join(dir, 'stop'),
    log: path.join(dir, 'supervisor.log'),
    hosts: path.join(dir, 'hosts'),
    logs: path.join(jobDir, 'logs'),
  } as const;
}

/** The spec file the server writes and the supervisor runs. */
export interface SupervisorSpec {
  readonly instances: ReadonlyArray<{
    readonly host: string;
    readonly argv: readonly string[];
    readonly cwd?: string;
    readonly env: Readonly<Record<string, string>>;
  }>;
  readonly maxRuntimeSeconds: number;
  readonly stopGraceSeconds: number;
  /** Instances run under bubblewrap (SIGTERM goes to the program, not to bwrap). */
  readonly sandboxed?: boolean;
  readonly sidecars?: readonly SupervisorSidecar[];
}

/** A sidecar as the supervisor runs it (SidecarLaunch with the defaults applied). */
export interface SupervisorSidecar {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ready?: { readonly kind: 'file' | 'mount'; readonly path: string };
  readonly readyTimeoutSeconds: number;
  readonly cleanup?: readonly string[];
  /** The log file (below logs/) its output lines are appended to. */
  readonly logFile: string;
  readonly failureFile?: string;
}

/** What sidecars.json records of each started sidecar. */
export interface SidecarRecord {
  readonly name: string;
  readonly pid: number | null;
  readonly cleanup?: readonly string[];
}
