import Type, { type Static } from 'typebox';
import { UpdateMarkSchema } from './update-marks.js';

export const HealthSchema = Type.Union(
  [Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('starting'), Type.Literal('none')],
  { description: "Healthcheck status; 'none' when the container has no healthcheck" },
);
export type HealthStatus = Static<typeof HealthSchema>;

// Written out: a mapped array would type as TLiteral<string>, whose Static is never.
export const ContainerStateSchema = Type.Union([
  Type.Literal('created'),
  Type.Literal('restarting'),
  Type.Literal('running'),
  Type.Literal('removing'),
  Type.Literal('paused'),
  Type.Literal('exited'),
  Type.Literal('dead'),
]);
export type ContainerState = Static<typeof ContainerStateSchema>;

export const PortBindingSchema = Type.Object({
  privatePort: Type.Integer(),
  protocol: Type.String(),
  hostIp: Type.Optional(Type.String()),
  publicPort: Type.Optional(Type.Integer()),
});
export type PortBinding = Static<typeof PortBindingSchema>;

/** An engine name, as ENGINES_FILE gives it (`local` for DOCKER_HOST alone). */
export const EngineNameSchema = Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$', description: 'An engine name, as ENGINES_FILE gives it (`local` with DOCKER_HOST alone)' });

const summaryProperties = {
  engine: Type.String({ description: 'The engine it runs on' }),
  id: Type.String({ description: 'As the engine gives it (unique on its engine; `{engine}:{id}` everywhere)' }),
  name: Type.String(),
  image: Type.String(),
  imageId: Type.String(),
  command: Type.String(),
  created: Type.String({ description: 'ISO 8601' }),
  state: Type.String({ description: 'created, restarting, running, removing, paused, exited or dead' }),
  status: Type.String({ description: "Human-readable, like docker ps' STATUS column" }),
  health: HealthSchema,
  ports: Type.Array(PortBindingSchema),
  labels: Type.Record(Type.String(), Type.String()),
  composeProject: Type.Union([Type.String(), Type.Null()]),
  composeService: Type.Union([Type.String(), Type.Null()]),
  update: Type.Optional(UpdateMarkSchema),
  group: Type.Union([Type.String(), Type.Null()], { description: 'Primary service group (the first that matches), or null' }),
  groups: Type.Array(Type.String(), { description: 'Every service group the container belongs to' }),
  stale: Type.Optional(
    Type.Literal(true, { description: 'Present while its engine is unreachable or resyncing: state and status are as last seen, they may have changed since' }),
  ),
  lastSeen: Type.Optional(Type.String({ description: 'ISO 8601, with stale: when its engine was last in sync' })),
};

export const ContainerSummarySchema = Type.Object(summaryProperties, { $id: 'ContainerSummary' });
export type ContainerSummary = Static<typeof ContainerSummarySchema>;

export const ContainerDetailsSchema = Type.Object(
  {
    ...summaryProperties,
    running: Type.Boolean(),
    paused: Type.Boolean(),
    restarting: Type.Boolean(),
    oomKilled: Type.Boolean(),
    dead: Type.Boolean(),
    pid: Type.Integer(),
    exitCode: Type.Integer(),
    error: Type.String(),
    startedAt: Type.Union([Type.String(), Type.Null()]),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
    healthcheck: Type.Union([
      Type.Object({ failingStreak: Type.Integer(), lastOutput: Type.Union([Type.String(), Type.Null()]) }),
      Type.Null(),
    ]),
    restartCount: Type.Integer(),
    restartPolicy: Type.String(),
    tty: Type.Boolean(),
    mounts: Type.Array(
      Type.Object({
        type: Type.String(),
        name: Type.Optional(Type.String()),
        source: Type.String(),
        destination: Type.String(),
        mode: Type.String(),
        readWrite: Type.Boolean(),
      }),
    ),
    networks: Type.Array(Type.Object({ name: Type.String(), ipAddress: Type.String() })),
    env: Type.Array(Type.Object({ name: Type.String(), value: Type.Optional(Type.String()) }), {
      description: 'Variable names; values only for callers allowed to see them',
    }),
  },
  { $id: 'ContainerDetails' },
);
export type ContainerDetails = Static<typeof ContainerDetailsSchema>;

export const ContainerListSchema = Type.Object({
  containers: Type.Array(Type.Ref('ContainerSummary')),
  total: Type.Integer(),
});

export const ListQuerySchema = Type.Object({
  all: Type.Boolean({ default: true, description: 'Include stopped containers (docker ps -a); false lists running ones only' }),
  status: Type.Optional(Type.Array(ContainerStateSchema, { maxItems: 7, description: 'Keep only these states; repeat the parameter for several' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Case-insensitive substring of the name' })),
  group: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$', description: 'Only members of this service group' })),
  engine: Type.Optional(Type.String({ ...EngineNameSchema, description: 'Only containers of this engine' })),
  label: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 512, pattern: '^[^=]+(=.*)?$' }), {
      maxItems: 20,
      description: 'key or key=value; every one must match',
    }),
  ),
});
/** The list filters as services take them: each one optional (absent keeps everything). */
export type ListFilters = Partial<Static<typeof ListQuerySchema>>;

