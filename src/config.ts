import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { PACKAGE } from './version.js';

/**
 * Every environment variable the service reads, in one schema. The `description` of each
 * says what is expected; it is the text an operator sees when a value is refused.
 * Nothing else in the code reads process.env.
 */
const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  { default: 'info', description: 'one of fatal, error, warn, info, debug, trace, silent' },
);

export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8098, description: 'a TCP port, 1-65535' }),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'an address to listen on, e.g. 127.0.0.1 or 0.0.0.0' })),
  LOG_LEVEL: LogLevel,
  DOCKER_HOST: Type.String({
    pattern: '^(unix:///|tcp://|ssh://)\\S+$',
    default: 'unix:///var/run/docker.sock',
    description: 'unix:///path, tcp://host:port or ssh://user@host',
  }),
  DOCKER_API_VERSION: Type.Optional(Type.String({ pattern: '^v?1\\.[0-9]{2}$', description: 'an engine API version such as 1.41' })),
  DOCKER_CERT_PATH: Type.Optional(Type.String({ minLength: 1, description: 'a folder holding ca.pem, cert.pem and key.pem' })),
  DOCKER_TLS_VERIFY: Type.Boolean({ default: false, description: 'true or false (1 or 0)' }),
  CORS_ORIGINS: Type.String({ default: '', description: 'a comma-separated list of origins such as https://gui.example.org' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'a writable folder for the embedded database' }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'a bearer token of at least 16 characters' })),
  ENGINE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000, description: 'milliseconds, 100-600000' }),
  STATS_SOURCE: Type.Union([Type.Literal('auto'), Type.Literal('cgroup'), Type.Literal('engine')], {
    default: 'auto',
    description: 'auto, cgroup or engine',
  }),
  STATS_INTERVAL_MS: Type.Integer({ minimum: 250, maximum: 60_000, default: 1000, description: 'milliseconds, 250-60000' }),
  STREAMS_PER_CLIENT: Type.Integer({ minimum: 1, maximum: 1000, default: 16, description: 'an integer, 1-1000' }),
  SSE_HEARTBEAT_MS: Type.Integer({ minimum: 1000, maximum: 300_000, default: 15_000, description: 'milliseconds, 1000-300000' }),
  METRICS_CONTAINER_STATS: Type.Boolean({ default: false, description: 'true or false (1 or 0)' }),
  SERVICE_GROUPS_FILE: Type.Optional(Type.String({ minLength: 1, description: 'the path of a service groups YAML file' })),
  GROUP_LABEL: Type.String({
    pattern: '^[a-zA-Z0-9._/-]+(,[a-zA-Z0-9._/-]+)*$',
    default: 'gdm.group',
    description: 'one or more comma-separated label keys, e.g. lucid.cluster,com.lucid.cluster',
  }),
});
export type Env = Static<typeof EnvSchema>;

/** Variables of the platform's compose file that this service knowingly ignores. */
const IGNORED_VARS = ['MONGODB_URL', 'SERVICE_NAME', 'DEBUG', 'LUCID_ENV', 'LUCID_PLATFORM', 'SERVICE_URL'];

export interface Config {
  port: number;
  host: string;
  logLevel: Static<typeof LogLevel>;
  docker: {
    host: string;
    apiVersion?: string;
    certPath?: string;
    tlsVerify: boolean;
    timeoutMs: number;
  };
  stats: { source: 'auto' | 'cgroup' | 'engine'; intervalMs: number };
  streams: { perClient: number; heartbeatMs: number };
  /** Per-container CPU and memory gauges on /metrics (opt-in: one series per container). */
  metricsContainerStats: boolean;
  groups: { file: string; labelKeys: string[] };
  corsOrigins: string[];
  dataDir: string;
  metricsToken?: string;
  /** Names of set variables we ignore, for one log line at boot. */
  ignoredVars: string[];
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };

/** Values never echoed in an error message. */
const SECRET_VARS = new Set(['METRICS_TOKEN']);

function normalise(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const raw = env[key];
    if (raw === undefined || raw.trim() === '') continue;
    const value = raw.trim();
    const schema = (EnvSchema.properties as Record<string, { type?: string }>)[key];
    if (schema?.type === 'boolean') out[key] = BOOLEAN_WORDS[value.toLowerCase()] ?? value;
    // Only plain decimal integers: Convert would otherwise take 80.5, 1e3, 0x50 or +80.
    else if (schema?.type === 'integer') {
      if (!/^\d+$/.test(value)) throw invalid(key, env);
      out[key] = Number(value);
    }
    else if (key === 'LOG_LEVEL') out[key] = value.toLowerCase(); // the platform writes INFO
    else out[key] = value;
  }
  return out;
}

function invalid(variable: string, env: NodeJS.ProcessEnv, fallback = 'a valid value'): ConfigError {
  const schema = (EnvSchema.properties as Record<string, { description?: string }>)[variable];
  const got = SECRET_VARS.has(variable) ? '(hidden)' : JSON.stringify(env[variable] ?? '');
  return new ConfigError(variable, `Invalid ${variable}=${got}: expected ${schema?.description ?? fallback}`);
}

function runningInContainer(): boolean {
  return existsSync('/.dockerenv') || existsSync('/run/.containerenv');
}

/**
 * Reads and validates the environment once. Throws ConfigError naming the first
 * variable that is wrong and what it expects.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Value.Convert(EnvSchema, Value.Default(EnvSchema, normalise(env)));
  const firstError = [...Value.Errors(EnvSchema, input)][0];
  if (firstError) throw invalid(firstError.instancePath.replace(/^\//, '').split('/')[0] ?? 'environment', env, firstError.message);
  const e = input as Env;
  const corsOrigins = e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^\s/]+$/.test(origin)) {
      throw new ConfigError('CORS_ORIGINS', `Invalid CORS_ORIGINS entry ${JSON.stringify(origin)}: expected an origin such as https://gui.example.org`);
    }
  }
  return {
    port: e.PORT,
    host: e.HOST ?? (runningInContainer() ? '0.0.0.0' : '127.0.0.1'),
    logLevel: e.LOG_LEVEL,
    docker: {
      host: e.DOCKER_HOST,
      apiVersion: e.DOCKER_API_VERSION?.replace(/^v/, ''),
      certPath: e.DOCKER_CERT_PATH,
      tlsVerify: e.DOCKER_TLS_VERIFY,
      timeoutMs: e.ENGINE_TIMEOUT_MS,
    },
    stats: { source: e.STATS_SOURCE, intervalMs: e.STATS_INTERVAL_MS },
    streams: { perClient: e.STREAMS_PER_CLIENT, heartbeatMs: e.SSE_HEARTBEAT_MS },
    metricsContainerStats: e.METRICS_CONTAINER_STATS,
    groups: {
      file: e.SERVICE_GROUPS_FILE ?? join(PACKAGE.root, 'config', 'service-groups.yaml'),
      labelKeys: [...new Set(e.GROUP_LABEL.split(','))],
    },
    corsOrigins,
    dataDir: e.DATA_DIR,
    metricsToken: e.METRICS_TOKEN,
    ignoredVars: IGNORED_VARS.filter((name) => env[name] !== undefined),
  };
}
