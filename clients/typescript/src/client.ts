import createFetchClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './generated/schema.js';
import { ApiError } from './errors.js';
import {
  CONTAINER_STREAM_EVENTS,
  LOG_STREAM_EVENTS,
  STATS_STREAM_EVENTS,
  only,
  readSse,
  type ContainerStreamEvent,
  type LogStreamEvent,
  type StatsSample,
  type StatsStreamEvent,
} from './sse.js';

type Json<T> = T extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;
type Query<T> = T extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type ContainerSummary = components['schemas']['ContainerSummary'];
export type ContainerDetails = components['schemas']['ContainerDetails'];
export type Engine = components['schemas']['Engine'];
export type ErrorResponse = components['schemas']['ErrorResponse'];
export type ContainerListQuery = Query<paths['/api/v1/containers']['get']>;
export type ActionResult = Json<paths['/api/v1/containers/{id}/start']['post']>;
export type LogsQuery = Omit<Query<paths['/api/v1/containers/{id}/logs']['get']>, 'follow'>;
export type Logs = Json<paths['/api/v1/containers/{id}/logs']['get']>;
export type StatsSetQuery = Omit<Query<paths['/api/v1/stats']['get']>, 'stream'>;
export type StatsSet = Json<paths['/api/v1/stats']['get']>;
export type StatsHistoryQuery = Query<paths['/api/v1/stats/history']['get']>;
export type StatsHistory = Json<paths['/api/v1/stats/history']['get']>;
export type GroupSummary = Json<paths['/api/v1/services']['get']>['groups'][number];
export type GroupDetails = Json<paths['/api/v1/services/{group}']['get']>;
export type GroupStartOptions = Omit<Query<paths['/api/v1/services/{group}/start']['post']>, 'timeout'>;
export type GroupStopOptions = Query<paths['/api/v1/services/{group}/stop']['post']>;
export type GroupActionResult = Json<paths['/api/v1/services/{group}/start']['post']>;
export type GroupCancelResult = Json<paths['/api/v1/services/{group}/operation']['delete']>;
export type SwarmServiceList = Json<paths['/api/v1/swarm/services']['get']>;
export type SwarmService = components['schemas']['SwarmService'];
export type SwarmServiceDetails = components['schemas']['SwarmServiceDetails'];
export type SwarmNodeList = Json<paths['/api/v1/swarm/nodes']['get']>;
export type SwarmServiceActionResult = Json<paths['/api/v1/swarm/services/{ref}/restart']['post']>;
export type SwarmNodeActionResult = Json<paths['/api/v1/swarm/nodes/{id}/drain']['post']>;
export type SwarmLogsQuery = Omit<Query<paths['/api/v1/swarm/services/{ref}/logs']['get']>, 'follow'>;
export type SwarmLogs = Json<paths['/api/v1/swarm/services/{ref}/logs']['get']>;
export type SwarmServiceStats = Json<paths['/api/v1/swarm/services/{ref}/stats']['get']>;
export type SwarmStacks = Json<paths['/api/v1/swarm/stacks']['get']>['stacks'];
/** `engine`: which engine (also `engine:ref`); `version`: the version index read (stale: 409 SWARM_VERSION_CONFLICT). */
export interface SwarmChangeOptions {
  engine?: string;
  version?: number;
}
export type LoginResult = Json<paths['/api/v1/auth/login']['post']>;
export type Identity = Json<paths['/api/v1/auth/me']['get']>;
export type { StatsSample };

export interface ClientOptions {
  /** The service's origin, e.g. http://127.0.0.1:8098 (paths start with /api/v1). */
  baseUrl: string;
  /** A bearer token (from `gui-docker-manager token …`); or call login(). */
  token?: string;
  /** Defaults to globalThis.fetch (Node >= 20, Electron, browsers). */
  fetch?: (input: Request) => Promise<Response>;
  /** Sent with every request, e.g. { 'x-request-id': … }. */
  headers?: Record<string, string>;
}

export interface EventsOptions {
  signal?: AbortSignal;
  /** Resume after this event id (sent as Last-Event-ID): missed events are replayed, or `resync` comes. */
  lastEventId?: string | number;
  /** Start with a `snapshot` event holding the current list. */
  snapshot?: boolean;
}

export interface FollowLogsOptions extends Omit<LogsQuery, 'tail'> {
  signal?: AbortSignal;
  /** Lines of history before the live ones (service default 100). */
  tail?: number;
}

