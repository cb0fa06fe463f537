import Type from 'typebox';
import { defineStream } from '../http/sse/events.js';
import { AlertSchema } from './schemas.js';

export const AlertsReadyEventSchema = Type.Object(
  { active: Type.Array(Type.Ref('Alert'), { description: 'The firing alerts the caller may see, now' }) },
  { $id: 'AlertsReadyEvent', description: '`ready`: the stream is live; what fires now' },
);

export const AlertEventSchema = Type.Object(AlertSchema.properties, {
  $id: 'AlertEvent',
  description: '`alert`: an alert the caller may see fired (state firing) or cleared (state resolved)',
});

export const ALERTS_STREAM = defineStream('AlertsStreamMessage', { ready: AlertsReadyEventSchema, alert: AlertEventSchema }, 'GET /api/v1/alerts/stream.');
