import path from 'node:path';
import { ValidationException } from '../errors/index.js';
import type { ResolvedImage } from './image-catalog.js';
import type { PythonEnvironment } from './runtime-environments.js';

/** How to start one instance's process for a resolved image. */
export interface Launch {
  /** argv: executable first. */
  readonly command: string[];
  /** Working directory; undefined: the caller's choice (the runner changes to the code dir itself). */
  readonly cwd?: string;
  /** Variables to add to the instance's environment (on top of the SM_* contract). */
  readonly env: Record<string, string>;
  /** A directory to put first on PATH (a venv's bin/), if any. */
  readonly pathPrefix?: string;
}

/** The PATH the server's own processes (sidecars) inherit: `baseEnv`'s, default `/usr/local/bin:/usr/bin:/bin`. */
export function inheritedPath(baseEnv: Readonly<Record<string, string>>): string {
  return baseEnv['PATH'] ?? '/usr/local/bin:/usr/bin:/bin';
}

/** The PATH a launched process gets: the launch's `pathPrefix` (a runtime's bin/), if any, before the inherited PATH (inheritedPath). */
export function launchPath(launch: Launch, baseEnv: Readonly<Record<string, string>>): string {
  const basePath = inheritedPath(baseEnv);
  return launch.pathPrefix !== undefined ? `${launch.pathPrefix}:${basePath}` : basePath;
}

/** A processing job's AppSpecification.ContainerEntrypoint and ContainerArguments. */
export interface ContainerCommand {
  readonly containerEntrypoint?: readonly string[];
  readonly containerArguments?: readonly string[];
}

/**
 * A processing job's argv, with Docker's entrypoint semantics (`docker run [--entrypoint E] <image>
 * [args]`): ContainerEntrypoint replaces the image's entrypoint; ContainerArguments follow the
 * entrypoint (they replace CMD, which local images do not have). A user image's entrypoint is the
 * one registered with `salvia images add --entrypoint`; framework images have none, so they need a
 * ContainerEntrypoint (the SageMaker Python SDK's processors always send `["python3", <script>]`).
 * Throws ValidationException when nothing is left to run, or for a built-in algorithm image.
 */
export function processCommand(image: ResolvedImage, command: ContainerCommand): string[] {
  const args = command.containerArguments ?? [];
  const entrypoint = command.containerEntrypoint ?? (image.kind === 'user' && image.entrypoint !== undefined ? [image.entrypoint] : []);
  if (image.kind === 'builtin') throw new ValidationException('A built-in algorithm image cannot run processing jobs.');
  if (image.kind === 'script-mode' && entrypoint.length === 0)
    throw new ValidationException(
      `The ${image.framework} framework image has no entrypoint of its own: give AppSpecification.ContainerEntrypoint, e.g. ["python3", "/opt/ml/processing/input/code/<script>.py"].`,
    );
  const argv = [...entrypoint, ...args];
  if (argv.length === 0)
    throw new ValidationException(
      `Image ${image.kind === 'user' ? image.repository : ''} has no entrypoint: give AppSpecification.ContainerEntrypoint, or register the image with salvia images add --entrypoint.`,
    );
  return argv;
}

/**
 * The command an instance runs for `purpose`: a user image's `train`/`serve` (cwd = its directory,
 * as `docker run <image> train`), or the script-mode runner under the environment
 * `RuntimeEnvironments.ensure(image.requirements)` returned (training only). `optMl` is the
 * instance's /opt/ml directory as the process sees it (`/opt/ml` under bubblewrap, the instance
 * dir otherwise): it becomes SAGEMAKER_BASE_DIR, which the runner (like the toolkit) reads.
 * A built-in algorithm runs as `<algorithmPython> -m salvia_algorithms.<module> train|serve` with
 * `<runtime>/algorithms` on PYTHONPATH, from `optMl` (so that `-m`'s current-directory entry on
 * sys.path holds nothing but the /opt/ml layout), writing no `__pycache__` into the runtime directory.
 * A framework image's `serve` is the inference toolkit — `<venv python> -m
 * salvia_algorithms.inference_toolkit serve` with `<runtime>/algorithms` on PYTHONPATH and
 * SALVIA_FRAMEWORK naming the framework, from `optMl` — under the same environment as its training
 * (the caller awaits `RuntimeEnvironments.ensure(image.requirements)` first and passes it as `python`;
 * the caller adds SAGEMAKER_BIND_TO_PORT and the model's Environment, keeping PYTHONPATH).
 * `process` (processing jobs) runs {@link processCommand}'s argv: a user image from its directory, a
 * framework image under its environment (`python`, whose bin/ goes first on PATH, so `python3` is
 * the framework's interpreter); nothing else is added to the environment (processing has no SM_*).
 * Throws when a script-mode image is launched without `python`, ValidationException as processCommand.
 */
export function launchFor(
  image: ResolvedImage,
  purpose: 'train' | 'serve' | 'process',
  options: { python?: PythonEnvironment; optMl: string } & ContainerCommand,
): Launch {
  if (purpose === 'process') {
    const command = processCommand(image, options);
    if (image.kind === 'user') return { command, cwd: image.directory, env: {} };
    const python = options.python;
    if (!python) throw new Error('a framework image needs the Python environment from RuntimeEnvironments.ensure(image.requirements)');
    return { command, env: { ...python.env, PYTHONUNBUFFERED: '1' }, ...(python.binDir ? { pathPrefix: python.binDir } : {}) };
  }
  switch (image.kind) {
    case 'user':
      return { command: purpose === 'train' ? image.train : image.serve, cwd: image.directory, env: { SAGEMAKER_BASE_DIR: options.optMl } };
    case 'script-mode': {
      const python = options.python;
      if (!python) throw new Error('script mode needs the Python environment from RuntimeEnvironments.ensure(image.requirements)');
      if (purpose === 'serve')
        return {
          command: [python.python, '-m', 'salvia_algorithms.inference_toolkit', 'serve'],
          cwd: options.optMl,
          env: {
            ...python.env,
            PYTHONPATH: image.toolkitPythonPath ?? path.join(path.dirname(path.dirname(image.runner)), 'algorithms'),
            SALVIA_FRAMEWORK: image.framework,
            PYTHONUNBUFFERED: '1',
            PYTHONDONTWRITEBYTECODE: '1',
            SAGEMAKER_BASE_DIR: options.optMl,
          },
          ...(python.binDir ? { pathPrefix: python.binDir } : {}),
        };
      return {
        command: [python.python, image.runner],
        env: { ...python.env, SAGEMAKER_BASE_DIR: options.optMl, PYTHONUNBUFFERED: '1' },
        ...(python.binDir ? { pathPrefix: python.binDir } : {}),
      };
    }
    case 'builtin':
      return {
        command: [image.python, '-m', `salvia_algorithms.${image.module}`, purpose],
        cwd: options.optMl,
        env: { PYTHONPATH: image.pythonPath, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', SAGEMAKER_BASE_DIR: options.optMl },
      };
    default:
      return assertNever(image);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected image ${JSON.stringify(value)}`);
}