export interface GdmClient {
  /** The typed openapi-fetch client for every path of the OpenAPI document (bearer header added). */
  readonly api: Client<paths, 'application/json'>;
  /** The current bearer token, if any. */
  readonly token: string | undefined;
  setToken(token: string | undefined): void;
  /** Logs in with a local user and keeps the returned token for later calls. */
  login(username: string, password: string): Promise<LoginResult>;
  /** Revokes the token on the service (if it still works) and forgets it. */
  logout(): Promise<void>;
  me(): Promise<Identity>;
  containers: {
    list(query?: ContainerListQuery): Promise<ContainerSummary[]>;
    get(id: string): Promise<ContainerDetails>;
    start(id: string): Promise<ActionResult>;
    /** `timeout`: seconds before the engine kills the process. */
    stop(id: string, timeout?: number): Promise<ActionResult>;
    restart(id: string, timeout?: number): Promise<ActionResult>;
    logs(id: string, query?: LogsQuery): Promise<Logs>;
    stats(id: string): Promise<StatsSample>;
  };
  services: {
    list(): Promise<GroupSummary[]>;
    get(group: string): Promise<GroupDetails>;
    start(group: string, options?: GroupStartOptions): Promise<GroupActionResult>;
    stop(group: string, options?: GroupStopOptions): Promise<GroupActionResult>;
    /** Cancels the running start or stop holding the group (admin, or the caller who started it). */
    cancel(group: string): Promise<GroupCancelResult>;
  };
  /** Swarm services, tasks, stacks and nodes of the manager engines (none elsewhere). */
  swarm: {
    services(engine?: string): Promise<SwarmServiceList>;
    service(ref: string, engine?: string): Promise<SwarmServiceDetails>;
    stacks(engine?: string): Promise<SwarmStacks>;
    scale(ref: string, replicas: number, options?: SwarmChangeOptions): Promise<SwarmServiceActionResult>;
    /** Rolling restart: every task replaced (ForceUpdate). */
    restart(ref: string, options?: SwarmChangeOptions): Promise<SwarmServiceActionResult>;
    rollback(ref: string, options?: SwarmChangeOptions): Promise<SwarmServiceActionResult>;
    logs(ref: string, query?: SwarmLogsQuery): Promise<SwarmLogs>;
    stats(ref: string, engine?: string): Promise<SwarmServiceStats>;
    nodes(engine?: string): Promise<SwarmNodeList>;
    /** Admin (WRITE): drain a node (its tasks move away) or make it active again. */
    setAvailability(id: string, availability: 'drain' | 'activate', options?: SwarmChangeOptions): Promise<SwarmNodeActionResult>;
  };
  /** Usage of every running container matching the filter, with totals. */
  stats(query?: StatsSetQuery): Promise<StatsSet>;
  /** Downsampled CPU, memory and network of one container or one group (`container` or `group`). */
  statsHistory(query: StatsHistoryQuery): Promise<StatsHistory>;
  /** Every engine the service follows: URL (no secrets), reachable, version, containers, last error, latency. */
  engines(): Promise<Engine[]>;
  /** Container changes (SSE) until the server ends the stream or `signal` aborts. */
  events(options?: EventsOptions): AsyncGenerator<ContainerStreamEvent, void, undefined>;
  /** A container's log lines, then new ones as they come (SSE). */
  followLogs(id: string, options?: FollowLogsOptions): AsyncGenerator<LogStreamEvent, void, undefined>;
  /** One `stats` event per sample while the container runs (SSE). */
  statsStream(id: string, options?: { signal?: AbortSignal }): AsyncGenerator<StatsStreamEvent, void, undefined>;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The body of a 2xx answer, or an ApiError built from the service's JSON error. */
async function ok<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw ApiError.from(response, error);
  return data as T;
}

/** A stream's body, or an ApiError: before a stream opens its errors are ordinary JSON answers. */
async function streamBody(call: Promise<Result<ReadableStream<Uint8Array> | null>>): Promise<ReadableStream<Uint8Array> | null> {
  return ok(call);
}

const SSE = { accept: 'text/event-stream' };

