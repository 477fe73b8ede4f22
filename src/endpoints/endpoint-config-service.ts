import { ValidationException } from '../errors/index.js';
import { resourceArn, type ArnScope, type ListPage, type ListRequest, type Tag, type TagService } from '../resources/index.js';
import type { EndpointConfigRecord, EndpointConfigSortField, ProductionVariantRecord } from './endpoint-config-record.js';
import type { EndpointConfigRepository } from './endpoint-config-repository.js';
import { resolveVariant, type ModelLookup } from './deployment-plan.js';

/** An endpoint configuration to create: the record without what the service assigns. */
export interface NewEndpointConfig {
  readonly name: string;
  readonly productionVariants: readonly ProductionVariantRecord[];
  /** The request's other members (camelCased), stored and echoed. */
  readonly [member: string]: unknown;
}

export interface EndpointConfigServiceDependencies {
  readonly repository: EndpointConfigRepository;
  readonly tags: TagService;
  /** Finds a model; throws ValidationException `Could not find model "<arn>".` */
  readonly models: ModelLookup;
  readonly clock?: () => number;
}

/** GPU instance families (SageMaker serves multi-model endpoints on CPU instances only). */
const gpuInstance = /^ml\.(p\d|g\d)/;

/**
 * SageMaker endpoint configurations (CreateEndpointConfig, DescribeEndpointConfig,
 * ListEndpointConfigs, DeleteEndpointConfig): validated against the models they name, then
 * immutable. Deleting one that an endpoint uses is allowed, as in SageMaker.
 */
export class EndpointConfigService {
  private readonly clock: () => number;

  constructor(
    private readonly scope: ArnScope,
    private readonly deps: EndpointConfigServiceDependencies,
  ) {
    this.clock = deps.clock ?? Date.now;
    deps.tags.registerResourceType('endpoint-config', async (name, arn) => {
      if (!(await deps.repository.get(name))) throw this.notFound(arn);
    });
  }

  /** The configuration's ARN (name lower-cased). */
  arn(name: string): string {
    return resourceArn(this.scope, 'endpoint-config', name);
  }

  private notFound(arn: string): ValidationException {
    return new ValidationException(`Could not find endpoint configuration "${arn}".`);
  }

  /**
   * Creates a configuration with its tags. Throws ValidationException for a name that exists
   * (`Cannot create already existing endpoint configuration "<arn>".`), a variant name given
   * twice, a variant without ModelName/InstanceType/InitialInstanceCount, a model that does not
   * exist (`Could not find model "<arn>".`), a multi-model model on a GPU instance type
   * (`MultiModel mode is not supported for instance type <type>.`), and what Salvia does not
   * serve (ServerlessConfig, ShadowProductionVariants).
   */
  async create(config: NewEndpointConfig, tags: readonly Tag[] = []): Promise<EndpointConfigRecord> {
    const arn = this.arn(config.name);
    const duplicate = (): ValidationException => new ValidationException(`Cannot create already existing endpoint configuration "${arn}".`);
    if (await this.deps.repository.get(config.name)) throw duplicate();
    const productionVariants = await this.validateVariants(config.productionVariants);
    if (config['shadowProductionVariants'] !== undefined) {
      throw new ValidationException('ShadowProductionVariants are not supported by Salvia: give every model a production variant of its own.');
    }
    const record: EndpointConfigRecord = { ...config, productionVariants, arn, creationTime: this.clock() };
    if (!(await this.deps.repository.insert(record, tags))) throw duplicate();
    return record;
  }

  private async validateVariants(variants: readonly ProductionVariantRecord[]): Promise<ProductionVariantRecord[]> {
    const seen = new Set<string>();
    const out: ProductionVariantRecord[] = [];
    for (const [index, variant] of variants.entries()) {
      if (seen.has(variant.variantName.toLowerCase())) {
        throw new ValidationException(`The variant name "${variant.variantName}" was non-unique within the request.`);
      }
      seen.add(variant.variantName.toLowerCase());
      if (variant.serverlessConfig !== undefined) {
        throw new ValidationException(
          `Serverless inference is not supported by Salvia: give variant "${variant.variantName}" an InstanceType and InitialInstanceCount instead of ServerlessConfig.`,
        );
      }
      const plan = await resolveVariant(variant, index, this.deps.models);
      if (plan.containers.some((c) => c.mode === 'MultiModel') && gpuInstance.test(plan.instanceType)) {
        throw new ValidationException(`MultiModel mode is not supported for instance type ${plan.instanceType}.`);
      }
      out.push({ ...variant, initialVariantWeight: variant.initialVariantWeight ?? 1 });
    }
    return out;
  }

  /** Throws ValidationException `Could not find endpoint configuration "<arn>".` if there is none. */
  async describe(name: string): Promise<EndpointConfigRecord> {
    const record = await this.deps.repository.get(name);
    if (!record) throw this.notFound(this.arn(name));
    return record;
  }

  list(request: ListRequest<EndpointConfigSortField>): Promise<ListPage<EndpointConfigRecord>> {
    return this.deps.repository.list(request);
  }

  /** Deletes a configuration and its tags (endpoints using it keep running). Throws ValidationException if there is none. */
  async delete(name: string): Promise<void> {
    const arn = this.arn(name);
    if (!(await this.deps.repository.delete(name))) throw this.notFound(arn);
    await this.deps.tags.forget(arn);
  }
}
