import Type, { type Static } from 'typebox';
import { ContainerRefSchema } from '../http/common-schemas.js';
import { GroupNameSchema } from '../groups/schemas.js';

const TIME = { maxLength: 40, description: 'Unix seconds, RFC 3339 date, or a duration before now like 10m' };

export const HistoryQuerySchema = Type.Object({
  container: Type.Optional(ContainerRefSchema),
  group: Type.Optional(GroupNameSchema),
  since: Type.Optional(Type.String({ ...TIME, description: `${TIME.description}; default 1h before until` })),
  until: Type.Optional(Type.String({ ...TIME, description: `${TIME.description}; default now` })),
  resolution: Type.Optional(
    Type.String({
      pattern: '^(auto|[0-9]{1,9}(ms|s|m|h))$',
      default: 'auto',
      description: 'auto (the finest resolution still kept for since) or a bucket width such as 10s or 1m (one the service keeps)',
    }),
  ),
});
export type HistoryQuery = Static<typeof HistoryQuerySchema>;

export const HistoryPointSchema = Type.Object(
  {
    time: Type.String({ description: 'Start of the bucket (ISO 8601)' }),
    cpuPercent: Type.Number({ description: 'Average CPU over the bucket (100 = one core); a group: the sum of its members' }),
    memoryBytes: Type.Integer({ description: 'Average memory use over the bucket; a group: the sum of its members' }),
    memoryLimit: Type.Optional(Type.Integer({ description: "A container's memory limit (the host's memory when it has none)" })),
    netRxBytesPerSec: Type.Optional(Type.Integer({ description: 'Average network receive rate; absent when unknown' })),
    netTxBytesPerSec: Type.Optional(Type.Integer({ description: 'Average network transmit rate; absent when unknown' })),
  },
);
export type HistoryPointView = Static<typeof HistoryPointSchema>;

export const HistorySchema = Type.Object(
  {
    container: Type.Optional(
      Type.Object({ id: Type.String(), name: Type.String(), engine: Type.String(), live: Type.Boolean({ description: 'false: the container is gone; its history is kept until it ages out' }) }),
    ),
    group: Type.Optional(Type.String()),
    resolutionMs: Type.Integer({ description: 'Width of each bucket (ms)' }),
    since: Type.String({ description: 'ISO 8601' }),
    until: Type.String({ description: 'ISO 8601' }),
    points: Type.Array(HistoryPointSchema, { description: 'Buckets with samples, oldest first; a bucket with none (not running, not sampled) is absent' }),
  },
);
export type HistoryView = Static<typeof HistorySchema>;
