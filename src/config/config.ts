import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** One access key pair that SigV4 signatures are checked against. */
export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const accessKeyList = z.string().transform((text, ctx): AccessKey[] => {
  const keys: AccessKey[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const colon = item.indexOf(':');
    if (colon <= 0 || colon === item.length - 1) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `access key "${item}" must be ACCESS_KEY_ID:SECRET` });
      return z.NEVER;
    }
    keys.push({ accessKeyId: item.slice(0, colon), secretAccessKey: item.slice(colon + 1) });
  }
  return keys;
});

/** The key pair `salvia env` prints when none is configured. */
const defaultAccessKeys = 'salvia:salvia-secret-key';

const booleanText = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/**
 * Every setting of the platform once: its type, default and meaning.
 * Flags (`--data-dir`) and environment variables (`SALVIA_DATA_DIR`) map to the same keys.
 */
export const configSchema = z.object({
  /** Address the server listens on. */
  host: z.string().default('127.0.0.1'),
  /** Port the server listens on; 0 picks a free one. */
  port: z.coerce.number().int().min(0).max(65535).default(7070),
  /** Where metadata (SQLite), objects and job directories live. */
  dataDir: z.string().default(path.join(homedir(), '.salvia')),
  /** `sqlite` (a file in the data directory) or a `postgres://` connection string. */
  database: z.string().default('sqlite'),
  /** AWS region named in ARNs and returned to clients. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .default('us-east-1'),
  /** The 12-digit account id named in ARNs. */
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('000000000000'),
  /** Verify SigV4 signatures against `accessKeys` and reject anything else. */
  auth: booleanText.default(false),
  /** Known keys, `ID:SECRET[,ID:SECRET…]`; the first is what `salvia env` prints. */
  accessKeys: accessKeyList.default(defaultAccessKeys),
  /** An external S3-compatible service to keep objects in instead of the data directory. */
  s3Endpoint: z.string().url().optional(),
  s3AccessKeyId: z.string().optional(),
  s3SecretAccessKey: z.string().optional(),
  s3Region: z.string().optional(),
  /** Path-style addressing towards the external S3 service (MinIO and most others need it). */
  s3ForcePathStyle: booleanText.default(true),
  /** Largest JSON request body accepted by the JSON services, in bytes. */
  maxJsonBodyBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** Python interpreter for script mode and runtime environments (venvs are built from it); `/usr/bin/python3` to use Debian's python3-* packages. */
  python: z.string().min(1).default('python3'),
  /** Python interpreter for the built-in algorithms (XGBoost, Linear Learner, K-Means): it needs numpy, scipy and xgboost (Debian: python3-numpy python3-scipy python3-xgboost). */
  algorithmPython: z.string().min(1).default('/usr/bin/python3'),
  /** CPUs training jobs may use at once (instance types are mapped to vCPUs); default: this machine's. */
  trainingCpus: z.coerce.number().int().positive().optional(),
  /** Memory training jobs may use at once, in MiB; default: this machine's. */
  trainingMemoryMib: z.coerce.number().int().positive().optional(),
  /** GPUs training jobs may use at once. */
  trainingGpus: z.coerce.number().int().min(0).default(0),
  /** Seconds between SIGTERM and SIGKILL when a job is stopped or times out (SageMaker: 120). */
  trainingStopGraceSeconds: z.coerce.number().min(0).default(120),
  /** Run training instances under bubblewrap when it works (real /opt/ml, hostnames, network isolation). */
  trainingSandbox: booleanText.default(true),
  /** Memory budget of each multi-model endpoint instance's loaded models, in MiB (LRU models are unloaded beyond it); default: the instance type's memory. */
  multiModelMemoryMib: z.coerce.number().int().positive().optional(),
  /** Disk space each multi-model endpoint instance may fill with unpacked models, in MiB (unused ones are deleted beyond it). */
  multiModelDiskMib: z.coerce.number().int().positive().default(10240),
  /** pino log level. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = Readonly<z.infer<typeof configSchema>> & {
  /** Variables of the server's own environment that job processes inherit (PATH, locale, pip settings). */
  readonly jobBaseEnv: Readonly<Record<string, string>>;
};

/** The server's environment variables a job process inherits; everything else a job sees is the contract's. */
const inheritedByJobs = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'PIP_INDEX_URL',
  'PIP_EXTRA_INDEX_URL',
  'PIP_FIND_LINKS',
  'PIP_NO_INDEX',
  'PIP_CONFIG_FILE',
];
export type ConfigInput = z.input<typeof configSchema>;

