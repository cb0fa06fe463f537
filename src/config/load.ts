import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Value from 'typebox/value';
import { PACKAGE } from '../version.js';
import type { Config } from './config-schema.js';
import { EnvSchema, type Env } from './env-schema.js';
import { EnginesFileError, readEnginesFile } from './engines-file.js';

/** Variables of the platform's compose file that this service knowingly ignores. */
const IGNORED_VARS = ['MONGODB_URL', 'SERVICE_NAME', 'DEBUG', 'LUCID_ENV', 'LUCID_PLATFORM', 'SERVICE_URL'];

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

/** ENGINES_FILE's engines, or DOCKER_HOST (with its TLS settings) as the one required engine `local`. */
function enginesOf(e: Env, apiVersion: string | undefined): Config['engines'] {
  // What OpenSSH (and so the docker CLI over ssh://) checks host keys against by default.
  const knownHosts = e.SSH_KNOWN_HOSTS ?? join(homedir(), '.ssh', 'known_hosts');
  if (e.ENGINES_FILE === undefined) {
    const local = { name: 'local', host: e.DOCKER_HOST, tlsVerify: e.DOCKER_TLS_VERIFY, required: true, timeoutMs: e.ENGINE_TIMEOUT_MS };
    const ssh = e.DOCKER_HOST.startsWith('ssh://') ? { ssh: { knownHosts, ...(e.SSH_AUTH_SOCK ? { agent: e.SSH_AUTH_SOCK } : {}) } } : {};
    return [{ ...local, ...(apiVersion ? { apiVersion } : {}), ...(e.DOCKER_CERT_PATH ? { certPath: e.DOCKER_CERT_PATH } : {}), ...ssh }];
  }
  try {
    return readEnginesFile(e.ENGINES_FILE, { timeoutMs: e.ENGINE_TIMEOUT_MS, apiVersion, sshKnownHosts: knownHosts, ...(e.SSH_AUTH_SOCK ? { sshAgent: e.SSH_AUTH_SOCK } : {}) });
  } catch (err) {
    if (err instanceof EnginesFileError) throw new ConfigError('ENGINES_FILE', err.message);
    throw err;
  }
}

/**
 * Reads and validates the environment once. Throws ConfigError naming the first
 * variable that is wrong and what it expects.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): Config {
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
  if (e.HISTORY_COARSE_INTERVAL_MS <= e.HISTORY_INTERVAL_MS || e.HISTORY_COARSE_INTERVAL_MS % e.HISTORY_INTERVAL_MS !== 0) {
    throw invalid('HISTORY_COARSE_INTERVAL_MS', env);
  }
  if (e.HISTORY_COARSE_RETENTION_DAYS * 24 < e.HISTORY_RETENTION_HOURS) {
    throw new ConfigError('HISTORY_COARSE_RETENTION_DAYS', `Invalid HISTORY_COARSE_RETENTION_DAYS=${e.HISTORY_COARSE_RETENTION_DAYS}: expected at least HISTORY_RETENTION_HOURS (${e.HISTORY_RETENTION_HOURS} h)`);
  }
  if (e.UPDATE_CHECK_INTERVAL > 0 && e.UPDATE_CHECK_INTERVAL < 60) throw invalid('UPDATE_CHECK_INTERVAL', env);
  const allowedHosts = list(e.ALLOWED_HOSTS.toLowerCase()).map((entry) => allowedHost(entry, env));
  const apiVersion = e.DOCKER_API_VERSION?.replace(/^v/, '');
  return {
    port: e.PORT,
    host: e.HOST ?? (runningInContainer() ? '0.0.0.0' : '127.0.0.1'),
    logLevel: e.LOG_LEVEL,
    docker: {
      host: e.DOCKER_HOST,
      apiVersion,
      certPath: e.DOCKER_CERT_PATH,
      tlsVerify: e.DOCKER_TLS_VERIFY,
      timeoutMs: e.ENGINE_TIMEOUT_MS,
    },
    engines: enginesOf(e, apiVersion),
    enginesFile: e.ENGINES_FILE,
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
      roleEngines: { user: list(e.USER_ENGINES), developer: list(e.DEVELOPER_ENGINES), admin: list(e.ADMIN_ENGINES) },
      roleMap: Object.fromEntries(list(e.ROLE_MAP).map((pair) => pair.split(':') as [string, Config['auth']['roleMap'][string]])),
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
    updates: {
      authFile: e.REGISTRY_AUTH_FILE,
      insecureRegistries: list(e.REGISTRY_INSECURE.toLowerCase()),
      checkIntervalSeconds: e.UPDATE_CHECK_INTERVAL,
    },
    alerts: {
      rulesFile: e.ALERT_RULES_FILE,
      webhookAllow: list(e.ALERT_WEBHOOK_ALLOW.toLowerCase()),
      timeoutMs: e.ALERT_NOTIFY_TIMEOUT_MS,
      retries: e.ALERT_NOTIFY_RETRIES,
      retryBaseMs: e.ALERT_RETRY_BASE_MS,
      queueSize: e.ALERT_QUEUE_SIZE,
      logFollowers: e.ALERT_LOG_FOLLOWERS,
      historyDays: e.ALERT_HISTORY_DAYS,
    },
    logSearch: { concurrency: e.LOG_SEARCH_CONCURRENCY, timeoutMs: e.LOG_SEARCH_TIMEOUT_MS },
    corsOrigins,
    allowedHosts: [...new Set(allowedHosts)],
    history: {
      enabled: e.HISTORY_ENABLED,
      maxContainers: e.HISTORY_MAX_CONTAINERS,
      tiers: [
        { widthMs: e.HISTORY_INTERVAL_MS, retentionMs: e.HISTORY_RETENTION_HOURS * 3_600_000 },
        { widthMs: e.HISTORY_COARSE_INTERVAL_MS, retentionMs: e.HISTORY_COARSE_RETENTION_DAYS * 86_400_000 },
      ],
    },
    dataDir: e.DATA_DIR,
    metricsToken: e.METRICS_TOKEN,
    ignoredVars: IGNORED_VARS.filter((name) => env[name] !== undefined),
  };
}
