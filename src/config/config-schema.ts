import Type, { type Static } from 'typebox';
import { EnvSchema, LogLevelSchema } from './env-schema.js';

/** Where a config value keeps the env variable's set of values, the env schema is reused. */
const env = EnvSchema.properties;

/** Our roles, as ROLE_MAP names them (access/permissions.ts holds the same three: config sits below access). */
const ConfigRoleSchema = Type.Union([Type.Literal('user'), Type.Literal('developer'), Type.Literal('admin')]);
const GroupNames = Type.Array(Type.String(), { description: 'group names; `*` stands for every group and the ungrouped containers' });

/** One engine the service follows (ENGINES_FILE, or DOCKER_HOST as the single engine `local`). */
export const EngineConfigSchema = Type.Object({
  name: Type.String({ description: 'Unique, safe in `{engine}:{ref}` references' }),
  host: Type.String({ description: 'unix://, tcp:// or ssh:// URL' }),
  apiVersion: Type.Optional(Type.String()),
  certPath: Type.Optional(Type.String({ description: 'DOCKER_CERT_PATH: a folder with ca.pem, cert.pem, key.pem' })),
  tlsVerify: Type.Boolean(),
  tls: Type.Optional(Type.Object({ ca: Type.String(), cert: Type.String(), key: Type.String() }, { description: 'Paths of the PEM files (never their content)' })),
  ssh: Type.Optional(
    Type.Object(
      { key: Type.Optional(Type.String()), knownHosts: Type.Optional(Type.String()), agent: Type.Optional(Type.String()) },
      { description: 'ssh:// engines: paths of the private key, the known_hosts file and the agent socket (never their content)' },
    ),
  ),
  required: Type.Boolean({ description: '/ready waits for it; default true for the first engine only' }),
  timeoutMs: Type.Integer(),
});
export type EngineConfig = Static<typeof EngineConfigSchema>;

/**
 * The configuration the service runs with, as loadConfig builds it from the environment
 * (src/config/load.ts). The type is derived from this schema, so the shape is written once;
 * test/unit/config.test.ts checks that what loadConfig builds conforms to it.
 */
export const ConfigSchema = Type.Object({
  port: Type.Integer(),
  host: Type.String(),
  logLevel: LogLevelSchema,
  docker: Type.Object({
    host: Type.String(),
    apiVersion: Type.Optional(Type.String({ description: 'without the leading v, e.g. 1.41' })),
    certPath: Type.Optional(Type.String()),
    tlsVerify: Type.Boolean(),
    timeoutMs: Type.Integer(),
  }),
  engines: Type.Array(EngineConfigSchema, { minItems: 1, description: 'Every engine, in the order of ENGINES_FILE (the first is the default one)' }),
  enginesFile: Type.Optional(Type.String()),
  stats: Type.Object({ source: env.STATS_SOURCE, intervalMs: Type.Integer() }),
  streams: Type.Object({ perClient: Type.Integer(), heartbeatMs: Type.Integer() }),
  metricsContainerStats: Type.Boolean({ description: 'Per-container CPU and memory gauges on /metrics (opt-in: one series per container)' }),
  groups: Type.Object({
    file: Type.String(),
    labelKeys: Type.Array(Type.String()),
    stepTimeoutMaxSeconds: Type.Integer({ description: 'The largest stepTimeout (and stop grace) a caller may ask of a group operation' }),
  }),
  auth: Type.Object({
    secret: Type.Optional(Type.String()),
    audience: Type.Optional(Type.String()),
    issuer: Type.Optional(Type.String()),
    ttlSeconds: Type.Integer(),
    clockToleranceSeconds: Type.Integer(),
    accessLevelsEnabled: Type.Boolean(),
    roleGroups: Type.Record(ConfigRoleSchema, GroupNames, { description: "Each role's default groups" }),
    roleEngines: Type.Record(ConfigRoleSchema, Type.Array(Type.String()), { description: "Each role's default engines; `*` stands for every engine" }),
    roleMap: Type.Record(Type.String(), ConfigRoleSchema, { description: 'Role names in foreign tokens → our roles' }),
    adminUsername: Type.String(),
    adminPassword: Type.Optional(Type.String()),
    cookieSecure: env.COOKIE_SECURE,
  }),
  rateLimit: Type.Object({
    perMinute: Type.Integer(),
    loginPerMinute: Type.Integer(),
    redisUrl: Type.Optional(Type.String()),
    trustedProxies: Type.Array(Type.String()),
  }),
  auditRetentionDays: Type.Integer(),
  compose: Type.Object({
    projectsDir: Type.Optional(Type.String()),
    projectsFile: Type.Optional(Type.String()),
    command: Type.Optional(Type.Array(Type.String(), { description: 'An argument array, never a shell string' })),
    env: Type.Record(Type.String(), Type.String(), {
      description: "The tool's environment: PATH, HOME and the engine address; none of our secrets",
    }),
    timeoutSeconds: Type.Integer(),
    allowBuild: Type.Boolean(),
    allowPull: Type.Boolean(),
  }),
  updates: Type.Object({
    authFile: Type.Optional(Type.String()),
    insecureRegistries: Type.Array(Type.String({ description: 'host or host:port, lower case' })),
    checkIntervalSeconds: Type.Integer({ description: '0: no scheduled check' }),
  }),
  alerts: Type.Object({
    rulesFile: Type.Optional(Type.String()),
    webhookAllow: Type.Array(Type.String(), { description: 'Hosts, addresses or CIDRs notifiers may reach although private (lower case)' }),
    timeoutMs: Type.Integer(),
    retries: Type.Integer(),
    retryBaseMs: Type.Integer(),
    queueSize: Type.Integer(),
    logFollowers: Type.Integer(),
    historyDays: Type.Integer(),
  }),
  logSearch: Type.Object({
    concurrency: Type.Integer({ description: 'Engine log reads at a time per engine, over every search' }),
    timeoutMs: Type.Integer({ description: 'How long one search may run before it ends with a partial result' }),
  }),
  corsOrigins: Type.Array(Type.String()),
  allowedHosts: Type.Array(Type.String(), {
    description: 'Host names (lower case, IPv6 in brackets) the service answers to; empty: see http/host-check.ts',
  }),
  history: Type.Object({
    enabled: Type.Boolean(),
    maxContainers: Type.Integer(),
    tiers: Type.Array(Type.Object({ widthMs: Type.Integer(), retentionMs: Type.Integer() }), {
      description: 'Resource history buckets, finest first: each width a multiple of the previous, each kept at least as long',
    }),
  }),
  dataDir: Type.String(),
  metricsToken: Type.Optional(Type.String()),
  ignoredVars: Type.Array(Type.String(), { description: 'Names of set variables we ignore, for one log line at boot' }),
});
export type Config = Static<typeof ConfigSchema>;
