import { Docker } from './lean-dockerode.js';
import type { Readable } from 'node:stream';
import { connectionOptions, type ConnectionSettings } from './connection.js';
import { appError } from '../errors.js';
import { toAppError } from './engine-errors.js';
import { listingFromEngine, recordFromEngine, type ContainerListing, type ContainerRecord } from './container-record.js';
import type { EngineContainerDetails, EngineContainerSummary, EngineInfo, EngineStats, LogOptions } from './types.js';
import { sampleFromStats, type CpuCounters, type EngineSample } from './stats-usage.js';

export type { EngineInfo };

/**
 * The narrow port to the Docker engine: only the calls this service makes. It is the one
 * module that imports the Docker client library; every failure leaves it as a coded
 * AppError (see engine-errors.ts).
 */
export interface DockerEngine {
  ping(): Promise<void>;
  info(): Promise<EngineInfo>;
  /** Every container, as the engine lists it (a cheap staleness check for the store). */
  listContainers(): Promise<ContainerListing[]>;
  /** One container, mapped from the engine's inspect JSON (see container-record.ts). */
  inspectContainer(id: string): Promise<ContainerRecord>;
  /** Returns false when the container was already running (engine answered 304). */
  startContainer(id: string): Promise<boolean>;
  /** Returns false when the container was already stopped (engine answered 304). */
  stopContainer(id: string, timeoutSeconds?: number): Promise<boolean>;
  restartContainer(id: string, timeoutSeconds?: number): Promise<void>;
  /**
   * The logs body (follow=false) as a stream, so that a huge log is never held whole:
   * multiplexed frames unless the container has a TTY. Destroy it to stop reading.
   */
  containerLogs(id: string, options: LogOptions): Promise<Readable>;
  /** A live logs stream (follow=true); destroy it to stop. */
  followLogs(id: string, options: LogOptions): Promise<Readable>;
  /** One stats sample; `oneShot` skips the engine's wait for a second sample (API >= 1.41). */
  /** One stats sample, mapped (see stats-usage.ts); `previousCpu` pairs a one-shot sample with the last one. */
  containerStats(id: string, oneShot: boolean, previousCpu?: CpuCounters): Promise<EngineSample>;
  /** The engine's container events as newline-delimited JSON; destroy it to stop. */
  containerEvents(since?: number): Promise<Readable>;
}

export interface EngineSettings extends ConnectionSettings {
  timeoutMs: number;
  /** The engine's name, carried by every record it gives (default `local`). */
  name?: string;
}

interface StatusError {
  statusCode?: number;
}

function isNotModified(err: unknown): boolean {
  return (err as StatusError | undefined)?.statusCode === 304;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err);
  }
}

export function createDockerEngine(settings: EngineSettings): DockerEngine {
  const options = connectionOptions(settings);
  // Short requests get a timeout; long-lived streams must not, since docker-modem's
  // timeout is an idle timeout that would cut a quiet events or logs stream.
  const api = new Docker({ ...options, timeout: settings.timeoutMs });
  const streams = new Docker({ ...options });

  return {
    ping: () => call(async () => void (await api.ping())),

    info: () =>
      call(async () => {
        const v = await api.version();
        return {
          version: v.Version,
          apiVersion: v.ApiVersion,
          os: v.Os,
          arch: v.Arch,
          kernelVersion: v.KernelVersion,
        };
      }),

    listContainers: () =>
      call(async () => ((await api.listContainers({ all: true })) as unknown as EngineContainerSummary[]).map(listingFromEngine)),

    inspectContainer: (id) =>
      call(async () => recordFromEngine((await api.getContainer(id).inspect()) as unknown as EngineContainerDetails, settings.name)),

    startContainer: (id) =>
      call(async () => {
        try {
          await api.getContainer(id).start();
          return true;
        } catch (err) {
          if (isNotModified(err)) return false;
          // 400/500 on start: the container's own config (command, mounts, ports) fails.
          const status = (err as StatusError | undefined)?.statusCode;
          if (status === 400 || status === 500) throw appError('CONTAINER_START_FAILED', undefined, undefined, (err as Error).message);
          throw err;
        }
      }),

    stopContainer: (id, timeoutSeconds) =>
      call(async () => {
        try {
          await withLongerTimeout(timeoutSeconds, settings, (client) => client.getContainer(id).stop(stopOptions(timeoutSeconds)));
          return true;
        } catch (err) {
          if (isNotModified(err)) return false;
          throw err;
        }
      }),

    restartContainer: (id, timeoutSeconds) =>
      call(async () => {
        await withLongerTimeout(timeoutSeconds, settings, (client) => client.getContainer(id).restart(stopOptions(timeoutSeconds)));
      }),

    containerLogs: (id, opts) =>
      call(
        () =>
          // dockerode buffers a follow=false body whole; the same request through its modem
          // with isStream hands the body over as it comes (the idle timeout still applies).
          new Promise<Readable>((resolve, reject) => {
            api.modem.dial(
              {
                path: `/containers/${encodeURIComponent(id)}/logs?`,
                method: 'GET',
                isStream: true,
                statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
                options: { ...logParams(opts), follow: false },
              },
              (err, body) => (err ? reject(err) : resolve(body as Readable)),
            );
          }),
      ),

    followLogs: (id, opts) =>
      call(async () => (await streams.getContainer(id).logs({ ...logParams(opts), follow: true })) as unknown as Readable),

    containerStats: (id, oneShot, previousCpu) =>
      call(async () => {
        const params = oneShot ? { stream: false as const, 'one-shot': true } : { stream: false as const };
        return sampleFromStats((await api.getContainer(id).stats(params as { stream: false })) as unknown as EngineStats, previousCpu);
      }),

    containerEvents: (since) =>
      call(async () => {
        const stream = await streams.getEvents({ since, filters: { type: ['container'] } });
        return stream as unknown as Readable;
      }),
  };

  function withLongerTimeout<T>(timeoutSeconds: number | undefined, s: EngineSettings, fn: (client: Docker) => Promise<T>): Promise<T> {
    // A stop may legitimately take `timeout` seconds before the engine kills the process.
    const needed = ((timeoutSeconds ?? 10) + 5) * 1000;
    if (needed <= s.timeoutMs) return fn(api);
    return fn(new Docker({ ...options, timeout: needed }));
  }
}

function stopOptions(timeoutSeconds?: number): { t?: number } {
  return timeoutSeconds === undefined ? {} : { t: timeoutSeconds };
}

function logParams(opts: LogOptions) {
  return {
    stdout: true,
    stderr: true,
    tail: opts.tail,
    since: opts.since ?? 0,
    until: opts.until,
    timestamps: opts.timestamps,
  };
}
