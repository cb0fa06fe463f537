import Type, { type Static, type TSchema } from 'typebox';

/**
 * What a stream's events are, in one place: each event name with the schema of its payload
 * (a named component: it has an `$id`). From it come the OpenAPI entry of the stream (a
 * `text/event-stream` answer whose schema is the union of its messages, each `{event, id?,
 * data}` with `data` a `$ref` to the payload's component) and the type of `stream.send`:
 * a payload that drifts from its schema does not compile.
 */

/** A payload schema; it must be a named component (an `$id`, registered with app.addSchema). */
export type EventSchema = TSchema;
export type EventSchemas = Record<string, EventSchema>;

/** The component name of a payload schema; one without an `$id` is a bug, caught at start-up. */
export function componentOf(schema: EventSchema): string {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('A stream event payload schema needs an $id (it is an OpenAPI component)');
  return id;
}

/** Event name → the payload type its schema describes. */
export type EventsOf<S extends EventSchemas> = { [K in keyof S]: Static<S[K]> };

export const StreamErrorEventSchema = Type.Object(
  {
    code: Type.String({ description: 'DOCKER_UNAVAILABLE (engine gone: reconnect once /ready answers 200), UNAUTHORIZED or FORBIDDEN (access ended or changed)' }),
    message: Type.String(),
  },
  { $id: 'StreamErrorEvent', description: '`error`: the last event of a stream the service ends' },
);

export const ShutdownEventSchema = Type.Object(
  { reason: Type.String() },
  { $id: 'ShutdownEvent', description: '`shutdown`: the last event of every stream when the service stops; reconnect shortly' },
);

/** Events any stream may end with: the engine went away, access ended, the service stops. */
export const COMMON_STREAM_EVENTS = { error: StreamErrorEventSchema, shutdown: ShutdownEventSchema };
export type CommonStreamEvents = EventsOf<typeof COMMON_STREAM_EVENTS>;

/** One stream: its own events plus the common ones, and the component naming its messages. */
export interface StreamDefinition<S extends EventSchemas> {
  /** `$id` of the message union (e.g. ContainerEventsMessage). */
  id: string;
  events: S & typeof COMMON_STREAM_EVENTS;
  /** The union of `{event, id?, data}` messages, a component of its own. */
  message: TSchema;
}

const WIRE =
  'Each Server-Sent Event as {event, id?, data}: `event:` is its name, `id:` its number (only where the stream numbers them, for Last-Event-ID), `data:` one line of JSON. Comment lines (`: heartbeat`) keep the connection alive and carry nothing.';

/** Defines a stream's events (the common ones are added) and its message component. */
export function defineStream<const S extends EventSchemas>(id: string, events: S, description: string): StreamDefinition<S> {
  const all = { ...events, ...COMMON_STREAM_EVENTS };
  const variants = Object.entries(all).map(([name, schema]) =>
    Type.Object({ event: Type.Literal(name), id: Type.Optional(Type.String()), data: Type.Ref(componentOf(schema)) }, { title: `${name} → ${componentOf(schema)}` }),
  );
  const list = Object.entries(all)
    .map(([name, schema]) => `\`${name}\` → ${componentOf(schema)}`)
    .join(', ');
  const message = Type.Union(variants, { $id: id, description: `${description} Events: ${list}. ${WIRE}` });
  return { id, events: all, message };
}

/** The payload components of these streams, each once (for app.addSchema). */
export function payloadSchemas(...streams: StreamDefinition<EventSchemas>[]): EventSchema[] {
  const seen = new Map<string, EventSchema>();
  for (const stream of streams) {
    for (const schema of Object.values(stream.events)) {
      if (!Object.values(COMMON_STREAM_EVENTS).includes(schema as never)) seen.set(componentOf(schema), schema);
    }
  }
  return [...seen.values()];
}

/**
 * A route's 200 answer: the stream (as `text/event-stream`) and, for routes that answer JSON
 * unless asked to stream, that JSON schema too.
 */
export function streamResponse(stream: StreamDefinition<EventSchemas>, description: string, json?: TSchema) {
  return {
    description,
    content: {
      ...(json ? { 'application/json': { schema: json } } : {}),
      'text/event-stream': { schema: Type.Ref(stream.id) },
    },
  };
}
