import Type, { type Static } from 'typebox';
import { HealthSchema, PortBindingSchema } from '../containers/schemas.js';
import { UpdateMarkSchema } from '../containers/update-marks.js';

const ProjectName = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'Compose project name' });
const FileName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.ya?ml$', description: 'A file of the project folder, by bare name' });
const ServiceName = Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$' });

export const ProjectStatusSchema = Type.Union([Type.Literal('running'), Type.Literal('partial'), Type.Literal('stopped'), Type.Literal('absent')], {
  description: 'absent: no container of the project exists',
});
export type ProjectStatus = Static<typeof ProjectStatusSchema>;

export const ComposeProjectSchema = Type.Object({
  name: Type.String(),
  source: Type.Union([Type.Literal('directory'), Type.Literal('declared'), Type.Literal('adopted')], {
    description: 'adopted: started elsewhere, seen through its containers; status only',
  }),
  managed: Type.Boolean({ description: 'up and down may act on it' }),
  engine: Type.Union([Type.String(), Type.Null()], { description: 'The engine it runs on (managed: declared or the first engine; adopted: where its containers are, null when on several)' }),
  dir: Type.Union([Type.String(), Type.Null()]),
  files: Type.Array(Type.String()),
  services: Type.Array(Type.String()),
  status: ProjectStatusSchema,
  containers: Type.Object({ total: Type.Integer(), running: Type.Integer() }),
});

export const ComposeProjectsSchema = Type.Object({
  tool: Type.Union([Type.Object({ command: Type.String(), version: Type.String() }), Type.Null()]),
  projects: Type.Array(ComposeProjectSchema),
});

export const ComposeStatusQuerySchema = Type.Object({ project: ProjectName });

export const ComposeStatusSchema = Type.Object({
  project: Type.String(),
  status: ProjectStatusSchema,
  services: Type.Array(
    Type.Object({
      name: Type.String(),
      containers: Type.Array(
        Type.Object({ id: Type.String(), name: Type.String(), state: Type.String(), health: HealthSchema, ports: Type.Array(PortBindingSchema), update: Type.Optional(UpdateMarkSchema) }),
      ),
    }),
  ),
});

export const ComposeUpBodySchema = Type.Object(
  {
    project: ProjectName,
    files: Type.Optional(Type.Array(FileName, { minItems: 1, maxItems: 20, description: 'In order; default: the project\'s files' })),
    services: Type.Optional(Type.Array(ServiceName, { maxItems: 100 })),
    options: Type.Optional(
      Type.Object(
        {
          forceRecreate: Type.Optional(Type.Boolean()),
          noDeps: Type.Optional(Type.Boolean({ description: 'Act on the named services only, not on those they depend on' })),
          removeOrphans: Type.Optional(Type.Boolean()),
          build: Type.Optional(Type.Boolean({ description: 'Only when COMPOSE_ALLOW_BUILD=true' })),
          pull: Type.Optional(Type.Boolean({ description: 'Only when COMPOSE_ALLOW_PULL=true' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ComposeUpBody = Static<typeof ComposeUpBodySchema>;

export const ComposeDownBodySchema = Type.Object(
  {
    project: ProjectName,
    files: Type.Optional(Type.Array(FileName, { minItems: 1, maxItems: 20 })),
    options: Type.Optional(
      Type.Object(
        {
          volumes: Type.Optional(Type.Boolean()),
          removeOrphans: Type.Optional(Type.Boolean()),
          timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, description: 'Seconds to wait for each container to stop' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ComposeDownBody = Static<typeof ComposeDownBodySchema>;

export const ComposeResultSchema = Type.Object({
  project: Type.String(),
  action: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  command: Type.Array(Type.String(), { description: 'The argument list that ran (no shell)' }),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  timedOut: Type.Boolean(),
  durationMs: Type.Integer(),
  output: Type.String({ description: 'The tool\'s combined output (last 1 MiB)' }),
  engine: Type.String({ description: 'The engine the tool ran against' }),
});
export type ComposeResult = Static<typeof ComposeResultSchema>;
