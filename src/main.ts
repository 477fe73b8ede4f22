import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildServer } from './api/server.js';
import type { Config } from './config/index.js';
import { openDatabase, type Database } from './store/index.js';
import type { HttpService } from './api/http-service.js';
import type { Authenticator } from './api/protocol/authenticator.js';
import {
  createSageMakerService,
  endpointConfigOperations,
  endpointOperations,
  modelOperations,
  processingOperations,
  tagOperations,
  trainingOperations,
  transformOperations,
  type OperationTable,
} from './api/sagemaker/index.js';
import { createS3Service } from './api/s3/index.js';
import { createAuthenticator } from './api/protocol/sigv4.js';
import { ModelService, type ModelRecord } from './models/index.js';
import { createObjectStore, type ObjectStore } from './objectstore/index.js';
import { TagService } from './resources/index.js';
import { KyselyModelRepository } from './store/repositories/models.js';
import { KyselyTagRepository } from './store/repositories/tags.js';
import { createLogsService } from './api/logs/index.js';
import { RuntimeService, createRuntimeHttpService } from './api/runtime/index.js';
import { HostingRouter, ProcessEndpointHosting } from './hosting/index.js';
import { createStsService } from './api/sts/index.js';
import { createSalviaService } from './api/salvia/index.js';
import { ImageCatalog, RuntimeEnvironments } from './images/index.js';
import { KyselyImageRepository } from './store/repositories/images.js';
import { FileSystemRegistry } from './filesystems/index.js';
import { KyselyFileSystemRepository } from './store/repositories/filesystems.js';
import { LogService } from './logs/index.js';
import { KyselyLogRepository } from './store/repositories/logs.js';
import { cpus, totalmem } from 'node:os';
import { EndpointConfigService, EndpointService, type EndpointConfigRecord, type EndpointRecord } from './endpoints/index.js';
import type { EndpointHosting } from './hosting/index.js';
import { KyselyEndpointConfigRepository } from './store/repositories/endpoint-configs.js';
import { KyselyEndpointRepository } from './store/repositories/endpoints.js';
import { ProcessExecutor } from './executors/index.js';
import { CapacityQueue, localUrl, TrainingService, type SidecarS3Access, type TrainingJobRecord } from './training/index.js';
import { ProcessingService, type ProcessingJobRecord } from './processing/index.js';
import { KyselyJobRepository } from './store/repositories/jobs.js';
import { TransformService, type TransformJobRecord } from './transform/index.js';
import { HostedTransformRunner } from './transform/run/index.js';
import { KyselyTrainingMetricsRepository } from './store/repositories/training-metrics.js';

/** A running platform: its address and how to stop it. */
export interface Platform {
  readonly url: string;
  readonly config: Config;
  readonly server: FastifyInstance;
  readonly database: Database;
  /** Where objects live (data directory or external S3), per the config. */
  readonly objectStore: ObjectStore;
  close(): Promise<void>;
}

/**
 * The composition root: builds every adapter from the configuration, wires the services and
 * starts listening. Throws if the data directory, database or port cannot be used.
 */
