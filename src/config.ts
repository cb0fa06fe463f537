import { configFromEnv } from './config/load.js';
import type { Config } from './config/config-schema.js';

/**
 * The public entry to configuration: the env schema (src/config/env-schema.ts), the
 * structured Config derived from its TypeBox schema (src/config/config-schema.ts) and the
 * loader between them (src/config/load.ts). This is the only file that reads process.env.
 */
export { ConfigSchema, type Config, type EngineConfig } from './config/config-schema.js';
export { EnvSchema, type Env } from './config/env-schema.js';
export { ConfigError } from './config/load.js';

/**
 * Reads and validates the environment once. Throws ConfigError naming the first
 * variable that is wrong and what it expects.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return configFromEnv(env);
}
