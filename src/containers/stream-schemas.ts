import Type from 'typebox';
import { defineStream } from '../http/sse/events.js';
import { LogLineSchema, StatsResponseSchema, StatsSetSchema, type ContainerSummary } from './schemas.js';

/**
 * The payloads of the containers' streams (/events, logs?follow=true, stats?stream=true,
 * /stats?stream=true), each a named component, and the streams made of them.
 */

// The document refers to the ContainerSummary component; the type is the summary itself.
const ContainerSummaryRef = Type.Unsafe<ContainerSummary>(Type.Ref('ContainerSummary'));

export const ReadyEventSchema = Type.Object(
  { lastEventId: Type.Integer({ description: 'The id of the last change so far; reconnect with it as Last-Event-ID' }) },
  { $id: 'ReadyEvent', description: '`ready`: the stream is live (a fresh connection, without Last-Event-ID)' },
);

export const ContainerChangeEventSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('added'), Type.Literal('updated'), Type.Literal('removed')]),
    engine: Type.String({ description: 'The engine it runs on' }),
    action: Type.String({ description: "The engine's action (start, die, health_status, …) or resync" }),
    id: Type.String(),
    name: Type.String(),
    time: Type.String({ description: 'ISO 8601' }),
    container: Type.Optional(Type.Unsafe<ContainerSummary>(Type.Ref('ContainerSummary', { description: 'The container after the change; absent once removed' }))),
    groups: Type.Array(Type.String(), { description: 'Its service groups the caller may see' }),
    exitCode: Type.Optional(Type.Integer({ description: "A die's exit code, as the engine's event reported it" })),
  },
  { $id: 'ContainerChangeEvent', description: '`container`: one change of a container the caller may see; its `id:` is the change number' },
);

export const SnapshotEventSchema = Type.Object(
  { containers: Type.Array(ContainerSummaryRef) },
  { $id: 'SnapshotEvent', description: '`snapshot` (with snapshot=true): every container the caller may see, now' },
);

export const ResyncEventSchema = Type.Object(
  { reason: Type.String() },
  { $id: 'ResyncEvent', description: '`resync`: changes were missed (slow reader, or too old a Last-Event-ID); refetch the list' },
);

export const LogOpenEventSchema = Type.Object(
  { engine: Type.String(), id: Type.String(), name: Type.String(), tty: Type.Boolean({ description: 'TTY containers have one stream, reported as stdout' }) },
  { $id: 'LogOpenEvent', description: '`open`: the container whose lines follow' },
);

export const LogLineEventSchema = Type.Object(LogLineSchema.properties, { $id: 'LogLineEvent', description: '`log`: one line' });

export const LogEndEventSchema = Type.Object(
  { reason: Type.String(), state: Type.String({ description: 'The state it stopped in, or removed' }), exitCode: Type.Integer() },
  { $id: 'LogEndEvent', description: '`end`: the container stopped; the stream ends' },
);

export const ContainerStatsEventSchema = Type.Object(StatsResponseSchema.properties, {
  $id: 'ContainerStatsEvent',
  description: '`stats`: one sample of the container (as GET …/stats answers)',
});

export const StatsEndEventSchema = Type.Object(
  { reason: Type.String(), state: Type.String({ description: 'The state it left running for, or removed' }) },
  { $id: 'StatsEndEvent', description: '`end`: the container no longer runs; the stream ends' },
);

export const StatsSetEventSchema = Type.Object(StatsSetSchema.properties, {
  $id: 'StatsSetEvent',
  description: '`stats`: the matching running containers and their totals (as GET /stats answers)',
});

export const EngineEventSchema = Type.Object(
  {
    engine: Type.String(),
    synced: Type.Boolean({ description: 'false: the engine went away, its containers are now stale; true: it is back and resynced' }),
    time: Type.String({ description: 'ISO 8601' }),
  },
  { $id: 'EngineEvent', description: '`engine` (with several engines): one engine was lost or came back; the others stream on. Refetch the list to see stale marks change' },
);

export const CONTAINER_EVENTS_STREAM = defineStream(
  'ContainerEventsMessage',
  { ready: ReadyEventSchema, snapshot: SnapshotEventSchema, container: ContainerChangeEventSchema, resync: ResyncEventSchema, engine: EngineEventSchema },
  'GET /api/v1/events.',
);

export const LOG_STREAM = defineStream(
  'LogStreamMessage',
  { open: LogOpenEventSchema, log: LogLineEventSchema, end: LogEndEventSchema },
  'GET /api/v1/containers/{id}/logs?follow=true.',
);

export const CONTAINER_STATS_STREAM = defineStream(
  'ContainerStatsStreamMessage',
  { stats: ContainerStatsEventSchema, end: StatsEndEventSchema },
  'GET /api/v1/containers/{id}/stats?stream=true.',
);

export const STATS_SET_STREAM = defineStream('StatsSetStreamMessage', { stats: StatsSetEventSchema }, 'GET /api/v1/stats?stream=true.');

export const CONTAINER_STREAMS = [CONTAINER_EVENTS_STREAM, LOG_STREAM, CONTAINER_STATS_STREAM, STATS_SET_STREAM];
