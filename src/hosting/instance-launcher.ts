import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hostsFileText } from '../executors/process/sandbox.js';
import { launchFor, launchPath, stageServingCode, type PythonEnvironment, type ResolvedImage } from '../images/index.js';
import { LogStreamWriter, type LogAppender } from '../logs/index.js';
import type { ObjectStore } from '../objectstore/index.js';
import { HostingError, type HostedContainer } from './endpoint-hosting.js';
import { freePort } from './free-port.js';
import { containerName, HostedInstance, type HostedVariant } from './hosted-deployment.js';
import type { EndpointScope } from './model-errors.js';
import { memoryBudgetBytes, MultiModelInstanceCache } from './multi-model/index.js';
import { unpackModelData } from './model-data.js';
import { ModelServer, ModelServerStartError } from './model-server.js';

/** A container with its image resolved (and, for framework images, its Python environment). */
export interface PreparedContainer {
  readonly container: HostedContainer;
  readonly image: ResolvedImage;
  readonly python?: PythonEnvironment;
}

/** What every instance launch of one deployment shares. */
export interface LaunchContext {
  /** The endpoint (or, for a batch fleet, the transform job) the instances serve; named in messages. */
  readonly endpointName: string;
  /** CloudWatch Logs group of the model servers' output (`/aws/sagemaker/Endpoints/<endpoint>`, `/aws/sagemaker/TransformJobs`). */
  readonly logGroup: string;
  /** What the instances are for, in messages: an endpoint's production variant (default) or a transform job. */
  readonly purpose?: 'endpoint' | 'transform';
  /** The deployment's directory; instances go to `<dir>/<variant>/<instance-id>/`. */
  readonly deploymentDir: string;
  readonly objectStore: ObjectStore;
  readonly logs: LogAppender;
  /** Run model servers under bubblewrap. */
  readonly sandbox: boolean;
  /** Inherited environment (PATH, HOME, locale …). */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly region: string;
  readonly stopGraceMs: number;
  readonly startupTimeoutMs: number;
  /** Restart back-off of crashed servers (tests shorten it). */
  readonly restartDelayMs?: number;
  /** True once the deployment is being undeployed: a launch in progress gives up (HostingError). */
  readonly cancelled?: () => boolean;
  /** Multi-model instances' model caches: memory budget (default the instance type's memory), disk budget, error scope. */
  readonly multiModel: { readonly memoryMib?: number; readonly diskMib: number; readonly scope: EndpointScope };
}

/** A framework container's environment with an `s3://` SAGEMAKER_SUBMIT_DIRECTORY staged into model/code. Throws HostingError. */
async function servingCode(store: ObjectStore, container: HostedContainer, modelDir: string): Promise<Record<string, string>> {
  try {
    return await stageServingCode(store, container.environment, modelDir);
  } catch (error) {
    throw new HostingError(`Could not stage the inference code of container image ${container.image}: ${(error as Error).message}`, { cause: error });
  }
}

/** `production variant <variant>` or `transform job <job>`, as messages name what is launched. */
function unitOf(ctx: LaunchContext, variant: HostedVariant): string {
  return ctx.purpose === 'transform' ? `transform job ${ctx.endpointName}` : `production variant ${variant.name}`;
}

