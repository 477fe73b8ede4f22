export { ModelService, parseS3Uri } from './model-service.js';
export type { NewModel, ModelServiceDependencies } from './model-service.js';
export type { ModelRecord, ContainerRecord, ModelSortField } from './model-record.js';
export type { ModelRepository } from './model-repository.js';
