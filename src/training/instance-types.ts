/** What one instance of an `ml.*` type asks of the machine. */
export interface InstanceResources {
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly gpus: number;
}

const GiB = 1024;

/** Common SageMaker instance types (vCPUs, memory, GPUs) as AWS lists them. */
const known: Readonly<Record<string, InstanceResources>> = {
  'ml.t3.medium': { vcpus: 2, memoryMiB: 4 * GiB, gpus: 0 },
  'ml.t3.large': { vcpus: 2, memoryMiB: 8 * GiB, gpus: 0 },
  'ml.t3.xlarge': { vcpus: 4, memoryMiB: 16 * GiB, gpus: 0 },
  'ml.m4.xlarge': { vcpus: 4, memoryMiB: 16 * GiB, gpus: 0 },
  'ml.m5.large': { vcpus: 2, memoryMiB: 8 * GiB, gpus: 0 },
  'ml.m5.xlarge': { vcpus: 4, memoryMiB: 16 * GiB, gpus: 0 },
  'ml.m5.2xlarge': { vcpus: 8, memoryMiB: 32 * GiB, gpus: 0 },
  'ml.m5.4xlarge': { vcpus: 16, memoryMiB: 64 * GiB, gpus: 0 },
  'ml.c4.xlarge': { vcpus: 4, memoryMiB: 7.5 * GiB, gpus: 0 },
  'ml.c5.large': { vcpus: 2, memoryMiB: 4 * GiB, gpus: 0 },
  'ml.c5.xlarge': { vcpus: 4, memoryMiB: 8 * GiB, gpus: 0 },
  'ml.c5.2xlarge': { vcpus: 8, memoryMiB: 16 * GiB, gpus: 0 },
  'ml.r5.large': { vcpus: 2, memoryMiB: 16 * GiB, gpus: 0 },
  'ml.p3.2xlarge': { vcpus: 8, memoryMiB: 61 * GiB, gpus: 1 },
  'ml.p3.8xlarge': { vcpus: 32, memoryMiB: 244 * GiB, gpus: 4 },
  'ml.g4dn.xlarge': { vcpus: 4, memoryMiB: 16 * GiB, gpus: 1 },
  'ml.g4dn.2xlarge': { vcpus: 8, memoryMiB: 32 * GiB, gpus: 1 },
  'ml.g5.xlarge': { vcpus: 4, memoryMiB: 16 * GiB, gpus: 1 },
  'ml.g5.2xlarge': { vcpus: 8, memoryMiB: 32 * GiB, gpus: 1 },
};

/**
 * The resources of an instance type: the table above, else derived from the size as AWS sizes
 * them (`large` = 2 vCPUs, `xlarge` = 4, `<n>xlarge` = 4n; 4 GiB per vCPU; GPU families p/g get
 * one GPU per 4xlarge step, at least one). Undefined for a name that is not `ml.<family>.<size>`
 * (the service model's enum rejects those before this is asked).
 */
export function instanceResources(instanceType: string): InstanceResources | undefined {
  const listed = known[instanceType];
  if (listed) return listed;
  const match = /^ml\.([a-z0-9-]+)\.(medium|large|(\d*)xlarge|metal)$/.exec(instanceType);
  if (!match) return undefined;
  const family = match[1] ?? '';
  const size = match[2] ?? '';
  const vcpus = size === 'medium' ? 1 : size === 'large' ? 2 : size === 'metal' ? 96 : 4 * Number(match[3] || '1');
  const gpus = /^(p|g)\d/.test(family) ? Math.max(1, Math.floor(vcpus / 16)) : 0;
  return { vcpus, memoryMiB: vcpus * 4 * GiB, gpus };
}

/** What `count` instances of a type ask of the machine's capacity (an unknown type counts as 1 vCPU, 1 GiB). */
export function clusterDemand(instanceType: string | undefined, count: number): { cpus: number; memoryMiB: number; gpus: number } {
  const r = instanceResources(instanceType ?? '') ?? { vcpus: 1, memoryMiB: 1024, gpus: 0 };
  return { cpus: r.vcpus * count, memoryMiB: r.memoryMiB * count, gpus: r.gpus * count };
}
