import Type, { type Static } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** An engine name as p14's engines are named; `local` when there is only DOCKER_HOST. */
const EngineNameSchema = Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$', description: 'Engine name (`local` with a single engine)' });

/** A service or node reference: full id, unique id prefix or name, optionally `engine:` before it. */
const RefSchema = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^([a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}:)?[a-zA-Z0-9][a-zA-Z0-9_.-]*$',
  description: 'Id, unique id prefix or name; `engine:ref` names the engine',
});

export const EngineQuerySchema = Type.Object({
  engine: Type.Optional(EngineNameSchema),
});
export type EngineQuery = Static<typeof EngineQuerySchema>;

export const ServiceParamsSchema = Type.Object({ ref: RefSchema });
export const NodeParamsSchema = Type.Object({ id: RefSchema });

export const VersionQuerySchema = Type.Object({
  engine: Type.Optional(EngineNameSchema),
  version: Type.Optional(
    Type.Integer({ minimum: 0, description: 'The version index you read; the engine refuses the change (409 SWARM_VERSION_CONFLICT) if it moved on. Default: the current one' }),
  ),
});

export const ScaleBodySchema = Type.Object(
  {
    replicas: Type.Integer({ minimum: 0, maximum: 1000 }),
    version: Type.Optional(Type.Integer({ minimum: 0, description: 'As the version query parameter' })),
  },
  { additionalProperties: false },
);

export const SwarmNodeSchema = Type.Object(
  {
    engine: Type.String(),
    id: Type.String(),
    version: Type.Integer({ description: 'Version index, for a change that must not be stale' }),
    hostname: Type.String(),
    role: Type.String({ description: 'manager or worker' }),
    availability: Type.String({ description: 'active, pause or drain' }),
    state: Type.String({ description: 'ready, down, unknown, disconnected' }),
    address: Nullable(Type.String()),
    message: Nullable(Type.String()),
    leader: Type.Boolean(),
    engineVersion: Nullable(Type.String()),
    nanoCpus: Nullable(Type.Number()),
    memoryBytes: Nullable(Type.Number()),
    labels: Type.Record(Type.String(), Type.String()),
    tasks: Type.Integer({ description: 'Running tasks on this node that the caller may see' }),
  },
  { $id: 'SwarmNode' },
);
export type SwarmNode = Static<typeof SwarmNodeSchema>;

export const SwarmTaskSchema = Type.Object(
  {
    id: Type.String(),
    serviceId: Type.String(),
    slot: Nullable(Type.Integer()),
    nodeId: Nullable(Type.String()),
    node: Nullable(Type.String({ description: 'Hostname of the node' })),
    state: Type.String({ description: 'new, pending, assigned, preparing, starting, running, complete, shutdown, failed, rejected, …' }),
    desiredState: Type.String(),
    message: Nullable(Type.String()),
    error: Nullable(Type.String()),
    containerId: Nullable(Type.String()),
    exitCode: Nullable(Type.Integer()),
    createdAt: Nullable(Type.String()),
    updatedAt: Nullable(Type.String()),
  },
  { $id: 'SwarmTask' },
);
export type SwarmTask = Static<typeof SwarmTaskSchema>;

const serviceProperties = {
  engine: Type.String(),
  id: Type.String(),
  version: Type.Integer({ description: 'Version index, for a change that must not be stale' }),
  name: Type.String(),
  stack: Nullable(Type.String({ description: 'com.docker.stack.namespace' })),
  mode: Type.String({ description: 'replicated, global, replicated-job or global-job' }),
  replicas: Type.Object({
    desired: Type.Integer({ description: 'What the spec asks (replicated), or the tasks meant to run (global)' }),
    running: Type.Integer({ description: 'Tasks running (and healthy: the engine marks a task running once its healthcheck passes)' }),
  }),
  image: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  ports: Type.Array(
    Type.Object({ protocol: Type.String(), targetPort: Type.Integer(), publishedPort: Nullable(Type.Integer()), publishMode: Type.String() }),
  ),
  updateStatus: Nullable(
    Type.Object({ state: Type.String(), message: Nullable(Type.String()), startedAt: Nullable(Type.String()), completedAt: Nullable(Type.String()) }),
  ),
  canRollback: Type.Boolean({ description: 'A previous spec exists' }),
  createdAt: Nullable(Type.String()),
  updatedAt: Nullable(Type.String()),
  group: Nullable(Type.String({ description: 'Primary service group, or null' })),
  groups: Type.Array(Type.String()),
};

