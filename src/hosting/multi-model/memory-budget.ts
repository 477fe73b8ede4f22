import { instanceResources } from '../../training/index.js';

const MiB = 1024 * 1024;

/**
 * The memory an instance's loaded models may use, in bytes: `configuredMib` (config
 * `multiModelMemoryMib`) when set, else the instance type's memory as AWS lists it (4 GiB per vCPU
 * for types not in the table, 4 GiB for a name that is not `ml.<family>.<size>`).
 */
export function memoryBudgetBytes(instanceType: string, configuredMib?: number): number {
  if (configuredMib !== undefined) return configuredMib * MiB;
  return (instanceResources(instanceType)?.memoryMiB ?? 4096) * MiB;
}
