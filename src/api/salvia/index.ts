export { createSalviaService, SALVIA_API_PREFIX } from './salvia-service.js';
export type { SalviaServiceOptions } from './salvia-service.js';
