import Type from 'typebox';
import { defineStream } from '../http/sse/events.js';
import { ServiceLogLineSchema } from './schemas.js';

/** The payloads of the swarm streams (service logs with follow, swarm events), each a named component. */

export const SwarmLogOpenEventSchema = Type.Object(
  { engine: Type.String(), id: Type.String(), name: Type.String() },
  { $id: 'SwarmLogOpenEvent', description: '`open`: the service whose lines follow' },
);

export const SwarmLogLineEventSchema = Type.Object(ServiceLogLineSchema.properties, {
  $id: 'SwarmLogLineEvent',
  description: '`log`: one line of one task, with the task and node it came from',
});

export const SwarmLogEndEventSchema = Type.Object(
  { reason: Type.String() },
  { $id: 'SwarmLogEndEvent', description: '`end`: the service was removed or the engine closed the stream; the stream ends' },
);

export const SwarmChangeEventSchema = Type.Object(
  {
    engine: Type.String(),
    kind: Type.Union([Type.Literal('service'), Type.Literal('node'), Type.Literal('task')]),
    action: Type.Union([Type.Literal('added'), Type.Literal('updated'), Type.Literal('removed')]),
    id: Type.String(),
    serviceId: Type.Union([Type.String(), Type.Null()], { description: 'The service of a task (or the service itself)' }),
  },
  { $id: 'SwarmChangeEvent', description: '`swarm`: a service, task or node the caller may see changed; read it again' },
);

export const SWARM_LOG_STREAM = defineStream(
  'SwarmLogStreamMessage',
  { open: SwarmLogOpenEventSchema, log: SwarmLogLineEventSchema, end: SwarmLogEndEventSchema },
  'GET /api/v1/swarm/services/{ref}/logs?follow=true.',
);

export const SWARM_EVENTS_STREAM = defineStream('SwarmEventsMessage', { swarm: SwarmChangeEventSchema }, 'GET /api/v1/swarm/events.');

export const SWARM_STREAMS = [SWARM_LOG_STREAM, SWARM_EVENTS_STREAM];
