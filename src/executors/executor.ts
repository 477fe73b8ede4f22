/** One instance (host) of a job to run. */
export interface InstanceLaunch {
  /** `algo-<n>`. */
  readonly host: string;
  /** Program and arguments. */
  readonly command: readonly string[];
  /** Working directory (as the program sees it). */
  readonly cwd?: string;
  /** The complete environment of the program (nothing else is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** The host directory laid out as `/opt/ml` for this instance. */
  readonly optMlDir: string;
}

/** What an executor runs: every instance of one job, with its limits. */
export interface LaunchSpec {
  /** The job's directory: the executor keeps its state, logs and result here. */
  readonly jobDir: string;
  readonly instances: readonly InstanceLaunch[];
  /** MaxRuntimeInSeconds, counted from the launch. */
  readonly maxRuntimeSeconds: number;
  /** Time between SIGTERM and SIGKILL on stop or timeout. */
  readonly stopGraceSeconds: number;
  /** EnableNetworkIsolation: no network at all (where the executor can enforce it). */
  readonly networkIsolation: boolean;
}

/** How one instance ended. */
export interface InstanceResult {
  readonly host: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Set when the program could not be started at all. */
  readonly error?: string;
}

/** How a launch ended (the supervisor's result.json). */
export interface ExecutionResult {
  readonly instances: readonly InstanceResult[];
  readonly stopped: boolean;
  readonly timedOut: boolean;
  readonly startTime: number;
  readonly endTime: number;
}

/** What the executor knows of a launched job right now. */
export type ExecutionState = { readonly state: 'running' } | { readonly state: 'finished'; readonly result: ExecutionResult } | { readonly state: 'lost' };

/**
 * Runs a job's instances outside the server process, so they survive a server restart. Output
 * lines go to one append-only file per instance (`<epoch ms> <line>`), read with `logPath`.
 */
export interface Executor {
  /** Whether programs see their directory at the real `/opt/ml` (else paths must be rebased through SM_* variables). */
  readonly realOptMl: boolean;
  /** Starts the job; resolves once it is launched. Throws if it cannot be started. */
  launch(spec: LaunchSpec): Promise<void>;
  /** Asks a running job to stop (SIGTERM, then SIGKILL after the grace period). */
  requestStop(jobDir: string): Promise<void>;
  /** Running, finished with a result, or lost (its supervisor died without a result). */
  poll(jobDir: string): Promise<ExecutionState>;
  /** The instance's output file. */
  logPath(jobDir: string, host: string): string;
  /** Kills whatever a lost job left behind. */
  reap(jobDir: string): Promise<void>;
}
