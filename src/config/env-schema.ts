import Type, { type Static } from 'typebox';

/** pino's levels; LOG_LEVEL is matched case-insensitively (the platform writes INFO). */
export const LogLevelSchema = Type.Union(
  // Written out: a mapped array would type as TLiteral<string>, whose Static is never.
  [
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent'),
  ],
  { default: 'info', description: 'one of fatal, error, warn, info, debug, trace, silent' },
);

/** Engine names, or `*` for every engine. */
const ENGINE_LIST = '^(\\*|[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62})(,(\\*|[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}))*$';

/** Group names, or `*` for every group (and the containers that belong to none). */
const GROUP_LIST = '^(\\*|[a-zA-Z0-9][a-zA-Z0-9_.-]*)(,(\\*|[a-zA-Z0-9][a-zA-Z0-9_.-]*))*$';

/**
 * Every environment variable the service reads, in one schema. The `description` of each
 * says what is expected; it is the text an operator sees when a value is refused.
 * Nothing else in the code reads process.env.
 */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8098, description: 'a TCP port, 1-65535' }),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'an address to listen on, e.g. 127.0.0.1 or 0.0.0.0' })),
  LOG_LEVEL: LogLevelSchema,
  DOCKER_HOST: Type.String({
    pattern: '^(unix:///|tcp://|ssh://)\\S+$',
    default: 'unix:///var/run/docker.sock',
    description: 'unix:///path, tcp://host:port or ssh://user@host',
  }),
  DOCKER_API_VERSION: Type.Optional(Type.String({ pattern: '^v?1\\.[0-9]{2}$', description: 'an engine API version such as 1.41' })),
  DOCKER_CERT_PATH: Type.Optional(Type.String({ minLength: 1, description: 'a folder holding ca.pem, cert.pem and key.pem' })),
  DOCKER_TLS_VERIFY: Type.Boolean({ default: false, description: 'true or false (1 or 0)' }),
  SSH_AUTH_SOCK: Type.Optional(Type.String({ minLength: 1, description: 'the SSH agent socket ssh:// engines log in with (besides an engine\'s ssh.key in ENGINES_FILE)' })),
  SSH_KNOWN_HOSTS: Type.Optional(
    Type.String({ minLength: 1, description: "the known_hosts file ssh:// engines' host keys are checked against (unset: ~/.ssh/known_hosts of the service's user; an engine's ssh.knownHosts overrides it)" }),
  ),
  ENGINES_FILE: Type.Optional(Type.String({ minLength: 1, description: 'the path of a YAML file declaring the engines (unset: DOCKER_HOST is the one engine, named local)' })),
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
  USER_ENGINES: Type.String({ pattern: ENGINE_LIST, default: '*', description: 'comma-separated engine names (ENGINES_FILE), or * for every engine' }),
  DEVELOPER_ENGINES: Type.String({ pattern: ENGINE_LIST, default: '*', description: 'comma-separated engine names (ENGINES_FILE), or * for every engine' }),
  ADMIN_ENGINES: Type.String({ pattern: ENGINE_LIST, default: '*', description: 'comma-separated engine names (ENGINES_FILE), or * for every engine' }),
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
  // Resource history (src/history/): one contiguous block.
  HISTORY_ENABLED: Type.Boolean({ default: true, description: 'true or false (1 or 0): record resource history' }),
  HISTORY_INTERVAL_MS: Type.Integer({
    minimum: 250,
    maximum: 3_600_000,
    default: 10_000,
    description: 'milliseconds, 250-3600000: the history sampling period and its finest bucket',
  }),
  HISTORY_RETENTION_HOURS: Type.Integer({ minimum: 1, maximum: 8760, default: 24, description: 'hours, 1-8760: how long the finest buckets are kept' }),
  HISTORY_COARSE_INTERVAL_MS: Type.Integer({
    minimum: 1000,
    maximum: 86_400_000,
    default: 60_000,
    description: 'milliseconds, 1000-86400000: the coarse bucket, a multiple of HISTORY_INTERVAL_MS larger than it',
  }),
  HISTORY_COARSE_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3660, default: 7, description: 'days, 1-3660: how long the coarse buckets are kept' }),
  HISTORY_MAX_CONTAINERS: Type.Integer({ minimum: 1, maximum: 100_000, default: 500, description: 'an integer, 1-100000: running containers sampled per round at most' }),
  REGISTRY_AUTH_FILE: Type.Optional(Type.String({ minLength: 1, description: "a registry credentials file in Docker's config.json format ({\"auths\": {\"host\": {\"auth\": base64(user:password)}}})" })),
  REGISTRY_INSECURE: Type.String({
    pattern: '^([A-Za-z0-9.-]+(:[0-9]{1,5})?(,[A-Za-z0-9.-]+(:[0-9]{1,5})?)*)?$',
    default: '',
    description: 'comma-separated registries (host or host:port) the update check reaches over plain http, e.g. 127.0.0.1:5000',
  }),
  UPDATE_CHECK_INTERVAL: Type.Integer({ minimum: 0, maximum: 604_800, default: 0, description: 'seconds between scheduled image update checks, 0 (off) or 60-604800' }),
  LOG_SEARCH_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 4,
    description: 'an integer, 1-64: engine log reads at a time per engine for log search (over every search)',
  }),
  LOG_SEARCH_TIMEOUT_MS: Type.Integer({
    minimum: 1000,
    maximum: 600_000,
    default: 30_000,
    description: 'milliseconds, 1000-600000: how long one log search may run before it ends with a partial result',
  }),
  COOKIE_SECURE: Type.Union([Type.Literal('auto'), Type.Literal('true'), Type.Literal('false')], {
    default: 'auto',
    description: 'auto (Secure over HTTPS), true or false',
  }),
  // Alerts (src/alerts/): one contiguous block.
  ALERT_RULES_FILE: Type.Optional(Type.String({ minLength: 1, description: 'the path of an alert rules YAML file (unset: no alerts)' })),
  ALERT_WEBHOOK_ALLOW: Type.String({
    default: '',
    description: 'comma-separated host names, addresses or CIDRs that alert notifiers may reach although private, loopback or link-local, e.g. 10.0.0.0/8,hooks.internal',
  }),
  ALERT_NOTIFY_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 5000, description: 'milliseconds, 100-120000: one notification attempt' }),
  ALERT_NOTIFY_RETRIES: Type.Integer({ minimum: 0, maximum: 10, default: 3, description: 'an integer, 0-10: retries after a failed attempt' }),
  ALERT_RETRY_BASE_MS: Type.Integer({ minimum: 10, maximum: 600_000, default: 1000, description: 'milliseconds, 10-600000: the first retry delay (doubles each time)' }),
  ALERT_QUEUE_SIZE: Type.Integer({ minimum: 1, maximum: 100_000, default: 200, description: 'an integer, 1-100000: notifications queued per notifier (the oldest dropped past it)' }),
  ALERT_LOG_FOLLOWERS: Type.Integer({ minimum: 0, maximum: 1000, default: 32, description: 'an integer, 0-1000: containers whose logs log.match rules follow at once' }),
  ALERT_HISTORY_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30, description: 'days, 1-3650: resolved alerts kept' }),
});
export type Env = Static<typeof EnvSchema>;