export const ActionResultSchema = Type.Object({
  engine: Type.String(),
  id: Type.String(),
  name: Type.String(),
  action: Type.Union([Type.Literal('start'), Type.Literal('stop'), Type.Literal('restart')]),
  changed: Type.Boolean({ description: 'False when the container already was in the wanted state' }),
  state: Type.String(),
  health: HealthSchema,
  durationMs: Type.Integer(),
});
export type ActionResult = Static<typeof ActionResultSchema>;

/** `?engine=`: which engine a container reference means (same as `{engine}:{ref}`). */
export const EngineQuerySchema = Type.Object({ engine: Type.Optional(EngineNameSchema) });

export const StopQuerySchema = Type.Object({
  ...EngineQuerySchema.properties,
  timeout: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 3600, description: 'Seconds to wait for a clean exit before the engine kills the process' }),
  ),
});

export const LogsQuerySchema = Type.Object({
  ...EngineQuerySchema.properties,
  tail: Type.Integer({ minimum: 0, maximum: 10_000, default: 100, description: 'Last N lines (max 10000)' }),
  since: Type.Optional(Type.String({ maxLength: 40, description: 'Unix seconds, RFC 3339 date, or a duration like 10m' })),
  until: Type.Optional(Type.String({ maxLength: 40, description: 'Unix seconds, RFC 3339 date, or a duration like 10m' })),
  timestamps: Type.Boolean({ default: false }),
  follow: Type.Boolean({ default: false, description: 'Stream new lines as Server-Sent Events' }),
});
/** A log read as services take it: follow is the route's choice, the rest optional (defaults apply). */
export type LogQuery = Partial<Omit<Static<typeof LogsQuerySchema>, 'follow' | 'engine'>>;

export const StatsQuerySchema = Type.Object({
  ...EngineQuerySchema.properties,
  stream: Type.Boolean({ default: false, description: 'Stream one sample per interval as Server-Sent Events' }),
});

export const LogLineSchema = Type.Object({
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
  timestamp: Type.Optional(Type.String()),
  text: Type.String(),
  truncated: Type.Optional(
    Type.Literal(true, { description: 'The line was longer than 64 KiB: `text` is its first 64 KiB, the rest of the line was dropped' }),
  ),
});
export type LogLine = Static<typeof LogLineSchema>;

export const LogsResponseSchema = Type.Object({
  engine: Type.String(),
  id: Type.String(),
  name: Type.String(),
  tty: Type.Boolean({ description: 'TTY containers have one stream, reported as stdout' }),
  lines: Type.Array(LogLineSchema),
  truncated: Type.Boolean({
    description:
      'Lines were left out to bound the answer: at most 8 Mi characters of text are kept (the oldest lines go first) and at most 64 MiB are read from the engine (later lines are not read; ask with a smaller tail or a since/until window)',
  }),
});
export type LogsResult = Static<typeof LogsResponseSchema>;

export const UsageSchema = Type.Object({
  read: Type.String(),
  cpuPercent: Type.Union([Type.Number(), Type.Null()], { description: '100 = one full core; null until two samples exist' }),
  onlineCpus: Type.Integer(),
  memory: Type.Object({ usage: Type.Number(), limit: Type.Number(), percent: Type.Number() }),
  network: Type.Object({ rxBytes: Type.Number(), txBytes: Type.Number() }),
  blockIo: Type.Object({ readBytes: Type.Number(), writeBytes: Type.Number() }),
  pids: Type.Integer(),
});
/** A container's resource use at one moment, as the API reports it. */
export type ContainerUsage = Static<typeof UsageSchema>;

export const StatsResponseSchema = Type.Object({ engine: Type.String(), id: Type.String(), name: Type.String(), ...UsageSchema.properties });
export type ContainerStats = Static<typeof StatsResponseSchema>;

export const TotalsSchema = Type.Object({
  containers: Type.Integer(),
  cpuPercent: Type.Number(),
  memoryUsage: Type.Number(),
  rxBytes: Type.Number(),
  txBytes: Type.Number(),
  readBytes: Type.Number(),
  writeBytes: Type.Number(),
  pids: Type.Integer(),
});
export type UsageTotals = Static<typeof TotalsSchema>;

export const StatsSetSchema = Type.Object({
  sampledAt: Type.String(),
  containers: Type.Array(StatsResponseSchema),
  totals: TotalsSchema,
});
export type StatsSet = Static<typeof StatsSetSchema>;

export const StatsSetQuerySchema = Type.Object({
  name: ListQuerySchema.properties.name,
  label: ListQuerySchema.properties.label,
  engine: ListQuerySchema.properties.engine,
  stream: Type.Boolean({ default: false, description: 'Stream the set once per interval as Server-Sent Events' }),
});