export function createClient(options: ClientOptions): GdmClient {
  let token = options.token;
  // JSON answers: a stream (text/event-stream) is read with parseAs: 'stream' and typed by sse.ts.
  const api = createFetchClient<paths, 'application/json'>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const bearer: Middleware = {
    onRequest({ request }) {
      if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      return undefined;
    },
  };
  api.use(bearer);

  const act = (id: string, action: 'stop' | 'restart', timeout?: number) =>
    ok(api.POST(`/api/v1/containers/{id}/${action}`, { params: { path: { id }, query: timeout === undefined ? {} : { timeout } } }));
  const groupAction = (group: string, action: 'start' | 'stop', query: GroupStopOptions) =>
    ok(api.POST(`/api/v1/services/{group}/${action}`, { params: { path: { group }, query } }));

  return {
    api,
    get token() {
      return token;
    },
    setToken(next) {
      token = next;
    },
    async login(username, password) {
      const result = await ok(api.POST('/api/v1/auth/login', { body: { username, password } }));
      token = result.token;
      return result;
    },
    async logout() {
      try {
        await ok(api.POST('/api/v1/auth/logout'));
      } catch (err) {
        // Already expired or revoked: logged out all the same.
        if (!(err instanceof ApiError && err.status === 401)) throw err;
      } finally {
        token = undefined;
      }
    },
    me: () => ok(api.GET('/api/v1/auth/me')),
    containers: {
      list: async (query = {}) => (await ok(api.GET('/api/v1/containers', { params: { query } }))).containers,
      get: (id) => ok(api.GET('/api/v1/containers/{id}', { params: { path: { id } } })),
      start: (id) => ok(api.POST('/api/v1/containers/{id}/start', { params: { path: { id } } })),
      stop: (id, timeout) => act(id, 'stop', timeout),
      restart: (id, timeout) => act(id, 'restart', timeout),
      logs: (id, query = {}) => ok(api.GET('/api/v1/containers/{id}/logs', { params: { path: { id }, query } })),
      stats: (id) => ok(api.GET('/api/v1/containers/{id}/stats', { params: { path: { id } } })),
    },
    services: {
      list: async () => (await ok(api.GET('/api/v1/services'))).groups,
      get: (group) => ok(api.GET('/api/v1/services/{group}', { params: { path: { group } } })),
      start: (group, query = {}) => groupAction(group, 'start', query),
      stop: (group, query = {}) => groupAction(group, 'stop', query),
      cancel: (group) => ok(api.DELETE('/api/v1/services/{group}/operation', { params: { path: { group } } })),
    },
    swarm: {
      services: (engine) => ok(api.GET('/api/v1/swarm/services', { params: { query: engine ? { engine } : {} } })),
      service: (ref, engine) => ok(api.GET('/api/v1/swarm/services/{ref}', { params: { path: { ref }, query: engine ? { engine } : {} } })),
      stacks: async (engine) => (await ok(api.GET('/api/v1/swarm/stacks', { params: { query: engine ? { engine } : {} } }))).stacks,
      scale: (ref, replicas, { engine, version } = {}) =>
        ok(
          api.POST('/api/v1/swarm/services/{ref}/scale', {
            params: { path: { ref }, query: engine ? { engine } : {} },
            body: { replicas, ...(version === undefined ? {} : { version }) },
          }),
        ),
      restart: (ref, query = {}) => ok(api.POST('/api/v1/swarm/services/{ref}/restart', { params: { path: { ref }, query } })),
      rollback: (ref, query = {}) => ok(api.POST('/api/v1/swarm/services/{ref}/rollback', { params: { path: { ref }, query } })),
      logs: (ref, query = {}) => ok(api.GET('/api/v1/swarm/services/{ref}/logs', { params: { path: { ref }, query } })),
      stats: (ref, engine) => ok(api.GET('/api/v1/swarm/services/{ref}/stats', { params: { path: { ref }, query: engine ? { engine } : {} } })),
      nodes: (engine) => ok(api.GET('/api/v1/swarm/nodes', { params: { query: engine ? { engine } : {} } })),
      setAvailability: (id, availability, query = {}) =>
        availability === 'drain'
          ? ok(api.POST('/api/v1/swarm/nodes/{id}/drain', { params: { path: { id }, query } }))
          : ok(api.POST('/api/v1/swarm/nodes/{id}/activate', { params: { path: { id }, query } })),
    },
    stats: (query = {}) => ok(api.GET('/api/v1/stats', { params: { query } })),
    statsHistory: (query) => ok(api.GET('/api/v1/stats/history', { params: { query } })),
    engines: async () => (await ok(api.GET('/api/v1/engines'))).engines,
    events({ signal, lastEventId, snapshot } = {}) {
      const open = (s: AbortSignal) =>
        streamBody(
          api.GET('/api/v1/events', {
            params: { query: snapshot === undefined ? {} : { snapshot } },
            headers: { ...SSE, ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }) },
            parseAs: 'stream',
            signal: s,
          }),
        );
      return only<ContainerStreamEvent>(readSse(open, signal), CONTAINER_STREAM_EVENTS);
    },
    followLogs(id, { signal, ...query } = {}) {
      const open = (s: AbortSignal) =>
        streamBody(
          api.GET('/api/v1/containers/{id}/logs', {
            params: { path: { id }, query: { ...query, follow: true } },
            headers: SSE,
            parseAs: 'stream',
            signal: s,
          }),
        );
      return only<LogStreamEvent>(readSse(open, signal), LOG_STREAM_EVENTS);
    },
    statsStream(id, { signal } = {}) {
      const open = (s: AbortSignal) =>
        streamBody(
          api.GET('/api/v1/containers/{id}/stats', { params: { path: { id }, query: { stream: true } }, headers: SSE, parseAs: 'stream', signal: s }),
        );
      return only<StatsStreamEvent>(readSse(open, signal), STATS_STREAM_EVENTS);
    },
  };
}
