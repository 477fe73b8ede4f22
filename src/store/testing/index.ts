export { postgresTarget } from './postgres-target.js';
export { sqliteTarget } from './sqlite-target.js';
export { pageNames } from './page-names.js';
