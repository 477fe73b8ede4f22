import path from 'node:path';
import { ResourceNotFound, ValidationException } from '../errors/index.js';
import type { ImageRepository, UserImageRecord } from './image-repository.js';
import { isRepositoryName, parseImageUri } from './image-uri.js';
import { defaultRuntimeDir } from './runtime-paths.js';
import { builtinImage, checkBuiltinRunnable, type BuiltinImage } from './builtin-algorithms.js';
import { builtinRepositories, frameworkRepositories, isScriptModeRequest } from './sagemaker-images.js';
import { checkImageDirectory, checkUserImageRunnable, userImageCommand } from './user-image.js';

/** What an image URI stands for on this platform. */
export type ResolvedImage =
  | BuiltinImage
  | {
      kind: 'script-mode';
      /** `sklearn`, `pytorch`, `tensorflow`, `huggingface`, `xgboost`, `mxnet`. */
      framework: string;
      /** `[<configured python>, <runtime>/script_mode/train.py]`; run it with `command[0]` replaced by the `python` RuntimeEnvironments.ensure(requirements) returns. */
      command: string[];
      /** The runner script (`command[1]`). */
      runner: string;
      /** Absolute path of the framework's requirements file (`runtime/requirements/<framework>.txt`). */
      requirements?: string;
      /** PYTHONPATH for `serve` (the inference toolkit, `<runtime>/algorithms`); default: derived from `runner`. */
      toolkitPythonPath?: string;
    }
  | {
      kind: 'user';
      repository: string;
      directory: string;
      /** The registered entrypoint, the image's ENTRYPOINT for processing jobs (set when resolved with purpose `process`). */
      entrypoint?: string;
      /** `[<dir>/train]` or `[<entrypoint>, 'train']`; run with cwd = directory. */
      train: string[];
      serve: string[];
    };

/** The slice of the configuration the catalog needs. */
export interface ImageCatalogConfig {
  readonly dataDir: string;
  /** The configured interpreter (config.python). */
  readonly python: string;
  /** The interpreter for built-in algorithms (config.algorithmPython; default `/usr/bin/python3`). */
  readonly algorithmPython?: string;
  /** Where `script_mode/`, `requirements/` and `algorithms/` live; defaults to the repository's `runtime/`. */
  readonly runtimeDir?: string;
}

/** Options of {@link ImageCatalog.resolve}. */
export interface ResolveOptions {
  /** The job's hyperparameters: `sagemaker_program` in them makes `sagemaker-xgboost` a framework (script-mode) image, as on SageMaker. */
  readonly hyperparameters?: Readonly<Record<string, string>>;
  /** A model container's Environment: `SAGEMAKER_PROGRAM` in it makes `sagemaker-xgboost` serve in framework mode (the inference toolkit), as the XGBoost container does. */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * If given, a user image must have the executable for it, and a built-in algorithm its interpreter (else ValidationException at create time).
   * `process` (processing jobs): a built-in algorithm image is refused (ValidationException), `sagemaker-xgboost` is the XGBoost framework
   * image, and a user image's command is checked by {@link processCommand} instead.
   */
  readonly purpose?: 'train' | 'serve' | 'process';
}

/**
 * The local image catalog: SageMaker's built-in algorithm and framework images (matched by
 * repository name, whatever the registry account, region and tag), and user images registered with
 * `salvia images add`. A registered repository takes precedence over SageMaker's names.
 */
export class ImageCatalog {
  private readonly runtimeDir: string;

  constructor(
    private readonly config: ImageCatalogConfig,
    private readonly deps: { readonly repository: ImageRepository; readonly clock?: () => number },
  ) {
    this.runtimeDir = config.runtimeDir ?? defaultRuntimeDir();
  }

  /** Resolves an image URI or short name. Throws ValidationException for an unknown or malformed image. */
  async resolve(imageUri: string, options: ResolveOptions = {}): Promise<ResolvedImage> {
    const { repository } = parseImageUri(imageUri);
    const user = await this.deps.repository.get(repository);
    if (user) {
      if (options.purpose && options.purpose !== 'process') await checkUserImageRunnable(repository, user, options.purpose);
      return {
        kind: 'user',
        repository,
        directory: user.directory,
        ...(options.purpose === 'process' && user.entrypoint !== undefined ? { entrypoint: user.entrypoint } : {}),
        train: userImageCommand(user, 'train'),
        serve: userImageCommand(user, 'serve'),
      };
    }
    const framework = frameworkRepositories[repository];
    const builtin = builtinRepositories[repository];
    const frameworkMode =
      !builtin || options.purpose === 'process' || isScriptModeRequest(options.hyperparameters) || Boolean(options.environment?.['SAGEMAKER_PROGRAM']);
    if (framework && frameworkMode) {
      const runner = path.join(this.runtimeDir, 'script_mode', 'train.py');
      return {
        kind: 'script-mode',
        framework,
        command: [this.config.python, runner],
        runner,
        requirements: path.join(this.runtimeDir, 'requirements', `${framework}.txt`),
        toolkitPythonPath: path.join(this.runtimeDir, 'algorithms'),
      };
    }
    if (builtin && options.purpose === 'process') {
      throw new ValidationException(
        `Image ${imageUri} is a SageMaker built-in algorithm image, which cannot run processing jobs; use a processing image (sagemaker-scikit-learn, a framework image) or a registered image.`,
      );
    }
    if (builtin) {
      const image = builtinImage(builtin, { python: this.config.algorithmPython ?? '/usr/bin/python3', runtimeDir: this.runtimeDir });
      if (options.purpose) await checkBuiltinRunnable(image);
      return image;
    }
    throw new ValidationException(
      `Image ${imageUri} is not known to Salvia: "${repository}" is neither a SageMaker built-in algorithm or framework image nor a registered image. ` +
        `Register a directory with executables "train" and "serve" at its top: salvia images add ${repository} <directory> [--entrypoint <path>]`,
    );
  }

  /**
   * Registers (or re-registers) `repository` as the directory `directory` (absolute), optionally
   * with an entrypoint run as `<entrypoint> train|serve`. Throws ValidationException for a bad
   * repository name or a directory that cannot serve as an image.
   */
  async add(repository: string, directory: string, entrypoint?: string): Promise<UserImageRecord> {
    const name = repository.toLowerCase();
    if (!isRepositoryName(name))
      throw new ValidationException(`Repository name ${repository} is not valid: lower-case letters, digits, ".", "_", "-" and "/" between segments.`);
    const checked = await checkImageDirectory(directory, entrypoint);
    const record: UserImageRecord = { repository: name, ...checked, creationTime: (this.deps.clock ?? Date.now)() };
    await this.deps.repository.put(record);
    return record;
  }

  /** Every registered user image, by repository name. */
  async list(): Promise<UserImageRecord[]> {
    return this.deps.repository.list();
  }

  /** The registration of `repository`, or undefined. */
  async get(repository: string): Promise<UserImageRecord | undefined> {
    return this.deps.repository.get(repository.toLowerCase());
  }

  /** Removes a registration. Throws ResourceNotFound if there is none. */
  async remove(repository: string): Promise<void> {
    if (!(await this.deps.repository.delete(repository.toLowerCase()))) throw new ResourceNotFound('Image', repository);
  }
}
