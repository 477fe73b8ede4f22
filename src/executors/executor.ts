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
  /** Host directories mounted into the instance (file-system channels); only an executor with `realOptMl` can mount them. */
  readonly binds?: readonly DirectoryBind[];
}

/** A host directory that appears at `containerPath` (below /opt/ml) in an instance, read-only or writable. */
export interface DirectoryBind {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly: boolean;
}

/**
 * A helper process of a job (a channel sidecar: a Pipe feeder, a FUSE mount …). Sidecars start
 * before the instances, each in its own process group, and the instances start only once every
 * sidecar is ready; when the instances have ended (or on stop, timeout or a sidecar failure) the
 * sidecars get SIGTERM (SIGKILL after a few seconds) and then their `cleanup` runs.
 */
export interface SidecarLaunch {
  /** Unique within the job (`[A-Za-z0-9._-]+`): names its log and state. */
  readonly name: string;
  /** Program and arguments (run on the host, outside any sandbox). */
  readonly command: readonly string[];
  /** The complete environment of the program (nothing else is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * When the sidecar is ready: `file` — the path exists; `mount` — the path is a mount point (in
   * /proc/self/mountinfo). Without it the sidecar is ready once started. Not ready within
   * `readyTimeoutSeconds` (default 60), or exited before, fails the job.
   */
  readonly ready?: { readonly kind: 'file' | 'mount'; readonly path: string };
  readonly readyTimeoutSeconds?: number;
  /** Argv run after the sidecar was stopped (e.g. `fusermount3 -u <dir>`); also run when a dead supervisor's leftovers are reaped. */
  readonly cleanup?: readonly string[];
  /** The instance (`algo-N`) whose log gets this sidecar's output lines; default a log of its own (`sidecar-<name>`). */
  readonly logHost?: string;
  /** A file the sidecar writes a one-line reason into before it exits with a failure: the job's FailureReason. */
  readonly failureFile?: string;
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
  /** Channel sidecars started before the instances (see SidecarLaunch). */
  readonly sidecars?: readonly SidecarLaunch[];
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
  /** A sidecar failed (not ready, or exited with an error while the instances ran): why. The instances were stopped. */
  readonly sidecarFailure?: string;
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
  /**
   * Kills whatever a job left behind: instances and sidecars of a lost supervisor, sidecar cleanup
   * commands, stale FUSE mounts below the job directory (lazily unmounted). Safe to call after a
   * finished job (the training service does so before deleting the instance directories).
   */
  reap(jobDir: string): Promise<void>;
}
