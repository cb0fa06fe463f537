import type { DockerClient } from './client-factory.js';
import { specFromInspect, type ContainerSpec, type InspectForCreate } from './create-spec.js';
import { toAppError } from './engine-errors.js';
import type { ImageConfig } from './image-engine.js';

export type { ContainerSpec };

/** The container calls of a re-create: read a container's settings, create from them, rename, connect, remove. */
export interface RecreateEngine {
  /** What it takes to create this container again (see create-spec.ts). */
  specOf(id: string): Promise<ContainerSpec>;
  /** Creates a container from `spec` under `name` with `imageRef`, on all of its networks; returns its id. Not started. */
  create(spec: ContainerSpec, name: string, imageRef: string): Promise<string>;
  rename(id: string, name: string): Promise<void>;
  /** Starts it; answers the engine's StartedAt of this start, so a wait can tell it from an earlier run. */
  start(id: string): Promise<string>;
  /** Stops with the container's own grace (or `timeoutSeconds`); a stopped one is fine. */
  stop(id: string, timeoutSeconds?: number): Promise<void>;
  /** Removes the container (forced: it may run); its volumes stay. */
  remove(id: string): Promise<void>;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err);
  }
}

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/** `api` has the engine timeout; `long` none (a stop waits the container's grace, up to minutes). */
export function createRecreateEngine(api: DockerClient, long: DockerClient): RecreateEngine {
  return {
    specOf: (id) =>
      call(async () => {
        const d = (await api.getContainer(id).inspect()) as unknown as InspectForCreate;
        let image: ImageConfig = {};
        try {
          image = ((await api.getImage(d.Image).inspect()) as unknown as { Config?: ImageConfig }).Config ?? {};
        } catch (err) {
          // The image is gone (removed under a running container): nothing to leave out.
          if (statusOf(err) !== 404) throw err;
        }
        return specFromInspect(d, image);
      }),

    create: (spec, name, imageRef) =>
      call(async () => {
        const [first, ...rest] = spec.networks;
        const endpoint = (n: NonNullable<typeof first>) => ({
          ...(n.aliases.length ? { Aliases: n.aliases } : {}),
          ...(n.ipamConfig ? { IPAMConfig: n.ipamConfig } : {}),
          ...(n.links ? { Links: n.links } : {}),
        });
        const body = {
          ...spec.body,
          Image: imageRef,
          name,
          ...(first ? { NetworkingConfig: { EndpointsConfig: { [first.network]: endpoint(first) } } } : {}),
        };
        const created = await api.createContainer(body as never);
        try {
          // Before API 1.44 a create takes one network: the others are connected before start.
          for (const n of rest) await api.getNetwork(n.network).connect({ Container: created.id, EndpointConfig: endpoint(n) });
        } catch (err) {
          await created.remove({ force: true }).catch(() => undefined);
          throw err;
        }
        return created.id;
      }),

    rename: (id, name) => call(async () => void (await api.getContainer(id).rename({ name }))),

    start: (id) =>
      call(async () => {
        try {
          await api.getContainer(id).start();
        } catch (err) {
          if (statusOf(err) !== 304) throw err;
        }
        return ((await api.getContainer(id).inspect()) as unknown as { State: { StartedAt: string } }).State.StartedAt;
      }),

    stop: (id, timeoutSeconds) =>
      call(async () => {
        try {
          await long.getContainer(id).stop(timeoutSeconds === undefined ? {} : { t: timeoutSeconds });
        } catch (err) {
          if (statusOf(err) !== 304) throw err;
        }
      }),

    remove: (id) => call(async () => void (await api.getContainer(id).remove({ force: true, v: false }))),
  };
}
