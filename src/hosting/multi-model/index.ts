export { MultiModelInstanceCache } from './instance-cache.js';
export type { MultiModelCacheOptions, MultiModelCacheStats, MultiModelContainer, MultiModelInvocation } from './instance-cache.js';
export { chooseInstance } from './choose-instance.js';
export type { MultiModelCandidate } from './choose-instance.js';
export { memoryBudgetBytes } from './memory-budget.js';
export { missingTargetModel, targetModelNotFound, corruptModelArchive, modelStillLoading } from './mme-errors.js';
export { modelId } from './model-id.js';
export { residentBytes } from './process-memory.js';
