import { AwsError, ValidationException } from '../errors/index.js';
import type { ObjectStore } from '../objectstore/index.js';
import { resourceArn, type ArnScope, type ListPage, type ListRequest, type Tag, type TagService } from '../resources/index.js';
import type { ContainerRecord, ModelRecord, ModelSortField } from './model-record.js';
import type { ModelRepository } from './model-repository.js';

/** A model to create: the record without what the service assigns. */
export type NewModel = Omit<ModelRecord, 'arn' | 'creationTime'>;

export interface ModelServiceDependencies {
  readonly repository: ModelRepository;
  readonly tags: TagService;
  /** When given, CreateModel checks that each `ModelDataUrl` object exists. */
  readonly objectStore?: Pick<ObjectStore, 'headObject'>;
  readonly clock?: () => number;
}

/** `s3://bucket/key` → parts; undefined for anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}

/**
 * What SageMaker refuses in a model's containers (wording not verified against the live service):
 * PrimaryContainer together with Containers, a multi-model container without ModelDataUrl (the S3
 * prefix TargetModel is looked up under) or inside a serial inference pipeline.
 */
function checkContainers(model: NewModel): void {
  if (model.primaryContainer && model.containers && model.containers.length > 0) {
    throw new ValidationException('Either PrimaryContainer or Containers can be specified, but not both.');
  }
  const all = [model.primaryContainer, ...(model.containers ?? [])].filter((c): c is ContainerRecord => c !== undefined);
  for (const container of all) {
    if (container.mode !== 'MultiModel') continue;
    if (container.modelDataUrl === undefined) throw new ValidationException('ModelDataUrl (the S3 prefix of the models) is required when Mode is MultiModel.');
    if ((model.containers?.length ?? 0) > 1)
      throw new ValidationException('MultiModel mode is not supported for a serial inference pipeline (more than one container).');
  }
}

/** SageMaker models (CreateModel, DescribeModel, ListModels, DeleteModel): metadata only. */
export class ModelService {
  private readonly clock: () => number;

  constructor(
    private readonly scope: ArnScope,
    private readonly deps: ModelServiceDependencies,
  ) {
    this.clock = deps.clock ?? Date.now;
    deps.tags.registerResourceType('model', async (name, arn) => {
      if (!(await deps.repository.get(name))) throw this.notFound(arn);
    });
  }

  /** The model's ARN (name lower-cased). */
  arn(name: string): string {
    return resourceArn(this.scope, 'model', name);
  }

  private notFound(arn: string): ValidationException {
    return new ValidationException(`Could not find model "${arn}".`);
  }

  /**
   * Creates a model with its tags. Throws ValidationException if one with that name exists
   * (`Cannot create already existing model "<arn>".`), for containers SageMaker refuses
   * (PrimaryContainer with Containers, MultiModel without ModelDataUrl or in a pipeline) or, with an object store, if a
   * single-model container's ModelDataUrl names no object (`Could not find model data at <uri>.`).
   */
  async create(model: NewModel, tags: readonly Tag[] = []): Promise<ModelRecord> {
    const arn = this.arn(model.name);
    if (await this.deps.repository.get(model.name)) throw new ValidationException(`Cannot create already existing model "${arn}".`);
    checkContainers(model);
    for (const container of [model.primaryContainer, ...(model.containers ?? [])]) {
      if (container) await this.checkModelData(container);
    }
    const record: ModelRecord = { ...model, arn, creationTime: this.clock() };
    if (!(await this.deps.repository.insert(record, tags))) throw new ValidationException(`Cannot create already existing model "${arn}".`);
    return record;
  }

  private async checkModelData(container: ContainerRecord): Promise<void> {
    const url = container.modelDataUrl;
    if (!this.deps.objectStore || url === undefined || container.mode === 'MultiModel') return;
    const location = parseS3Uri(url);
    if (!location || location.key === '' || location.key.endsWith('/')) return;
    try {
      await this.deps.objectStore.headObject(location.bucket, location.key);
    } catch (error) {
      if (error instanceof AwsError && (error.code === 'NoSuchKey' || error.code === 'NoSuchBucket')) {
        throw new ValidationException(`Could not find model data at ${url}.`, { cause: error });
      }
      throw error;
    }
  }

  /** Throws ValidationException `Could not find model "<arn>".` if there is none. */
  async describe(name: string): Promise<ModelRecord> {
    const record = await this.deps.repository.get(name);
    if (!record) throw this.notFound(this.arn(name));
    return record;
  }

  list(request: ListRequest<ModelSortField>): Promise<ListPage<ModelRecord>> {
    return this.deps.repository.list(request);
  }

  /** Deletes a model and its tags (endpoints using it keep running). Throws ValidationException if there is none. */
  async delete(name: string): Promise<void> {
    const arn = this.arn(name);
    if (!(await this.deps.repository.delete(name))) throw this.notFound(arn);
    await this.deps.tags.forget(arn);
  }
}
