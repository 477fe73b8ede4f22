export { DatabaseOpenError, lockKey, openDatabase } from './database.js';
export type { Database, DatabaseConfig } from './database.js';
export type { Schema } from './schema.js';
