import Type from 'typebox';
import { RateLimitStatusSchema } from '../access/schemas.js';
import { EngineProbeSchema } from '../containers/engines/engine-view.js';

export const EngineStateSchema = Type.Object({
  reachable: Type.Boolean(),
  checkedAt: Type.Union([Type.String(), Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  apiVersion: Type.Union([Type.String(), Type.Null()]),
  hint: Type.Optional(Type.String()),
});

export const RootSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  engine: EngineStateSchema,
  links: Type.Record(Type.String(), Type.String()),
});

export const HealthResponseSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  engine: EngineStateSchema,
  engines: Type.Array(EngineProbeSchema, { description: 'Every engine: degraded while any is unreachable; details at GET /api/v1/engines' }),
  compose: Type.Union(
    [
      Type.Object({
        command: Type.String(),
        version: Type.String(),
        projectsFile: Type.Optional(
          Type.Object(
            {
              path: Type.String(),
              valid: Type.Boolean(),
              reason: Type.Optional(Type.String({ description: 'Why it is invalid; the last good projects are served meanwhile' })),
            },
            { description: 'COMPOSE_PROJECTS_FILE, when set: re-read on change' },
          ),
        ),
      }),
      Type.Null(),
    ],
    { description: 'The compose tool found at boot (null: none)' },
  ),
  rateLimits: RateLimitStatusSchema,
});

export const LiveResponseSchema = Type.Object({ status: Type.Literal('alive') });

export const ReadyResponseSchema = Type.Object({
  ready: Type.Boolean(),
  engine: EngineStateSchema,
  reason: Type.Optional(Type.String()),
});
