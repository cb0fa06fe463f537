import Type, { type Static } from 'typebox';
import { HealthSchema } from '../containers/schemas.js';
import { UpdateMarkSchema } from '../containers/update-marks.js';

export const GroupNameSchema = Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$', description: 'Service group name' });
export const GroupParamsSchema = Type.Object({ group: GroupNameSchema });

export const GroupStatusSchema = Type.Union(
  [Type.Literal('running'), Type.Literal('partial'), Type.Literal('stopped'), Type.Literal('unhealthy'), Type.Literal('empty')],
  { description: 'running: all members run (and are healthy where checked); unhealthy: a running member is unhealthy; partial: some run; stopped: none run; empty: no members' },
);
export type GroupStatus = Static<typeof GroupStatusSchema>;

const CountsSchema = Type.Object({
  total: Type.Integer(),
  running: Type.Integer(),
  healthy: Type.Integer(),
  unhealthy: Type.Integer(),
  starting: Type.Integer(),
  stopped: Type.Integer(),
});

const UsageTotalsSchema = Type.Object({
  cpuPercent: Type.Number({ description: 'Sum over running members (100 = one core)' }),
  memoryUsage: Type.Number({ description: 'Bytes, sum over running members' }),
});

export const GroupSwarmMemberSchema = Type.Object(
  {
    engine: Type.String(),
    id: Type.String(),
    name: Type.String(),
    step: Type.Optional(Type.Integer({ description: 'Start step, as in memberList (group details only)' })),
    replicas: Type.Object({ desired: Type.Integer(), running: Type.Integer() }),
  },
  { description: 'A swarm service the group starts and stops (a `swarm` member); it counts as one member, running once every desired task runs' },
);
export type GroupSwarmMember = Static<typeof GroupSwarmMemberSchema>;

export const GroupSummarySchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  dependsOn: Type.Array(Type.String()),
  status: GroupStatusSchema,
  members: CountsSchema,
  engines: Type.Array(Type.String(), { description: 'The engines its members run on (those the caller may see), sorted' }),
  usage: UsageTotalsSchema,
  swarmServices: Type.Array(GroupSwarmMemberSchema, { description: 'Its swarm services on engines the caller may see, next to its containers' }),
});
export type GroupSummary = Static<typeof GroupSummarySchema>;

export const GroupListSchema = Type.Object({ groups: Type.Array(GroupSummarySchema) });

export const GroupMemberViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  engine: Type.String({ description: 'The engine it runs on' }),
  step: Type.Integer({ description: 'Start step (0 first); stop goes in reverse' }),
  state: Type.String(),
  health: HealthSchema,
  uptimeSeconds: Type.Union([Type.Integer(), Type.Null()]),
  cpuPercent: Type.Union([Type.Number(), Type.Null()]),
  memoryUsage: Type.Union([Type.Number(), Type.Null()]),
  update: Type.Optional(UpdateMarkSchema),
});

export const GroupDetailsSchema = Type.Object({
  ...GroupSummarySchema.properties,
  dependencies: Type.Array(Type.Object({ name: Type.String(), status: GroupStatusSchema, up: Type.Boolean() }), {
    description: 'The groups this one needs, directly or not, that the caller may see (hidden ones are left out)',
  }),
  memberList: Type.Array(GroupMemberViewSchema),
});

export const GroupActionQuerySchema = Type.Object({
  withDependencies: Type.Boolean({
    default: false,
    description: 'start: first start the groups this one depends on; stop: first stop the groups that depend on this one',
  }),
  stepTimeout: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 86_400,
      description:
        'Seconds a step may take to be running and healthy (or stopped); default 120 (or the limit if lower). Above GROUP_STEP_TIMEOUT_MAX_SECONDS (default 300) answers 400',
    }),
  ),
  timeout: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 86_400, description: 'stop: seconds before the engine kills a member; at most GROUP_STEP_TIMEOUT_MAX_SECONDS' }),
  ),
});

export const ContainerOutcomeSchema = Type.Object({
  engine: Type.String({ description: 'The engine the member runs on (with several, a name alone may be ambiguous)' }),
  id: Type.String(),
  name: Type.String(),
  outcome: Type.Union([
    Type.Literal('started'),
    Type.Literal('already-running'),
    Type.Literal('stopped'),
    Type.Literal('already-stopped'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
    Type.Literal('cancelled'),
  ]),
  durationMs: Type.Integer(),
  error: Type.Optional(Type.String()),
});
export type ContainerOutcome = Static<typeof ContainerOutcomeSchema>;

export const GroupRunSchema = Type.Object({
  group: Type.String(),
  ok: Type.Boolean(),
  durationMs: Type.Integer(),
  steps: Type.Array(Type.Object({ step: Type.Integer(), containers: Type.Array(ContainerOutcomeSchema) })),
});
export type GroupRun = Static<typeof GroupRunSchema>;

export const GroupActionResultSchema = Type.Object({
  action: Type.Union([Type.Literal('start'), Type.Literal('stop')]),
  group: Type.String(),
  ok: Type.Boolean(),
  durationMs: Type.Integer(),
  groups: Type.Array(GroupRunSchema, { description: 'Each group acted on, in order' }),
  failure: Type.Optional(
    Type.Object({ group: Type.String(), step: Type.Integer(), engine: Type.String({ description: 'The failed member\'s engine' }), container: Type.String(), reason: Type.String() }),
  ),
  cancelled: Type.Optional(
    Type.Object(
      { by: Type.String({ description: 'Subject of the caller who cancelled' }), at: Type.String({ format: 'date-time' }) },
      { description: 'Present when the operation was cancelled (DELETE /services/{group}/operation)' },
    ),
  ),
});
export type GroupActionResult = Static<typeof GroupActionResultSchema>;

export const GroupCancelResultSchema = Type.Object({
  action: Type.Union([Type.Literal('start'), Type.Literal('stop'), Type.Literal('update')]),
  group: Type.String({ description: 'The group the cancelled operation was asked for' }),
  groups: Type.Array(Type.String(), { description: 'Every group it held (withDependencies), now free' }),
  startedBy: Type.Union([Type.String(), Type.Null()], { description: 'Subject of the caller who started it' }),
  cancelledBy: Type.String(),
});
export type GroupCancelResult = Static<typeof GroupCancelResultSchema>;
