import Type, { type Static } from 'typebox';
import { UpdateMarkSchema } from '../containers/update-marks.js';
import { ContainerRefSchema } from '../http/common-schemas.js';

const GroupName = Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$', description: 'Service group name' });

export const UpdateStatusSchema = Type.Object({
  id: Type.String(),
  engine: Type.String({ description: "The engine the container runs on ('local' with one engine)" }),
  name: Type.String(),
  image: Type.String({ description: 'The image reference the container was created with' }),
  imageId: Type.String(),
  ...UpdateMarkSchema.properties,
});
export type UpdateStatus = Static<typeof UpdateStatusSchema>;

export const UpdateListSchema = Type.Object({
  updates: Type.Array(UpdateStatusSchema, { description: 'The last check of each container the caller may see (never checked: absent)' }),
  lastCheck: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the last check ended' }),
  intervalSeconds: Type.Integer({ description: 'UPDATE_CHECK_INTERVAL; 0: no scheduled check' }),
});

export const UpdateCheckQuerySchema = Type.Object({
  group: Type.Optional(GroupName),
  container: Type.Optional(ContainerRefSchema),
});

export const RolloutQuerySchema = Type.Object({
  withDependencies: Type.Boolean({ default: false, description: 'Also update the groups this one depends on, first (as start does)' }),
  dryRun: Type.Boolean({ default: false, description: 'Only answer the plan: nothing is pulled or changed (the registry is asked which members are out of date)' }),
  stepTimeout: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 86_400, description: 'Seconds a step may take to be running and healthy; default 120; above GROUP_STEP_TIMEOUT_MAX_SECONDS answers 400' }),
  ),
});

export const ContainerUpdateQuerySchema = Type.Object({
  dryRun: RolloutQuerySchema.properties.dryRun,
  stepTimeout: RolloutQuerySchema.properties.stepTimeout,
});

const EngineName = Type.String({ description: 'The engine (ENGINES_FILE name; the one engine otherwise)' });

export const MemberOutcomeSchema = Type.Object({
  engine: Type.String({ description: 'The engine the member runs on: its pull, re-create and rollback happen there' }),
  id: Type.String({ description: 'The container now (the new one when it was re-created)' }),
  name: Type.String(),
  previousId: Type.Optional(Type.String({ description: 'The container it replaced' })),
  image: Type.String(),
  kind: Type.Union([Type.Literal('container'), Type.Literal('compose')], { description: 'compose: re-created through its compose project' }),
  outcome: Type.Union(
    [
      Type.Literal('updated'),
      Type.Literal('up-to-date'),
      Type.Literal('rolled-back'),
      Type.Literal('failed'),
      Type.Literal('skipped'),
      Type.Literal('would-update'),
      Type.Literal('unknown'),
    ],
    { description: 'would-update, up-to-date and unknown in a dry run; rolled-back: back on its previous image after its step failed' },
  ),
  fromImageId: Type.String(),
  toImageId: Type.Optional(Type.String()),
  durationMs: Type.Integer(),
  error: Type.Optional(Type.String()),
});
export type MemberOutcome = Static<typeof MemberOutcomeSchema>;

export const RolloutStepSchema = Type.Object({ group: Type.String(), step: Type.Integer(), members: Type.Array(MemberOutcomeSchema) });
export type RolloutStep = Static<typeof RolloutStepSchema>;

export const RolloutResultSchema = Type.Object({
  group: Type.String({ description: 'The group asked for (or the container, for a single update)' }),
  groups: Type.Array(Type.String(), { description: 'Every group acted on, in order' }),
  ok: Type.Boolean(),
  dryRun: Type.Boolean(),
  durationMs: Type.Integer(),
  pulled: Type.Array(Type.Object({ engine: EngineName, image: Type.String(), imageId: Type.String() }), { description: 'One pull per engine and image: each engine pulls the images its members run' }),
  steps: Type.Array(RolloutStepSchema, { description: 'In order: dependencies first, then each group step by step' }),
  failure: Type.Optional(
    Type.Object({
      phase: Type.Union([Type.Literal('pull'), Type.Literal('step')]),
      group: Type.Optional(Type.String()),
      step: Type.Optional(Type.Integer()),
      containers: Type.Array(Type.String(), { description: 'The members that failed' }),
      reason: Type.String({ description: 'Why; a failed pull names its engine and image' }),
    }),
  ),
});
export type RolloutResult = Static<typeof RolloutResultSchema>;

export const PruneResultSchema = Type.Object({
  removed: Type.Array(Type.Object({ engine: EngineName, id: Type.String(), tags: Type.Array(Type.String()) })),
  kept: Type.Array(Type.Object({ engine: EngineName, id: Type.String(), reason: Type.String() })),
});
export type PruneResult = Static<typeof PruneResultSchema>;
