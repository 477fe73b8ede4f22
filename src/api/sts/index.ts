export { createStsService, sendStsError } from './sts-service.js';
export type { StsOptions } from './sts-service.js';
export { InvalidAction, MissingAction } from '../../errors/index.js';
