export { createLogsService } from './logs-service.js';
export type { LogsHttpOptions } from './logs-service.js';
export { logsOperations } from './logs-operations.js';
export { logsShapes } from '../protocol/generated/index.js';
