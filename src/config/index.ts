export { configSchema, configUsage, loadConfig, ConfigError } from './config.js';
export type { Config, ConfigInput, AccessKey } from './config.js';