/** Settings and the environment variable each is read from. */
const envNames: Record<keyof ConfigInput, string> = {
  host: 'SALVIA_HOST',
  port: 'SALVIA_PORT',
  dataDir: 'SALVIA_DATA_DIR',
  database: 'SALVIA_DATABASE',
  region: 'SALVIA_REGION',
  accountId: 'SALVIA_ACCOUNT_ID',
  auth: 'SALVIA_AUTH',
  accessKeys: 'SALVIA_ACCESS_KEYS',
  s3Endpoint: 'SALVIA_S3_ENDPOINT',
  s3AccessKeyId: 'SALVIA_S3_ACCESS_KEY_ID',
  s3SecretAccessKey: 'SALVIA_S3_SECRET_ACCESS_KEY',
  s3Region: 'SALVIA_S3_REGION',
  s3ForcePathStyle: 'SALVIA_S3_FORCE_PATH_STYLE',
  maxJsonBodyBytes: 'SALVIA_MAX_JSON_BODY_BYTES',
  logLevel: 'SALVIA_LOG_LEVEL',
  python: 'SALVIA_PYTHON',
  algorithmPython: 'SALVIA_ALGORITHM_PYTHON',
  trainingCpus: 'SALVIA_TRAINING_CPUS',
  trainingMemoryMib: 'SALVIA_TRAINING_MEMORY_MIB',
  trainingGpus: 'SALVIA_TRAINING_GPUS',
  trainingStopGraceSeconds: 'SALVIA_TRAINING_STOP_GRACE_SECONDS',
  trainingSandbox: 'SALVIA_TRAINING_SANDBOX',
  multiModelMemoryMib: 'SALVIA_MULTI_MODEL_MEMORY_MIB',
  multiModelDiskMib: 'SALVIA_MULTI_MODEL_DISK_MIB',
};

/** Thrown when a setting does not parse; the message names the flag or variable. */
export class ConfigError extends Error {}

/** `--data-dir` → `dataDir`. */
function flagToKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `dataDir` → `--data-dir`. */
function keyToFlag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
}

/** `salvia server --help`: every setting as its flag, its environment variable and its default. */
export function configUsage(): string {
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  const rows = Object.entries(envNames).map(([key, name]) => {
    const value = defaults[key];
    const shown = value === undefined ? '(unset)' : key === 'accessKeys' ? defaultAccessKeys : String(value);
    return [keyToFlag(key), name, shown] as const;
  });
  const width = (column: 0 | 1): number => Math.max(...rows.map((row) => row[column].length));
  const lines = rows.map(([flag, name, shown]) => `  ${flag.padEnd(width(0))}  ${name.padEnd(width(1))}  ${shown}`);
  return ['usage: salvia server [--<setting> <value> …]', '', 'settings (flag, environment variable, default):', ...lines, ''].join('\n');
}

/**
 * Parses settings from flags (highest priority), then environment variables, then defaults.
 * `--auth` alone means `--auth true`. Throws ConfigError on an unknown flag or a bad value.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: ConfigInput = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"`);
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = flagToKey(flag);
    if (!(key in envNames)) throw new ConfigError(`unknown option ${flag}`);
    if (inline !== undefined) raw[key] = inline;
    else if (key === 'auth' && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--'))) raw[key] = true;
    else {
      const next = argv[++i];
      if (next === undefined) throw new ConfigError(`option ${flag} needs a value`);
      raw[key] = next;
    }
  }
  const parsed = configSchema.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const name = envNames[key as keyof ConfigInput];
      return `${keyToFlag(key)}${name ? ` (${name})` : ''}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${issues.join('; ')}`);
  }
  const jobBaseEnv: Record<string, string> = {};
  for (const name of inheritedByJobs) {
    const value = env[name];
    if (value !== undefined) jobBaseEnv[name] = value;
  }
  return Object.freeze({ ...parsed.data, dataDir: path.resolve(parsed.data.dataDir), jobBaseEnv: Object.freeze(jobBaseEnv) });
}
