// Shared set-up for the processing e2e tests: a real server with the scikit-learn runtime
// pre-pulled, jobs in the shape the SageMaker Python SDK's processors submit, and their logs.
import { logStreams } from '../helpers/log-streams.js';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeProcessingJobCommand, type CreateProcessingJobCommandInput, type DescribeProcessingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { repoRoot } from '../helpers/server-process.js';
import { connect, put, role, trainingEnv, type TrainingEnv } from './training-harness.js';

export { listKeys } from '../helpers/s3-keys.js';

export const processingFixtures = path.join(repoRoot, 'test/fixtures/processing');
/** A SageMaker scikit-learn processing image URI, as `sagemaker.image_uris.retrieve('sklearn', …)` returns it. */
export const sklearnImage = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

/**
 * The scikit-learn runtime as if already pulled: its virtual environment (keyed as
 * RuntimeEnvironments keys it: requirements text + the configured interpreter `python3`) is
 * Debian's /usr/bin/python3, which has pandas and scikit-learn (python3-pandas, python3-sklearn),
 * marked ready. Building the real one needs a package index, which a test cannot rely on.
 */
function prePullSklearnRuntime(dataDir: string): void {
  const requirements = readFileSync(path.join(repoRoot, 'runtime/requirements/sklearn.txt'), 'utf8');
  const key = createHash('sha256').update(requirements).update('\0').update('python3').digest('hex');
  const bin = path.join(dataDir, 'runtimes', key, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of ['python', 'python3']) symlinkSync('/usr/bin/python3', path.join(bin, name));
  writeFileSync(path.join(dataDir, 'runtimes', key, '.salvia-ready'), '');
}

/** Why the sklearn cases cannot run here, or false (they need Debian's python3 with pandas and scikit-learn). */
export function sklearnSkipReason(): string | false {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import pandas, sklearn'], { stdio: 'ignore' });
    return false;
  } catch {
    return '/usr/bin/python3 lacks pandas or scikit-learn (apt-get install python3-pandas python3-sklearn)';
  }
}

/** A test server with clients; `dispose()` stops it and removes its data directory. */
export type ProcessingEnv = TrainingEnv & { dispose(): Promise<void> };

const disposable = (env: TrainingEnv): ProcessingEnv => ({
  ...env,
  async dispose() {
    await env.close();
    await env.server.dispose();
  },
});

/** A server (stop grace 1 s) with the sklearn runtime pre-pulled, a bucket and clients. */
export async function processingEnv(bucket: string): Promise<ProcessingEnv> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-processing-'));
  try {
    prePullSklearnRuntime(dataDir);
    return disposable(await trainingEnv(bucket, { dataDir }));
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Restarts the server on the same data directory and reconnects. */
export async function restartProcessingEnv(env: ProcessingEnv): Promise<ProcessingEnv> {
  await env.close();
  return disposable(await connect(await env.server.restart(), env.bucket));
}

/** Uploads a fixture script where the SDK puts a processor's code: `<job>/input/code/<file>`. */
export async function uploadCode(env: TrainingEnv, job: string, file: string): Promise<void> {
  await put(env, `${job}/input/code/${file}`, readFileSync(path.join(processingFixtures, file), 'utf8'));
}

/**
 * A CreateProcessingJob request as SKLearnProcessor.run() builds it: inputs `input-1`… and the code
 * input last (`code`, at /opt/ml/processing/input/code), outputs `output-1`…, entrypoint
 * `["python3", "/opt/ml/processing/input/code/<file>"]`.
 */
export function sdkRequest(
  env: TrainingEnv,
  name: string,
  file: string,
  options: {
    inputs?: Array<{ s3Uri: string; localPath: string; distribution?: 'FullyReplicated' | 'ShardedByS3Key' }>;
    outputs?: Array<{ localPath: string; mode?: 'EndOfJob' | 'Continuous' }>;
    instanceCount?: number;
  } = {},
): CreateProcessingJobCommandInput {
  const s3Input = (s3Uri: string, localPath: string, distribution: 'FullyReplicated' | 'ShardedByS3Key' = 'FullyReplicated') =>
    ({
      S3Uri: s3Uri,
      LocalPath: localPath,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File',
      S3DataDistributionType: distribution,
      S3CompressionType: 'None',
    }) as const;
  return {
    ProcessingJobName: name,
    ProcessingInputs: [
      ...(options.inputs ?? []).map((input, i) => ({
        InputName: `input-${i + 1}`,
        AppManaged: false,
        S3Input: s3Input(input.s3Uri, input.localPath, input.distribution),
      })),
      { InputName: 'code', AppManaged: false, S3Input: s3Input(`s3://${env.bucket}/${name}/input/code/${file}`, '/opt/ml/processing/input/code') },
    ],
    ProcessingOutputConfig: {
      Outputs: (options.outputs ?? []).map((output, i) => ({
        OutputName: `output-${i + 1}`,
        AppManaged: false,
        S3Output: { S3Uri: `s3://${env.bucket}/${name}/output/output-${i + 1}`, LocalPath: output.localPath, S3UploadMode: output.mode ?? 'EndOfJob' },
      })),
    },
    ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: options.instanceCount ?? 1, VolumeSizeInGB: 30 } },
    StoppingCondition: { MaxRuntimeInSeconds: 300 },
    AppSpecification: { ImageUri: sklearnImage, ContainerEntrypoint: ['python3', `/opt/ml/processing/input/code/${file}`] },
    RoleArn: role,
  };
}

/** Polls DescribeProcessingJob until the job has a final status. */
export async function waitForProcessingEnd(env: TrainingEnv, name: string, timeoutMs = 60_000): Promise<DescribeProcessingJobCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await env.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    if (job.ProcessingJobStatus === 'Completed' || job.ProcessingJobStatus === 'Failed' || job.ProcessingJobStatus === 'Stopped') return job;
    if (Date.now() > deadline) throw new Error(`processing job ${name} still ${job.ProcessingJobStatus} after ${timeoutMs} ms`);
    await delay(100);
  }
}

/** The log streams of a job in /aws/sagemaker/ProcessingJobs, name → messages. */
export function processingLogs(env: TrainingEnv, name: string): Promise<Map<string, string[]>> {
  return logStreams(env.logs, '/aws/sagemaker/ProcessingJobs', `${name}/`);
}
