import Type from 'typebox';
import { defineStream } from '../http/sse/events.js';
import { ContainerOutcomeSchema, GroupActionResultSchema } from './schemas.js';

/** The payloads of a group start or stop streamed with `Accept: text/event-stream`, each a named component. */

const Action = Type.Union([Type.Literal('start'), Type.Literal('stop')]);

export const GroupAcceptedEventSchema = Type.Object(
  {
    action: Action,
    group: Type.String(),
    groups: Type.Array(Type.String(), { description: 'Every group the operation acts on, in order (withDependencies)' }),
  },
  { $id: 'GroupAcceptedEvent', description: '`accepted`: the groups are reserved; the operation runs' },
);

export const GroupProgressEventSchema = Type.Union(
  [
    Type.Object({ type: Type.Literal('group'), group: Type.String(), phase: Type.Union([Type.Literal('begin'), Type.Literal('end')]), ok: Type.Optional(Type.Boolean()) }),
    Type.Object({ type: Type.Literal('step'), group: Type.String(), step: Type.Integer(), containers: Type.Array(Type.String(), { description: 'Names of the step\'s members' }) }),
    Type.Object({ type: Type.Literal('container'), group: Type.String(), step: Type.Integer(), ...ContainerOutcomeSchema.properties }),
    Type.Object({ type: Type.Literal('cancelled'), group: Type.String(), by: Type.String({ description: 'Subject of the caller who cancelled' }) }),
  ],
  { $id: 'GroupProgressEvent', description: '`progress`: a group begins or ends, a step begins, a member is done, or the run was cancelled' },
);

export const GroupResultEventSchema = Type.Object(GroupActionResultSchema.properties, {
  $id: 'GroupResultEvent',
  description: '`result`: the last event, the whole result (as the JSON answer; ok false when it failed or was cancelled)',
});

export const GROUP_STREAM = defineStream(
  'GroupStreamMessage',
  { accepted: GroupAcceptedEventSchema, progress: GroupProgressEventSchema, result: GroupResultEventSchema },
  'POST /api/v1/services/{group}/start|stop with Accept: text/event-stream.',
);
