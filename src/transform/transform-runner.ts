import type { HostedContainer } from '../hosting/endpoint-hosting.js';
import type { DataProcessingSpec } from './data-processing/index.js';
import type { BatchStrategy, SplitType } from './records/index.js';

/** TransformInput.DataSource.S3DataSource. */
export interface TransformS3DataSource {
  /** `S3Prefix` (every object under S3Uri) or `ManifestFile` (S3Uri is a manifest). `AugmentedManifestFile` is rejected at create. */
  readonly S3DataType: 'S3Prefix' | 'ManifestFile';
  /** `s3://bucket/prefix` or `s3://bucket/manifest` (validated at create). */
  readonly S3Uri: string;
}

/** TransformInput as validated by CreateTransformJob. */
export interface TransformJobInput {
  readonly DataSource: { readonly S3DataSource: TransformS3DataSource };
  /** Content-Type sent with every request; absent: none sent. */
  readonly ContentType?: string;
  /** Default `None`. */
  readonly CompressionType?: 'None' | 'Gzip';
  /** Default `None` (each object is one record). */
  readonly SplitType?: SplitType;
}

/** TransformOutput as validated by CreateTransformJob. */
export interface TransformJobOutput {
  /** `s3://bucket/prefix`: outputs go to `<S3OutputPath>/<input key relative to the input prefix>.out`. */
  readonly S3OutputPath: string;
  /** Accept sent with every request; absent: none sent. */
  readonly Accept?: string;
  /** Default `None` (responses concatenated as they are); `Line`: `\n` after each. */
  readonly AssembleWith?: 'None' | 'Line';
  readonly KmsKeyId?: string;
}

/** TransformResources as validated by CreateTransformJob. */
export interface TransformJobResources {
  /** A known instance type (`ml.m5.xlarge` …); its vCPU/memory come from training's instance-types table. */
  readonly InstanceType: string;
  /** ≥ 1: input files are spread over this many model-server instances. */
  readonly InstanceCount: number;
  readonly VolumeKmsKeyId?: string;
  readonly TransformAmiVersion?: string;
}

/**
 * CreateTransformJob's members as sent (PascalCase, stored and echoed verbatim like training's spec),
 * after create validation: required members present, enums and ranges checked, DataProcessing accepted by
 * `validateDataProcessing`. Optional members absent means "unset" (the runner fills them from the
 * container's /execution-parameters, then SageMaker's defaults).
 */
export interface TransformJobSpec {
  readonly ModelName: string;
  readonly TransformInput: TransformJobInput;
  readonly TransformOutput: TransformJobOutput;
  readonly TransformResources: TransformJobResources;
  /** `SingleRecord` | `MultiRecord`; unset → execution-parameters → `MultiRecord`. */
  readonly BatchStrategy?: BatchStrategy;
  /** 0–100 (validated; × MaxConcurrentTransforms ≤ 100); 0 means unlimited (HTTP chunked in SageMaker); unset → execution-parameters → 6. */
  readonly MaxPayloadInMB?: number;
  /** Requests in flight per instance; 0 or unset → execution-parameters → 1 (SageMaker treats 0 as unset). */
  readonly MaxConcurrentTransforms?: number;
  /** Added to the model containers' environment (job values win). */
  readonly Environment?: Readonly<Record<string, string>>;
  /** Per-request timeout (default 600 s, 1–3600) and retries (default 3, 0–3) on model-server errors/timeouts. */
  readonly ModelClientConfig?: { readonly InvocationsTimeoutInSeconds?: number; readonly InvocationsMaxRetries?: number };
  readonly DataProcessing?: DataProcessingSpec;
  /** Echoed only (Salvia does not capture batch data). */
  readonly DataCaptureConfig?: { readonly DestinationS3Uri: string; readonly KmsKeyId?: string; readonly GenerateInferenceId?: boolean };
  /** Echoed only. */
  readonly ExperimentConfig?: {
    readonly ExperimentName?: string;
    readonly TrialName?: string;
    readonly TrialComponentDisplayName?: string;
    readonly RunName?: string;
  };
}

/** One admitted transform job, handed to the runner. */
export interface TransformRun {
  readonly jobName: string;
  readonly jobArn: string;
  readonly spec: TransformJobSpec;
  /** The model's containers (resolved by the service at start from ModelService via `hostedContainers`); > 1 is a serial pipeline. */
  readonly containers: readonly HostedContainer[];
  /** Aborted by StopTransformJob (reason `'stop'`) or server shutdown (reason `'closing'`). */
  readonly signal: AbortSignal;
  /**
   * Where the runner keeps its files: `<dataDir>/jobs/transform/<name lower-cased>/`, created by the service. After a restart it
   * still holds what the interrupted run left (e.g. model-server pid files): the runner stops those leftovers and clears them.
   */
  readonly jobDir: string;
}

/** How a run ended. `failed.reason` is the FailureReason as shown (names the input file and the cause). */
export type TransformOutcome = { readonly kind: 'completed' } | { readonly kind: 'failed'; readonly reason: string } | { readonly kind: 'stopped' };

/**
 * Runs one transform job's data flow: model servers up, every input file through them, outputs written.
 * Implementations never throw (platform failures become `failed` with a reason) and stop everything they
 * started (processes, uploads) before the promise resolves — also when `run.signal` aborts, which
 * resolves `stopped`.
 */
export interface TransformRunner {
  run(run: TransformRun): Promise<TransformOutcome>;
  /**
   * Stops what an interrupted run of a job left in `jobDir` (model servers of a server that died
   * without stopping them) for a job that will not run again: one that was Stopping when the server
   * stopped ends Stopped at the next start. `run` does the same itself before it starts.
   */
  reapLeftovers(jobDir: string): void;
}
