import { ValidationException } from '../errors/index.js';
import type { HostedContainer, VariantPlan } from '../hosting/endpoint-hosting.js';
import type { ContainerRecord, ModelRecord } from '../models/index.js';
import type { ProductionVariantRecord } from './endpoint-config-record.js';

/** Finds a model by name; throws ValidationException `Could not find model "<arn>".` if there is none. */
export type ModelLookup = (name: string) => Promise<ModelRecord>;

/** `1 validation error detected: Value null at '<path>' failed to satisfy constraint: Member must not be null` (AWS's wording). */
function missingMember(path: string): ValidationException {
  return new ValidationException(`1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`);
}

/** The model's containers as hosting runs them: `Containers` (a serial pipeline) or the PrimaryContainer. */
export function hostedContainers(model: ModelRecord): HostedContainer[] {
  const containers: readonly ContainerRecord[] =
    model.containers && model.containers.length > 0 ? model.containers : model.primaryContainer ? [model.primaryContainer] : [];
  if (containers.length === 0) throw new ValidationException(`Model "${model.arn}" has no container to serve.`);
  return containers.map((container, index) => {
    if (container.image === undefined) {
      throw new ValidationException(`Container ${index + 1} of model "${model.arn}" has no Image; Salvia serves only models whose containers name an image.`);
    }
    const cacheSetting = modelCacheSetting(container);
    return {
      image: container.image,
      ...(container.modelDataUrl !== undefined ? { modelDataUrl: container.modelDataUrl } : {}),
      environment: { ...(container.environment ?? {}) },
      mode: container.mode === 'MultiModel' ? 'MultiModel' : 'SingleModel',
      ...(cacheSetting !== undefined ? { modelCacheSetting: cacheSetting } : {}),
      ...(container.containerHostname !== undefined ? { containerHostname: container.containerHostname } : {}),
    };
  });
}

/**
 * Resolves production variant `index` (0-based) of a configuration against the current models into
 * what hosting runs. Throws ValidationException for a missing ModelName, InstanceType or
 * InitialInstanceCount, the model lookup's for a model that does not exist, and hostedContainers'.
 */
export async function resolveVariant(variant: ProductionVariantRecord, index: number, models: ModelLookup): Promise<VariantPlan> {
  const path = `productionVariants.${index + 1}.member`;
  if (variant.modelName === undefined) throw missingMember(`${path}.modelName`);
  if (variant.instanceType === undefined) throw missingMember(`${path}.instanceType`);
  if (variant.initialInstanceCount === undefined) throw missingMember(`${path}.initialInstanceCount`);
  const model = await models(variant.modelName);
  return {
    variantName: variant.variantName,
    modelName: model.name,
    containers: hostedContainers(model),
    instanceCount: variant.initialInstanceCount,
    instanceType: variant.instanceType,
    weight: variant.initialVariantWeight ?? 1,
    ...(variant.containerStartupHealthCheckTimeoutInSeconds !== undefined
      ? { startupTimeoutSeconds: variant.containerStartupHealthCheckTimeoutInSeconds }
      : {}),
  };
}

/**
 * Resolves a configuration's production variants against the current models into what hosting
 * runs (see resolveVariant). Throws the model lookup's ValidationException for a model that no longer exists.
 */
export async function resolveVariants(variants: readonly ProductionVariantRecord[], models: ModelLookup): Promise<VariantPlan[]> {
  const plans: VariantPlan[] = [];
  for (const [index, variant] of variants.entries()) plans.push(await resolveVariant(variant, index, models));
  return plans;
}

/** MultiModelConfig.ModelCacheSetting of a container, as stored (camelCased). */
function modelCacheSetting(container: ContainerRecord): 'Enabled' | 'Disabled' | undefined {
  const setting = (container['multiModelConfig'] as { modelCacheSetting?: unknown } | undefined)?.modelCacheSetting;
  return setting === 'Enabled' || setting === 'Disabled' ? setting : undefined;
}
