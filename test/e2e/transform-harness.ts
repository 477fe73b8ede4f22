// Shared set-up for the batch transform e2e tests: a real server (endpointsEnv), transform jobs created
// and waited for with boto3 (`transform_job_completed_or_stopped`, 1 s polls), outputs and the
// job's CloudWatch log streams read back.
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { logStreams } from '../helpers/log-streams.js';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { boto3, type EndpointsEnv } from './endpoints-harness.js';

export { listKeys } from '../helpers/s3-keys.js';
export { endpointsEnv, imageUri, boto3, descendants, alive, commandLine, tarGz, role, type EndpointsEnv } from './endpoints-harness.js';

/** DescribeTransformJob's answer as boto3 returns it (dates as strings). */
export interface TransformDescription {
  TransformJobName: string;
  TransformJobStatus: string;
  FailureReason?: string;
  TransformResources: { InstanceType: string; InstanceCount: number };
  [member: string]: unknown;
}

/** boto3 `create_model` with one container, or several (a serial inference pipeline). */
export async function createModel(env: EndpointsEnv, name: string, containers: readonly Record<string, unknown>[]): Promise<void> {
  const members = containers.length === 1 ? { PrimaryContainer: containers[0] } : { Containers: containers };
  await boto3(
    env,
    `sm = boto3.client('sagemaker')\nsm.create_model(**json.loads(${JSON.stringify(JSON.stringify({ ModelName: name, ExecutionRoleArn: 'arn:aws:iam::000000000000:role/SageMakerRole', ...members }))}))\nprint(json.dumps(True))`,
  );
}

/** boto3 `create_transform_job(**request)`; resolves undefined, or the error code and message when the call fails. */
export async function createTransformJob(env: EndpointsEnv, request: Record<string, unknown>): Promise<{ code: string; message: string } | undefined> {
  return boto3<{ code: string; message: string } | null>(
    env,
    `import botocore
sm = boto3.client('sagemaker')
try:
    sm.create_transform_job(**json.loads(${JSON.stringify(JSON.stringify(request))}))
    print(json.dumps(None))
except botocore.exceptions.ClientError as e:
    print(json.dumps({'code': e.response['Error']['Code'], 'message': e.response['Error']['Message']}))`,
  ).then((result) => result ?? undefined);
}

/** Waits with boto3's `transform_job_completed_or_stopped` waiter (1 s delay; a Failed job ends the wait too) and describes the job. */
export async function waitForTransform(env: EndpointsEnv, name: string, maxSeconds = 180): Promise<TransformDescription> {
  return boto3<TransformDescription>(
    env,
    `import botocore
sm = boto3.client('sagemaker')
try:
    sm.get_waiter('transform_job_completed_or_stopped').wait(TransformJobName=${JSON.stringify(name)}, WaiterConfig={'Delay': 1, 'MaxAttempts': ${maxSeconds}})
except botocore.exceptions.WaiterError:
    pass
print(json.dumps(sm.describe_transform_job(TransformJobName=${JSON.stringify(name)}), default=str))`,
  );
}

/** Creates the job (which must be accepted) and waits for its end. */
export async function runTransform(env: EndpointsEnv, request: Record<string, unknown>, maxSeconds = 180): Promise<TransformDescription> {
  const refused = await createTransformJob(env, request);
  if (refused) throw new Error(`CreateTransformJob ${String(request['TransformJobName'])} was refused: ${refused.code}: ${refused.message}`);
  return waitForTransform(env, request['TransformJobName'] as string, maxSeconds);
}

/** A TransformJob request with the usual members; `overrides` replace whole members. */
export function transformRequest(
  name: string,
  model: string,
  input: { s3Uri: string; contentType?: string; splitType?: string; compression?: string; dataType?: string },
  output: { s3OutputPath: string; accept?: string; assembleWith?: string },
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    TransformJobName: name,
    ModelName: model,
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: input.dataType ?? 'S3Prefix', S3Uri: input.s3Uri } },
      ...(input.contentType !== undefined ? { ContentType: input.contentType } : {}),
      ...(input.splitType !== undefined ? { SplitType: input.splitType } : {}),
      ...(input.compression !== undefined ? { CompressionType: input.compression } : {}),
    },
    TransformOutput: {
      S3OutputPath: output.s3OutputPath,
      ...(output.accept !== undefined ? { Accept: output.accept } : {}),
      ...(output.assembleWith !== undefined ? { AssembleWith: output.assembleWith } : {}),
    },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    ...overrides,
  };
}

/** PutObject into the env's bucket. */
export async function put(env: EndpointsEnv, key: string, body: string | Buffer): Promise<void> {
  await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: key, Body: body }));
}

/** An object's bytes, or undefined when it does not exist. */
export async function getObject(env: EndpointsEnv, key: string): Promise<Buffer | undefined> {
  try {
    const out = await env.s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: key }));
    return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** The job's log: stream name → its messages (every stream `<job>/…` of `/aws/sagemaker/TransformJobs`). */
export function transformLog(env: EndpointsEnv, job: string): Promise<Map<string, string[]>> {
  return logStreams(env.logs, '/aws/sagemaker/TransformJobs', `${job}/`);
}

/** Resolves once `file` exists (a model fixture creates it when it holds a request it will never answer); throws after `timeoutMs`. */
export async function fileAppears(file: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await delay(50); // polling a condition, as SDK waiters do
  }
}
