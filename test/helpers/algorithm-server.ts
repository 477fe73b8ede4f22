// Serves a built-in algorithm's model.tar.gz with the SAME command the platform runs
// (launchFor(builtin, 'serve')), for tests that train through the platform and then check predictions.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { builtinImage, launchFor, type BuiltinAlgorithm, type Launch } from '../../src/images/index.js';
import { unusedPort } from './free-port.js';
import { repoRoot } from './server-process.js';

const execFileAsync = promisify(execFile);

/** The interpreter the built-in algorithms run with in tests: $SALVIA_ALGORITHM_PYTHON or the platform default. */
export const algorithmPython = process.env['SALVIA_ALGORITHM_PYTHON'] || '/usr/bin/python3';

/** A running model server. */
export interface AlgorithmServer {
  /** `http://127.0.0.1:<port>`: GET /ping, POST /invocations … */
  readonly url: string;
  /** The base dir standing in for /opt/ml (the model is unpacked into its model/). */
  readonly baseDir: string;
  /** Everything the server printed so far. */
  output(): string;
  /** POST /invocations with `body`; resolves with status, content type and body text. */
  invoke(body: string | Buffer, contentType: string, accept?: string): Promise<{ status: number; contentType: string; body: string }>;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its base dir. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /** A built-in algorithm, or `launch` for any other image. */
  readonly algorithm?: BuiltinAlgorithm;
  /** The launch for the server's /opt/ml stand-in (e.g. `launchFor(<framework image>, 'serve', { python, optMl })`); overrides `algorithm`. */
  readonly launch?: (optMl: string) => Launch;
  /** The training job's model.tar.gz: its bytes or a path to it. */
  readonly modelTarGz: Buffer | string;
  /** Extra environment (e.g. SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for GET /ping to answer 200 (default 30 s). */
  readonly readyTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Unpacks `modelTarGz` into a fresh base dir's model/ and starts
 * `<algorithm python> -m salvia_algorithms.<module> serve` as the platform would, with
 * SAGEMAKER_BASE_DIR=<base dir> and SAGEMAKER_BIND_TO_PORT=<free port>; resolves once GET /ping
 * answers 200 (readiness polling). Rejects with the server's output if it exits or never gets ready.
 */
export async function serveModel(options: ServeOptions): Promise<AlgorithmServer> {
  const baseDir = mkdtempSync(path.join(tmpdir(), 'salvia-serve-'));
  const modelDir = path.join(baseDir, 'model');
  mkdirSync(modelDir, { recursive: true });
  let archive = options.modelTarGz;
  if (Buffer.isBuffer(archive)) {
    const file = path.join(baseDir, 'model.tar.gz');
    writeFileSync(file, archive);
    archive = file;
  }
  await execFileAsync('tar', ['-xzf', archive, '-C', modelDir]);
  const name = options.algorithm ?? 'framework';
  const launch = options.launch
    ? options.launch(baseDir)
    : launchFor(builtinImage(options.algorithm ?? 'xgboost', { python: algorithmPython, runtimeDir: path.join(repoRoot, 'runtime') }), 'serve', {
        optMl: baseDir,
      });
  const port = await unusedPort();
  const [program, ...args] = launch.command;
  const child = spawn(program as string, args, {
    cwd: launch.cwd ?? baseDir,
    env: {
      PATH: [launch.pathPrefix, process.env['PATH'] ?? '/usr/bin:/bin'].filter(Boolean).join(':'),
      HOME: process.env['HOME'] ?? baseDir,
      ...launch.env,
      SAGEMAKER_BIND_TO_PORT: String(port),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const url = `http://127.0.0.1:${port}`;
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;

  const close = async (): Promise<void> => {
    if (!exited()) {
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(baseDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited()) {
      await close();
      throw new Error(`the ${name} model server exited (${child.exitCode ?? child.signalCode}) before answering /ping:\n${text}`);
    }
    const status = await fetch(`${url}/ping`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`the ${name} model server did not answer /ping with 200 in time (last status ${status}):\n${text}`);
    }
    await delay(50);
  }

  return {
    url,
    baseDir,
    output: () => text,
    async invoke(body, contentType, accept) {
      const response = await fetch(`${url}/invocations`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...(accept !== undefined ? { accept } : {}) },
      });
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
    },
    close,
  };
}