export const SwarmServiceSchema = Type.Object(serviceProperties, { $id: 'SwarmService' });
export type SwarmService = Static<typeof SwarmServiceSchema>;

export const SwarmServiceDetailsSchema = Type.Object(
  { ...serviceProperties, tasks: Type.Array(Type.Ref('SwarmTask'), { description: 'Current tasks first, then the latest history' }) },
  { $id: 'SwarmServiceDetails' },
);
export type SwarmServiceDetails = SwarmService & { tasks: SwarmTask[] };

export const SwarmEnginesSchema = Type.Array(
  Type.Object({ engine: Type.String(), localNodeState: Type.String(), manager: Type.Boolean(), nodeId: Nullable(Type.String()) }),
  { description: 'Each engine and whether it is a swarm manager (only managers have services and nodes here)' },
);

export const NodeListSchema = Type.Object({ engines: SwarmEnginesSchema, nodes: Type.Array(Type.Ref('SwarmNode')) });
export const ServiceListSchema = Type.Object({ engines: SwarmEnginesSchema, services: Type.Array(Type.Ref('SwarmService')) });

export const StackSchema = Type.Object({
  engine: Type.String(),
  name: Type.String(),
  services: Type.Integer(),
  replicas: Type.Object({ desired: Type.Integer(), running: Type.Integer() }),
  serviceNames: Type.Array(Type.String()),
});
export type Stack = Static<typeof StackSchema>;
export const StackListSchema = Type.Object({ stacks: Type.Array(StackSchema) });

export const ServiceActionResultSchema = Type.Object({
  engine: Type.String(),
  id: Type.String(),
  name: Type.String(),
  action: Type.Union([Type.Literal('scale'), Type.Literal('restart'), Type.Literal('rollback')]),
  version: Type.Integer({ description: 'The version index the change was sent with' }),
  replicas: Nullable(Type.Integer({ description: 'Replicas asked for (scale)' })),
});
export type ServiceActionResult = Static<typeof ServiceActionResultSchema>;

export const NodeActionResultSchema = Type.Object({
  engine: Type.String(),
  id: Type.String(),
  hostname: Type.String(),
  availability: Type.String(),
  version: Type.Integer(),
});
export type NodeActionResult = Static<typeof NodeActionResultSchema>;

export const ServiceLogsQuerySchema = Type.Object({
  engine: Type.Optional(EngineNameSchema),
  tail: Type.Integer({ minimum: 0, maximum: 10_000, default: 100, description: 'Last N lines of each task (max 10000)' }),
  since: Type.Optional(Type.String({ maxLength: 40, description: 'Unix seconds, RFC 3339 date, or a duration like 10m' })),
  timestamps: Type.Boolean({ default: false }),
  follow: Type.Boolean({ default: false, description: 'Stream new lines as Server-Sent Events' }),
});
export type ServiceLogsQuery = Static<typeof ServiceLogsQuerySchema>;

export const ServiceLogLineSchema = Type.Object({
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
  taskId: Nullable(Type.String()),
  nodeId: Nullable(Type.String()),
  node: Nullable(Type.String({ description: 'Hostname of the node' })),
  slot: Nullable(Type.Integer()),
  timestamp: Type.Optional(Type.String()),
  text: Type.String(),
  truncated: Type.Optional(Type.Literal(true, { description: 'The line was longer than 64 KiB and was cut' })),
});
export type ServiceLogLine = Static<typeof ServiceLogLineSchema>;

export const ServiceLogsResponseSchema = Type.Object({
  engine: Type.String(),
  id: Type.String(),
  name: Type.String(),
  lines: Type.Array(ServiceLogLineSchema),
  truncated: Type.Boolean({ description: 'Lines were left out to bound the answer (at most 8 Mi characters, 64 MiB read)' }),
});
export type ServiceLogsResult = Static<typeof ServiceLogsResponseSchema>;

export const ServiceStatsSchema = Type.Object({
  engine: Type.String(),
  id: Type.String(),
  name: Type.String(),
  tasks: Type.Array(
    Type.Object({
      taskId: Type.String(),
      slot: Nullable(Type.Integer()),
      containerId: Type.String(),
      cpuPercent: Nullable(Type.Number({ description: '100 = one core; null until two samples exist' })),
      memoryUsage: Type.Number(),
      memoryLimit: Type.Number(),
    }),
    { description: 'Running tasks on the engine\'s own node (other nodes\' containers are not reachable from here)' },
  ),
  totals: Type.Object({ cpuPercent: Type.Number(), memoryUsage: Type.Number() }),
});
export type ServiceStats = Static<typeof ServiceStatsSchema>;
