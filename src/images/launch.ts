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

/**
 * The command an instance runs for `purpose`: a user image's `train`/`serve` (cwd = its directory,
 * as `docker run <image> train`), or the script-mode runner under the environment
 * `RuntimeEnvironments.ensure(image.requirements)` returned (training only). `optMl` is the
 * instance's /opt/ml directory as the process sees it (`/opt/ml` under bubblewrap, the instance
 * dir otherwise): it becomes SAGEMAKER_BASE_DIR, which the runner (like the toolkit) reads.
 * A built-in algorithm runs as `<algorithmPython> -m salvia_algorithms.<module> train|serve` with
 * `<runtime>/algorithms` on PYTHONPATH, from `optMl` (so that `-m`'s current-directory entry on
 * sys.path holds nothing but the /opt/ml layout), writing no `__pycache__` into the runtime directory.
 * Throws for serving a framework image.
 */
export function launchFor(image: ResolvedImage, purpose: 'train' | 'serve', options: { python?: PythonEnvironment; optMl: string }): Launch {
  switch (image.kind) {
    case 'user':
      return { command: purpose === 'train' ? image.train : image.serve, cwd: image.directory, env: { SAGEMAKER_BASE_DIR: options.optMl } };
    case 'script-mode': {
      if (purpose !== 'train') throw new Error(`serving ${image.framework} framework images is not implemented yet`);
      const python = options.python;
      if (!python) throw new Error('script mode needs the Python environment from RuntimeEnvironments.ensure(image.requirements)');
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
