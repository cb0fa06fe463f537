import type { Readable } from 'node:stream';
import { Docker } from './lean-dockerode.js';
import { connectionOptions } from './connection.js';
import { appError, isAppError, type AppError } from '../errors.js';
import { toAppError } from './engine-errors.js';
import type { EngineSettings } from './engine.js';
import {
  nodeFromEngine,
  serviceFromEngine,
  swarmStateFromInfo,
  taskFromEngine,
  type EngineNode,
  type EngineService,
  type EngineSwarmInfo,
  type EngineTask,
  type SwarmNodeRecord,
  type SwarmServiceRecord,
  type SwarmState,
  type SwarmTaskRecord,
} from './swarm-records.js';

export type { SwarmNodeRecord, SwarmServiceRecord, SwarmState, SwarmTaskRecord };

/** One change to a service's spec, sent with the version index the caller read. */
export type ServiceChange = { kind: 'scale'; replicas: number } | { kind: 'force-update' } | { kind: 'rollback' };

export interface ServiceLogOptions {
  follow: boolean;
  tail?: number;
  since?: number;
  timestamps: boolean;
}

/**
 * The narrow port to an engine's swarm API: only the calls the swarm feature makes. Only a
 * manager answers the list and update calls; /info says whether this engine is one.
 */
export interface SwarmEngine {
  state(): Promise<SwarmState>;
  listNodes(): Promise<SwarmNodeRecord[]>;
  listServices(): Promise<SwarmServiceRecord[]>;
  listTasks(): Promise<SwarmTaskRecord[]>;
  /**
   * Applies `change` to the service's current spec, sent with `version` (default: the version
   * index read with that spec): the engine refuses it (SWARM_VERSION_CONFLICT) when the
   * service changed since that version. Returns the version index sent.
   */
  updateService(id: string, version: number | undefined, change: ServiceChange): Promise<number>;
  /** Sets a node's availability (active, pause, drain) at `version` (default: current), refused when stale like a service update. */
  setNodeAvailability(id: string, version: number | undefined, availability: 'active' | 'pause' | 'drain'): Promise<number>;
  /** Logs of every task of a service, each line prefixed with its details (task, node); destroy it to stop. */
  serviceLogs(id: string, options: ServiceLogOptions): Promise<Readable>;
  /** The engine's service, node and container events as newline-delimited JSON; destroy it to stop. */
  events(): Promise<Readable>;
}

interface StatusError {
  statusCode?: number;
  message?: string;
}

/** Engine failures as our codes: a stale version index is a conflict the caller can fix by reading again. */
function swarmError(err: unknown, notFound: 'SWARM_SERVICE_NOT_FOUND' | 'SWARM_NODE_NOT_FOUND'): AppError {
  if (isAppError(err)) return err;
  const e = (err ?? {}) as StatusError;
  if (/update out of sequence/i.test(e.message ?? '')) return appError('SWARM_VERSION_CONFLICT', undefined, undefined, e.message);
  if (e.statusCode === 404) return appError(notFound, undefined, undefined, e.message);
  if (e.statusCode === 503) return appError('SWARM_NOT_MANAGER', undefined, undefined, e.message);
  return toAppError(err);
}

async function call<T>(fn: () => Promise<T>, notFound: 'SWARM_SERVICE_NOT_FOUND' | 'SWARM_NODE_NOT_FOUND' = 'SWARM_SERVICE_NOT_FOUND'): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw swarmError(err, notFound);
  }
}

/** The spec to send for a change; rollback sends the current spec with rollback=previous (as the docker CLI does). */
function changedSpec(service: EngineService, change: ServiceChange): EngineService['Spec'] {
  const spec = structuredClone(service.Spec);
  switch (change.kind) {
    case 'scale':
      if (!spec.Mode?.Replicated) throw appError('SWARM_NOT_REPLICATED');
      spec.Mode.Replicated.Replicas = change.replicas;
      return spec;
    case 'force-update':
      // The engine replaces every task when this counter changes, even with nothing else new.
      spec.TaskTemplate = { ...spec.TaskTemplate, ForceUpdate: (spec.TaskTemplate?.ForceUpdate ?? 0) + 1 };
      return spec;
    case 'rollback':
      if (!service.PreviousSpec) throw appError('SWARM_NO_PREVIOUS_SPEC');
      return spec;
  }
}

/** Builds the swarm port of one engine from its connection settings (the same ones as the container port). */
export function createSwarmEngine(settings: EngineSettings): SwarmEngine {
  const options = connectionOptions(settings);
  const api = new Docker({ ...options, timeout: settings.timeoutMs });
  // Long-lived streams get no idle timeout (it would cut a quiet events or logs stream).
  const streams = new Docker({ ...options });

  const dial = <T>(client: Docker, opts: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => client.modem.dial(opts as never, (err, data) => (err ? reject(err) : resolve(data as T))));

  return {
    state: () => call(async () => swarmStateFromInfo((await api.info()) as EngineSwarmInfo)),

    listNodes: () => call(async () => ((await api.listNodes()) as unknown as EngineNode[]).map(nodeFromEngine), 'SWARM_NODE_NOT_FOUND'),

    listServices: () => call(async () => ((await api.listServices()) as unknown as EngineService[]).map(serviceFromEngine)),

    listTasks: () => call(async () => ((await api.listTasks()) as unknown as EngineTask[]).map(taskFromEngine)),

    updateService: (id, version, change) =>
      call(async () => {
        const current = (await api.getService(id).inspect()) as unknown as EngineService;
        const spec = changedSpec(current, change);
        const sent = version ?? current.Version.Index;
        await dial(api, {
          path: `/services/${encodeURIComponent(id)}/update?`,
          method: 'POST',
          statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such service', 500: 'server error', 503: 'node is not part of a swarm' },
          options: { _query: { version: sent, ...(change.kind === 'rollback' ? { rollback: 'previous' } : {}) }, _body: spec },
        });
        return sent;
      }),

    setNodeAvailability: (id, version, availability) =>
      call(async () => {
        const node = (await api.getNode(id).inspect()) as unknown as EngineNode;
        const sent = version ?? node.Version.Index;
        await dial(api, {
          path: `/nodes/${encodeURIComponent(id)}/update?`,
          method: 'POST',
          statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such node', 500: 'server error', 503: 'node is not part of a swarm' },
          options: { _query: { version: sent }, _body: { ...node.Spec, Availability: availability } },
        });
        return sent;
      }, 'SWARM_NODE_NOT_FOUND'),

    serviceLogs: (id, opts) =>
      call(() =>
        dial<Readable>(opts.follow ? streams : api, {
          path: `/services/${encodeURIComponent(id)}/logs?`,
          method: 'GET',
          isStream: true,
          statusCodes: { 200: true, 404: 'no such service', 500: 'server error', 503: 'node is not part of a swarm' },
          // details=true prefixes each line with the task, node and service ids it came from.
          options: { stdout: true, stderr: true, details: true, follow: opts.follow, timestamps: opts.timestamps, tail: opts.tail ?? 'all', since: opts.since ?? 0 },
        }),
      ),

    events: () => call(async () => (await streams.getEvents({ filters: { type: ['service', 'node', 'container'] } })) as unknown as Readable),
  };
}