export async function startPlatform(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<Platform> {
  mkdirSync(config.dataDir, { recursive: true });
  const database = await openDatabase(config);
  const objectStore = await createObjectStore(config, { logger });
  const authenticator = createAuthenticator(config);
  const images = new ImageCatalog(config, { repository: new KyselyImageRepository(database) });
  // One instance for training and hosting: it serialises builds of the same environment.
  const runtimes = new RuntimeEnvironments(config);
  const fileSystems = new FileSystemRegistry({ repository: new KyselyFileSystemRepository(database) });
  const logs = new LogService(new KyselyLogRepository(database), { region: config.region, accountId: config.accountId });
  const hosting = new ProcessEndpointHosting(
    {
      dataDir: config.dataDir,
      region: config.region,
      accountId: config.accountId,
      sandbox: config.trainingSandbox,
      baseEnv: config.jobBaseEnv,
      ...(config.multiModelMemoryMib !== undefined ? { multiModelMemoryMib: config.multiModelMemoryMib } : {}),
      multiModelDiskMib: config.multiModelDiskMib,
    },
    { objectStore, images, runtimes, logs, logger },
  );
  let training: TrainingService | undefined;
  let processing: ProcessingService | undefined;
  let transform: TransformService | undefined;
  // One admission queue and one executor for every job kind: jobs share the machine.
  const capacityQueue = new CapacityQueue(jobCapacity(config));
  const executor = new ProcessExecutor({ sandbox: config.trainingSandbox, warn: (message) => logger.warn(message) });
  let listening: (url: string) => void = () => undefined;
  const serverUrl = new Promise<string>((resolve) => (listening = resolve));
  const sidecarS3 = (): Promise<SidecarS3Access> => serverUrl.then((url) => sidecarS3Access(config, url));
  let endpoints: EndpointService | undefined;
  const endpointsFor = (tags: TagService, models: ModelService): OperationTable[] => {
    const built = buildEndpoints(config, database, { tags, models, hosting, logger });
    endpoints = built.endpoints;
    return [endpointConfigOperations(built.configs), endpointOperations(built.endpoints)];
  };
  const trainingFor = (tags: TagService): TrainingService =>
    (training = buildTraining(config, database, { tags, objectStore, images, runtimes, logs, logger, sidecarS3, fileSystems, capacityQueue, executor }));
  const processingFor = (tags: TagService): ProcessingService =>
    (processing = buildProcessing(config, database, { tags, objectStore, images, runtimes, logs, logger, sidecarS3, capacityQueue, executor }));
  const transformFor = (tags: TagService, models: ModelService): TransformService =>
    (transform = buildTransform(config, database, { tags, models, objectStore, hosting, logs, logger, capacityQueue }));
  const server = buildServer(
    {
      sagemaker: buildSageMaker(config, database, { authenticator, objectStore, trainingFor, processingFor, endpointsFor, transformFor }),
      logs: createLogsService(logs, { maxBodyBytes: config.maxJsonBodyBytes, authenticator }),
      runtime: createRuntimeHttpService(new RuntimeService(new HostingRouter(hosting, { region: config.region, accountId: config.accountId })), {
        authenticator,
      }),
      sts: createStsService({ accountId: config.accountId, authenticator }),
      s3: createS3Service(config, { objectStore, authenticator }),
      salvia: createSalviaService({ images, fileSystems, authenticator }),
    },
    { logger },
  );
  try {
    await training?.start();
    await processing?.start();
    await endpoints?.start();
    await transform?.start();
    await server.listen({ host: config.host, port: config.port });
  } catch (error) {
    await database.close();
    throw error;
  }
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  listening(localUrl(address));
  return {
    url,
    config,
    server,
    database,
    objectStore,
    async close() {
      await server.close();
      await endpoints?.close();
      await transform?.close();
      await hosting.close();
      await training?.close();
      await processing?.close();
      await database.close();
    },
  };
}

/**
 * The SageMaker control plane over the metadata database. With an object store, CreateModel
 * checks that ModelDataUrl objects exist; with an authenticator, requests are SigV4-checked.
 */
function buildSageMaker(
  config: Config,
  database: Database,
  ports: {
    objectStore?: ObjectStore;
    authenticator?: Authenticator;
    trainingFor?: (tags: TagService) => TrainingService;
    processingFor?: (tags: TagService) => ProcessingService;
    endpointsFor?: (tags: TagService, models: ModelService) => OperationTable[];
    transformFor?: (tags: TagService, models: ModelService) => TransformService;
  } = {},
): HttpService {
  const scope = { region: config.region, accountId: config.accountId };
  const tags = new TagService(new KyselyTagRepository(database));
  const models = new ModelService(scope, {
    repository: new KyselyModelRepository<ModelRecord>(database),
    tags,
    ...(ports.objectStore ? { objectStore: ports.objectStore } : {}),
  });
  return createSageMakerService({
    maxBodyBytes: config.maxJsonBodyBytes,
    operations: [
      tagOperations(tags),
      modelOperations(models),
      ...(ports.trainingFor ? [trainingOperations(ports.trainingFor(tags))] : []),
      ...(ports.processingFor ? [processingOperations(ports.processingFor(tags))] : []),
      ...(ports.endpointsFor ? ports.endpointsFor(tags, models) : []),
      ...(ports.transformFor ? [transformOperations(ports.transformFor(tags, models))] : []),
    ],
    ...(ports.authenticator ? { authenticator: ports.authenticator } : {}),
  });
}

/** Where channel sidecars read objects: the external S3 service when one is configured, else this server (`url`) with the first access key. */
function sidecarS3Access(config: Config, url: string): SidecarS3Access {
  if (config.s3Endpoint) {
    return {
      endpoint: config.s3Endpoint,
      region: config.s3Region ?? 'us-east-1',
      forcePathStyle: config.s3ForcePathStyle,
      ...(config.s3AccessKeyId && config.s3SecretAccessKey ? { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey } : {}),
    };
  }
  const key = config.accessKeys[0];
  return { endpoint: url, region: config.region, forcePathStyle: true, ...(key ? { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } : {}) };
}

/** What training and processing jobs share: one executor and one capacity queue for the machine, images, logs, the object store. */
interface JobPorts {
  tags: TagService;
  objectStore: ObjectStore;
  images: ImageCatalog;
  runtimes: RuntimeEnvironments;
  logs: LogService;
  logger: Logger;
  sidecarS3: () => Promise<SidecarS3Access>;
  capacityQueue: CapacityQueue;
  executor: ProcessExecutor;
}

/** Training jobs: local processes under a detached supervisor, capacity from the config (default: this machine). */
function buildTraining(config: Config, database: Database, deps: JobPorts & { fileSystems: FileSystemRegistry }): TrainingService {
  return new TrainingService(
    {
      dataDir: config.dataDir,
      region: config.region,
      accountId: config.accountId,
      capacity: jobCapacity(config),
      stopGraceSeconds: config.trainingStopGraceSeconds,
      debugSidecars: config.logLevel === 'debug' || config.logLevel === 'trace',
    },
    {
      ...deps,
      repository: new KyselyJobRepository<TrainingJobRecord>(database, 'training_jobs'),
      metrics: new KyselyTrainingMetricsRepository(database),
      baseEnv: config.jobBaseEnv,
    },
  );
}

/** What jobs may use at once (training, processing …): the configured CPUs, memory and GPUs, by default this machine's. */
function jobCapacity(config: Config): { cpus: number; memoryMiB: number; gpus: number } {
  return {
    cpus: config.trainingCpus ?? cpus().length,
    memoryMiB: config.trainingMemoryMib ?? Math.floor(totalmem() / 2 ** 20),
    gpus: config.trainingGpus,
  };
}

/** Processing jobs: on the training jobs' executor and capacity queue, with their stop grace period. */
function buildProcessing(config: Config, database: Database, deps: JobPorts): ProcessingService {
  return new ProcessingService(
    { dataDir: config.dataDir, region: config.region, accountId: config.accountId, stopGraceSeconds: config.trainingStopGraceSeconds },
    { ...deps, repository: new KyselyJobRepository<ProcessingJobRecord>(database, 'processing_jobs'), baseEnv: config.jobBaseEnv },
  );
}

/** Batch transform jobs: admitted on the shared capacity queue, run on hosting's model servers. */
function buildTransform(
  config: Config,
  database: Database,
  deps: {
    tags: TagService;
    models: ModelService;
    objectStore: ObjectStore;
    hosting: ProcessEndpointHosting;
    logs: LogService;
    logger: Logger;
    capacityQueue: CapacityQueue;
  },
): TransformService {
  const runner = new HostedTransformRunner(
    { region: config.region },
    { objectStore: deps.objectStore, hosting: deps.hosting, logs: deps.logs, logger: deps.logger },
  );
  return new TransformService(
    { dataDir: config.dataDir, region: config.region, accountId: config.accountId, capacity: jobCapacity(config) },
    {
      repository: new KyselyJobRepository<TransformJobRecord>(database, 'transform_jobs'),
      tags: deps.tags,
      models: (name) => deps.models.describe(name),
      runner,
      capacityQueue: deps.capacityQueue,
      logger: deps.logger,
    },
  );
}

/** Endpoint configurations and endpoints over the metadata database and the hosting data plane. */
function buildEndpoints(
  config: Config,
  database: Database,
  deps: { tags: TagService; models: ModelService; hosting: EndpointHosting; logger: Logger },
): { configs: EndpointConfigService; endpoints: EndpointService } {
  const scope = { region: config.region, accountId: config.accountId };
  const models = (name: string): Promise<ModelRecord> => deps.models.describe(name);
  const configs = new EndpointConfigService(scope, { repository: new KyselyEndpointConfigRepository<EndpointConfigRecord>(database), tags: deps.tags, models });
  const endpoints = new EndpointService(scope, {
    repository: new KyselyEndpointRepository<EndpointRecord>(database),
    tags: deps.tags,
    configs: (name) => configs.describe(name),
    models,
    hosting: deps.hosting,
    logger: deps.logger,
  });
  return { configs, endpoints };
}
