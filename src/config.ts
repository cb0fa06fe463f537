import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
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

/** Group names, or `*` for every group (and the containers that belong to none). */
const GROUP_LIST = '^(\\*|[a-zA-Z0-9][a-zA-Z0-9_.-]*)(,(\\*|[a-zA-Z0-9][a-zA-Z0-9_.-]*))*$';

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
  CORS_ORIGINS: Type.String({
    default: '',
    description: 'a comma-separated list of origins such as https://gui.example.org (they may send the session cookie); * lets any origin read without credentials',
  }),
  ALLOWED_HOSTS: Type.String({
    default: '',
    description: 'comma-separated host names or addresses this service answers to, e.g. gdm.example.org,10.0.0.5 (no scheme, no port)',
  }),
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
  GROUP_STEP_TIMEOUT_MAX_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 300,
    description: 'seconds, 1-3600: the most a caller may ask for as a group step timeout (stepTimeout) or stop grace (timeout)',
  }),
  JWT_SECRET_KEY: Type.Optional(Type.String({ minLength: 16, description: 'a secret of at least 16 characters (unset: one is generated into DATA_DIR)' })),
  JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the audience tokens must carry, e.g. gui_docker_manager' })),
  JWT_ISSUER: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the issuer tokens must carry' })),
  JWT_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 30 * 86400, default: 8 * 3600, description: 'seconds, 60-2592000' }),
  JWT_CLOCK_TOLERANCE_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 30, description: 'seconds, 0-300' }),
  GUI_ACCESS_LEVELS_ENABLED: Type.Boolean({ default: true, description: 'true or false (1 or 0)' }),
  USER_SERVICES: Type.String({ pattern: GROUP_LIST, default: 'foundation,core', description: 'comma-separated group names, or * for every group' }),
  DEVELOPER_SERVICES: Type.String({ pattern: GROUP_LIST, default: 'foundation,core,application', description: 'comma-separated group names, or * for every group' }),
  ADMIN_SERVICES: Type.String({ pattern: GROUP_LIST, default: '*', description: 'comma-separated group names, or * for every group' }),
  ROLE_MAP: Type.String({
    pattern: '^([A-Za-z0-9_.-]+:(user|developer|admin)(,[A-Za-z0-9_.-]+:(user|developer|admin))*)?$',
    default: '',
    description: 'comma-separated token-role:our-role pairs, e.g. super_admin:admin,node_operator:developer,USER:user',
  }),
  ADMIN_USERNAME: Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$', default: 'admin', description: 'a user name' }),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 12, maxLength: 1024, description: 'a password of at least 12 characters' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://\\S+$', description: 'redis://[:password@]host:port[/db]' })),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 600, description: 'an integer, 1-1000000' }),
  LOGIN_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 10_000, default: 10, description: 'an integer, 1-10000' }),
  TRUSTED_PROXIES: Type.String({ default: '', description: 'comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed' }),
  AUDIT_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 36500, default: 90, description: 'days, 1-36500' }),
  COMPOSE_PROJECTS_DIR: Type.Optional(Type.String({ minLength: 1, description: 'a folder holding one folder per compose project' })),
  COMPOSE_PROJECTS_FILE: Type.Optional(Type.String({ minLength: 1, description: 'a YAML file declaring projects (name → dir + ordered files, trusted: true for host access); re-read on change' })),
  COMPOSE_COMMAND: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9_./-]+( [A-Za-z0-9_./-]+)*$', description: 'the compose command, e.g. "docker compose" or "/usr/bin/docker-compose"' }),
  ),
  COMPOSE_TIMEOUT_SECONDS: Type.Integer({ minimum: 5, maximum: 7200, default: 600, description: 'seconds, 5-7200' }),
  COMPOSE_ALLOW_BUILD: Type.Boolean({ default: false, description: 'true or false (1 or 0)' }),
  COMPOSE_ALLOW_PULL: Type.Boolean({ default: false, description: 'true or false (1 or 0)' }),
  COOKIE_SECURE: Type.Union([Type.Literal('auto'), Type.Literal('true'), Type.Literal('false')], {
    default: 'auto',
    description: 'auto (Secure over HTTPS), true or false',
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
  groups: {
    file: string;
    labelKeys: string[];
    /** The largest stepTimeout (and stop grace) a caller may ask of a group operation. */
    stepTimeoutMaxSeconds: number;
  };
  auth: {
    secret?: string;
    audience?: string;
    issuer?: string;
    ttlSeconds: number;
    clockToleranceSeconds: number;
    accessLevelsEnabled: boolean;
    /** Each role's default groups; `*` stands for every group and the ungrouped containers. */
    roleGroups: Record<'user' | 'developer' | 'admin', string[]>;
    /** Role names in foreign tokens → our roles. */
    roleMap: Record<string, 'user' | 'developer' | 'admin'>;
    adminUsername: string;
    adminPassword?: string;
    cookieSecure: 'auto' | 'true' | 'false';
  };
  rateLimit: { perMinute: number; loginPerMinute: number; redisUrl?: string; trustedProxies: string[] };
  auditRetentionDays: number;
  compose: {
    projectsDir?: string;
    projectsFile?: string;
    command?: string[];
    /** The tool's environment: PATH, HOME and the engine address; none of our secrets. */
    env: Record<string, string>;
    timeoutSeconds: number;
    allowBuild: boolean;
    allowPull: boolean;
  };
  corsOrigins: string[];
  /** Host names (lower case, IPv6 in brackets) the service answers to; empty: see http/host-check.ts. */
  allowedHosts: string[];
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
const SECRET_VARS = new Set(['METRICS_TOKEN', 'JWT_SECRET_KEY', 'ADMIN_PASSWORD', 'REDIS_URL']);

function list(value: string): string[] {
  return [...new Set(value.split(',').map((v) => v.trim()).filter(Boolean))];
}

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

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** One ALLOWED_HOSTS entry as the host check compares it: a DNS name, IPv4, or IPv6 in brackets. */
function allowedHost(entry: string, env: NodeJS.ProcessEnv): string {
  const bare = entry.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (isIP(bare) === 6) return `[${bare}]`;
  if (isIP(bare) === 4 || (HOST_NAME.test(bare) && bare.length <= 253)) return bare;
  throw new ConfigError('ALLOWED_HOSTS', `Invalid ALLOWED_HOSTS entry ${JSON.stringify(entry)} in ${JSON.stringify(env['ALLOWED_HOSTS'])}: expected a host name or address such as gdm.example.org (no scheme, no port)`);
}

function runningInContainer(): boolean {
  return existsSync('/.dockerenv') || existsSync('/run/.containerenv');
}

/**
 * Reads and validates the environment once. Throws ConfigError naming the first
 * variable that is wrong and what it expects.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Unset means "generate one"; set but blank is a mistake that must not mean "no secret".
  if (env['JWT_SECRET_KEY'] !== undefined && env['JWT_SECRET_KEY'].trim() === '') {
    throw new ConfigError('JWT_SECRET_KEY', 'Invalid JWT_SECRET_KEY=(hidden): expected a secret of at least 16 characters; it is set but empty');
  }
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
  const allowedHosts = list(e.ALLOWED_HOSTS.toLowerCase()).map((entry) => allowedHost(entry, env));
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
      stepTimeoutMaxSeconds: e.GROUP_STEP_TIMEOUT_MAX_SECONDS,
    },
    auth: {
      secret: e.JWT_SECRET_KEY,
      audience: e.JWT_AUDIENCE,
      issuer: e.JWT_ISSUER,
      ttlSeconds: e.JWT_TTL_SECONDS,
      clockToleranceSeconds: e.JWT_CLOCK_TOLERANCE_SECONDS,
      accessLevelsEnabled: e.GUI_ACCESS_LEVELS_ENABLED,
      roleGroups: { user: list(e.USER_SERVICES), developer: list(e.DEVELOPER_SERVICES), admin: list(e.ADMIN_SERVICES) },
      roleMap: Object.fromEntries(list(e.ROLE_MAP).map((pair) => pair.split(':') as [string, 'user' | 'developer' | 'admin'])),
      adminUsername: e.ADMIN_USERNAME,
      adminPassword: e.ADMIN_PASSWORD,
      cookieSecure: e.COOKIE_SECURE,
    },
    rateLimit: {
      perMinute: e.RATE_LIMIT_PER_MINUTE,
      loginPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
      redisUrl: e.REDIS_URL,
      trustedProxies: list(e.TRUSTED_PROXIES),
    },
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    compose: {
      projectsDir: e.COMPOSE_PROJECTS_DIR,
      projectsFile: e.COMPOSE_PROJECTS_FILE,
      command: e.COMPOSE_COMMAND?.split(' '),
      env: Object.fromEntries(
        Object.entries({
          PATH: env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
          HOME: env['HOME'] ?? '/tmp',
          DOCKER_HOST: e.DOCKER_HOST,
          DOCKER_CERT_PATH: e.DOCKER_CERT_PATH,
          DOCKER_TLS_VERIFY: e.DOCKER_TLS_VERIFY ? '1' : undefined,
          DOCKER_API_VERSION: e.DOCKER_API_VERSION?.replace(/^v/, ''),
        }).filter((kv): kv is [string, string] => kv[1] !== undefined),
      ),
      timeoutSeconds: e.COMPOSE_TIMEOUT_SECONDS,
      allowBuild: e.COMPOSE_ALLOW_BUILD,
      allowPull: e.COMPOSE_ALLOW_PULL,
    },
    corsOrigins,
    allowedHosts: [...new Set(allowedHosts)],
    dataDir: e.DATA_DIR,
    metricsToken: e.METRICS_TOKEN,
    ignoredVars: IGNORED_VARS.filter((name) => env[name] !== undefined),
  };
}
