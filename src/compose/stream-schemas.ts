import Type from 'typebox';
import { defineStream } from '../http/sse/events.js';
import { ComposeResultSchema } from './schemas.js';

/** The payloads of compose up/down streamed with `Accept: text/event-stream`, each a named component. */

export const ComposeAcceptedEventSchema = Type.Object(
  {
    project: Type.String(),
    action: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    command: Type.Array(Type.String(), { description: 'The argument list that runs (no shell)' }),
  },
  { $id: 'ComposeAcceptedEvent', description: '`accepted`: every check passed and the tool runs' },
);

export const ComposeOutputEventSchema = Type.Object(
  { stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]), text: Type.String() },
  { $id: 'ComposeOutputEvent', description: "`output`: one line of the tool's output" },
);

export const ComposeResultEventSchema = Type.Object(ComposeResultSchema.properties, {
  $id: 'ComposeResultEvent',
  description: '`result`: the last event, the whole result (as the JSON answer; a non-zero exitCode is a failure)',
});

export const COMPOSE_STREAM = defineStream(
  'ComposeStreamMessage',
  { accepted: ComposeAcceptedEventSchema, output: ComposeOutputEventSchema, result: ComposeResultEventSchema },
  'POST /api/v1/compose/up|down with Accept: text/event-stream.',
);
