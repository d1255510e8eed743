export { loadConfig, parseConfig, ConfigError, MAX_CONFIG_BYTES } from './load.js';
export { resolveConfigPath, packageRoot, defaultConfigPath, findPackageRoot } from './paths.js';
export { configSchema, BUS_SCHEMAS, LOG_LEVELS, MAX_LOCKS_PER_BOARD } from './schema.js';
export * from './types.js';
