import Type, { type Static } from 'typebox';
import { defineStream } from '../http/sse/events.js';
import { MemberOutcomeSchema, RolloutResultSchema } from './schemas.js';

export const UpdateAcceptedEventSchema = Type.Object(
  { group: Type.String(), groups: Type.Array(Type.String()) },
  { $id: 'UpdateAcceptedEvent', description: '`accepted`: the groups are held; the update runs' },
);

export const UpdateProgressEventSchema = Type.Union(
  [
    Type.Object({ type: Type.Literal('pull'), engine: Type.String({ description: 'The engine pulling' }), image: Type.String(), status: Type.String(), layer: Type.Optional(Type.String()) }),
    Type.Object({ type: Type.Literal('step'), group: Type.String(), step: Type.Integer(), containers: Type.Array(Type.String()) }),
    Type.Object({ type: Type.Literal('member'), group: Type.String(), step: Type.Integer(), ...MemberOutcomeSchema.properties }),
    Type.Object({ type: Type.Literal('rollback'), group: Type.String(), step: Type.Integer(), containers: Type.Array(Type.String()), reason: Type.String() }),
  ],
  { $id: 'UpdateProgressEvent', description: '`progress`: a pull status, a step begins, a member is done, or a step is rolled back' },
);
export type UpdateProgress = Static<typeof UpdateProgressEventSchema>;

export const UpdateResultEventSchema = Type.Object(RolloutResultSchema.properties, {
  $id: 'UpdateResultEvent',
  description: '`result`: the last event, the whole result (ok false when a step failed and was rolled back)',
});

export const UPDATE_STREAM = defineStream(
  'UpdateStreamMessage',
  { accepted: UpdateAcceptedEventSchema, progress: UpdateProgressEventSchema, result: UpdateResultEventSchema },
  'POST /api/v1/services/{group}/update and /containers/{id}/update with Accept: text/event-stream.',
);
