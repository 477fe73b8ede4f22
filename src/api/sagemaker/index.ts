export { createSageMakerService } from './sagemaker-service.js';
export type { SageMakerServiceOptions } from './sagemaker-service.js';
export type { SageMakerHandler, OperationTable } from './operation-table.js';
export { parseListInput, nextPageToken } from './list-input.js';
export type { ListInput, ListOptions } from './list-input.js';
export { encodePageToken, decodePageToken } from './page-token.js';
export { toRecord, toWire } from './wire-records.js';
export { modelOperations } from './model-operations.js';
export { tagOperations, tagsFromWire, tagsToWire } from './tag-operations.js';