/** `i-` and 17 hex digits, like an EC2 instance id. */
function newInstanceId(): string {
  return `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** The instance's log stream for container `index`: `<variant>/<instance-id>` (pipelines: `/<container>` appended). */
export function logStreamName(variant: HostedVariant, instanceId: string, index: number): string {
  const base = `${variant.name}/${instanceId}`;
  return variant.plan.containers.length === 1 ? base : `${base}/${containerName(variant.plan.containers, index)}`;
}

/**
 * Brings up one instance of `variant`: per container a directory laid out as /opt/ml with the model
 * unpacked into model/ (SingleModel) or an empty models/ (MultiModel), a free port, a log stream in
 * `/aws/sagemaker/Endpoints/<endpoint>`, and the model server started with `serve`; resolves once
 * every container answers /ping. Throws HostingError naming the cause (bad archive, ping failure
 * with the server's exit code and last output) after stopping what it started and removing the
 * instance's files.
 */
export async function launchInstance(
  ctx: LaunchContext,
  variant: HostedVariant,
  prepared: readonly PreparedContainer[],
  onCreated?: (instance: HostedInstance) => void,
): Promise<HostedInstance> {
  const id = newInstanceId();
  const dir = path.join(ctx.deploymentDir, variant.name, id);
  const servers: ModelServer[] = [];
  const logs: LogStreamWriter[] = [];
  const instance = new HostedInstance(id, variant.name, dir, servers, logs);
  const environments: Record<string, string>[] = [];
  onCreated?.(instance);
  try {
    for (const [index, entry] of prepared.entries()) {
      const optMl = instance.optMlDir(index);
      await mkdir(path.join(optMl, 'model'), { recursive: true });
      if (entry.container.mode === 'MultiModel') await mkdir(path.join(optMl, 'models'), { recursive: true });
      else if (entry.container.modelDataUrl !== undefined)
        await unpackModelData(
          ctx.objectStore,
          entry.container.modelDataUrl,
          path.join(optMl, 'model'),
          entry.container.containerHostname ?? `container_${index + 1}`,
        );
      environments.push(
        entry.image.kind === 'script-mode' ? await servingCode(ctx.objectStore, entry.container, path.join(optMl, 'model')) : entry.container.environment,
      );
    }
    const hostsFile = path.join(dir, 'hosts');
    for (const [index, entry] of prepared.entries()) {
      const name = containerName(variant.plan.containers, index);
      const hostname = entry.container.containerHostname ?? 'localhost';
      const optMl = instance.optMlDir(index);
      await writeFile(`${hostsFile}-${index}`, hostsFileText(0) + (hostname === 'localhost' ? '' : `127.0.0.1\t${hostname}\n`));
      const launch = launchFor(entry.image, 'serve', { ...(entry.python ? { python: entry.python } : {}), optMl: ctx.sandbox ? '/opt/ml' : optMl });
      const port = await freePort();
      const env: Record<string, string> = {
        ...ctx.baseEnv,
        PATH: launchPath(launch, ctx.baseEnv),
        PYTHONUNBUFFERED: '1',
        ...environments[index],
        ...launch.env,
        SAGEMAKER_BIND_TO_PORT: String(port),
        SAGEMAKER_SAFE_PORT_RANGE: `${port}-${port}`,
        SAGEMAKER_REGION: ctx.region,
        AWS_REGION: ctx.region,
        ...(entry.container.mode === 'MultiModel' ? { SAGEMAKER_MULTI_MODEL: 'true' } : {}),
      };
      const stream = logStreamName(variant, id, index);
      await ctx.logs.append(ctx.logGroup, stream, []);
      const log = new LogStreamWriter(ctx.logs, ctx.logGroup, stream);
      logs.push(log);
      servers.push(
        new ModelServer({
          container: name,
          command: launch.command,
          ...(launch.cwd !== undefined ? { cwd: launch.cwd } : {}),
          env,
          optMlDir: optMl,
          ...(ctx.sandbox ? { sandbox: { hostname, hostsFile: `${hostsFile}-${index}` } } : {}),
          port,
          log,
          stopGraceMs: ctx.stopGraceMs,
          startupTimeoutMs: ctx.startupTimeoutMs,
          ...(ctx.restartDelayMs !== undefined ? { restartDelayMs: ctx.restartDelayMs } : {}),
          pidFile: `${optMl}.pid`,
        }),
      );
    }
    if (ctx.cancelled?.())
      throw new HostingError(
        ctx.purpose === 'transform' ? `Transform job ${ctx.endpointName} was stopped.` : `The deployment of endpoint ${ctx.endpointName} was cancelled.`,
      );
    const results = await Promise.allSettled(servers.map((server) => server.start()));
    const failed = results.findIndex((result) => result.status === 'rejected');
    if (failed >= 0) {
      const reason = (results[failed] as PromiseRejectedResult).reason as unknown;
      const detail = reason instanceof ModelServerStartError ? reason.message : String(reason);
      const name = containerName(variant.plan.containers, failed);
      throw new HostingError(
        `The ${name} container for ${unitOf(ctx, variant)} did not pass the ping health check. ` +
          `Please check CloudWatch logs for this ${ctx.purpose === 'transform' ? 'transform job' : 'endpoint'}. (${detail})`,
      );
    }
    const multi = prepared[0]?.container;
    if (multi?.mode === 'MultiModel' && multi.modelDataUrl !== undefined) {
      instance.multiModel = new MultiModelInstanceCache({
        objectStore: ctx.objectStore,
        modelDataUrl: multi.modelDataUrl,
        container: servers[0] as ModelServer,
        modelsDir: path.join(instance.optMlDir(0), 'models'),
        containerModelsDir: ctx.sandbox ? '/opt/ml/models' : path.join(instance.optMlDir(0), 'models'),
        memoryBudgetBytes: memoryBudgetBytes(variant.plan.instanceType, ctx.multiModel.memoryMib),
        diskBudgetBytes: ctx.multiModel.diskMib * 1024 * 1024,
        cacheEnabled: multi.modelCacheSetting !== 'Disabled',
        errors: { scope: ctx.multiModel.scope, endpointName: ctx.endpointName, container: containerName(variant.plan.containers, 0) },
      });
    }
    return instance;
  } catch (error) {
    await instance.stop(0).catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    if (error instanceof HostingError) throw error;
    throw new HostingError(`Could not start an instance of ${unitOf(ctx, variant)}: ${(error as Error).message}`, { cause: error });
  }
}
