import { createHash, randomUUID } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runLogged, type LoggedRun } from './run-logged.js';

/** A Python environment ready to run: the interpreter to use and variables to add to the process's environment. */
export interface PythonEnvironment {
  /** The venv's `bin/python`, or the configured interpreter when no requirements were asked for. */
  readonly python: string;
  /** `VIRTUAL_ENV` for a venv; empty otherwise. */
  readonly env: Record<string, string>;
  /** The venv's `bin/` (prepend it to PATH so `python`/`pip` in user scripts are the venv's); undefined without a venv. */
  readonly binDir?: string;
}

/** A runtime environment could not be built; the message (fit for a FailureReason) says why, with pip's last lines. */
export class RuntimeEnvironmentError extends Error {
  override readonly name = 'RuntimeEnvironmentError';
}

const READY = '.salvia-ready';

function describe(run: LoggedRun): string {
  if (run.error) return run.error.message;
  return run.signal ? `killed by ${run.signal}` : `exit code ${String(run.code)}`;
}

/**
 * Python virtual environments built on first use from a requirements file and cached under
 * `<dataDir>/runtimes/<sha256 of requirements text + interpreter>` — the local analogue of pulling
 * an image. Venvs use `--system-site-packages`, so the interpreter's own packages (Debian's
 * python3-xgboost for /usr/bin/python3) stay visible. Venvs embed their own path (script shebangs),
 * so a build happens in place and becomes visible atomically: a `.salvia-ready` marker is renamed
 * into it last; a directory without the marker is a crashed build and is rebuilt. Concurrent calls
 * for the same environment share one build.
 */
export class RuntimeEnvironments {
  private readonly builds = new Map<string, Promise<PythonEnvironment>>();
  private basePip: Promise<boolean> | undefined;

  constructor(private readonly config: { readonly dataDir: string; readonly python: string }) {}

  /** Where the environments live. */
  get directory(): string {
    return path.join(this.config.dataDir, 'runtimes');
  }

  /**
   * The environment for `requirements` (a requirements file path), building it if needed and
   * streaming venv/pip output lines to `onLog`. Without requirements: the configured interpreter.
   * Throws RuntimeEnvironmentError when the file cannot be read or the build fails.
   */
  async ensure(requirements: string | undefined, onLog: (line: string) => void): Promise<PythonEnvironment> {
    if (requirements === undefined) return { python: this.config.python, env: {} };
    const text = await readFile(requirements, 'utf8').catch((error: unknown) => {
      throw new RuntimeEnvironmentError(`Cannot read requirements file ${requirements}: ${(error as Error).message}`, { cause: error });
    });
    const key = createHash('sha256').update(text).update('\0').update(this.config.python).digest('hex');
    const dir = path.join(this.directory, key);
    const existing = this.builds.get(key);
    if (existing) return existing;
    const build = this.ready(dir).then((ready) => (ready ? this.environment(dir) : this.build(dir, requirements, onLog)));
    this.builds.set(key, build);
    // A failed build may be retried by the next caller; a finished one is found by its marker.
    build.then(
      () => this.builds.delete(key),
      () => this.builds.delete(key),
    );
    return build;
  }

  private environment(dir: string): PythonEnvironment {
    const binDir = path.join(dir, 'bin');
    return { python: path.join(binDir, 'python'), env: { VIRTUAL_ENV: dir }, binDir };
  }

  private async ready(dir: string): Promise<boolean> {
    return stat(path.join(dir, READY)).then(
      () => true,
      () => false,
    );
  }

  private async hasBasePip(): Promise<boolean> {
    this.basePip ??= runLogged([this.config.python, '-m', 'pip', '--version'], { onLog: () => undefined }).then((run) => run.code === 0);
    return this.basePip;
  }

  private async build(dir: string, requirements: string, onLog: (line: string) => void): Promise<PythonEnvironment> {
    const fail = (what: string, run: LoggedRun): never => {
      throw new RuntimeEnvironmentError(
        `Could not build the Python environment for ${path.basename(requirements)} with ${this.config.python}: ${what} failed (${describe(run)})${run.tail.length ? `: ${run.tail.slice(-5).join(' | ')}` : ''}`,
      );
    };
    await rm(dir, { recursive: true, force: true });
    await mkdir(this.directory, { recursive: true });
    onLog(`Building Python environment for ${path.basename(requirements)} (${this.config.python}) in ${dir}`);
    const withoutPip = (await this.hasBasePip()) ? ['--without-pip'] : [];
    const venv = await runLogged([this.config.python, '-m', 'venv', '--system-site-packages', ...withoutPip, dir], { onLog });
    if (venv.code !== 0) {
      await rm(dir, { recursive: true, force: true });
      fail('python -m venv', venv);
    }
    const environment = this.environment(dir);
    const pip = await runLogged(
      [environment.python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', '-r', requirements],
      { onLog },
    );
    if (pip.code !== 0) {
      await rm(dir, { recursive: true, force: true });
      fail('pip install', pip);
    }
    const marker = path.join(dir, `${READY}.${randomUUID()}`);
    await writeFile(marker, `${new Date().toISOString()}\n`);
    await rename(marker, path.join(dir, READY));
    onLog(`Python environment ready: ${dir}`);
    return environment;
  }
}
