import type { Readable } from 'node:stream';
import type { DockerClient } from './client-factory.js';
import { toAppError } from './engine-errors.js';

/** An image as the update feature needs it. */
export interface ImageRecord {
  /** sha256:… */
  id: string;
  /** repo:tag names pointing at it. */
  repoTags: string[];
  /** repo@sha256:… as the registry named the image when it was pulled or pushed. */
  repoDigests: string[];
  created: string;
  /** The image's own config: what a container gets unless it sets its own. */
  config: ImageConfig;
}

export interface ImageConfig {
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | string | null;
  Labels?: Record<string, string> | null;
  WorkingDir?: string;
  User?: string;
  Healthcheck?: unknown;
  ExposedPorts?: Record<string, unknown> | null;
  Volumes?: Record<string, unknown> | null;
  StopSignal?: string;
  Shell?: string[] | null;
}

/** One line of the engine's pull progress (its JSON messages, passed on as they come). */
export interface PullProgress {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
}

/** Docker's X-Registry-Auth content. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/** The image calls of the update feature: inspect, pull with progress, tag, remove, list. */
export interface ImageEngine {
  /** Undefined when the engine has no such image. */
  inspectImage(ref: string): Promise<ImageRecord | undefined>;
  /** Pulls `ref` (repo:tag); resolves once the engine has it, rejects on an error line. */
  pullImage(ref: string, auth: RegistryAuth | undefined, onProgress?: (p: PullProgress) => void): Promise<void>;
  tagImage(id: string, repo: string, tag: string): Promise<void>;
  /** Removes one image by id (never forced: the engine refuses one a container uses). */
  removeImage(id: string): Promise<void>;
  /** Every image: id, tags and digests. */
  listImages(): Promise<{ id: string; repoTags: string[]; repoDigests: string[] }[]>;
}

interface EngineImage {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: string;
  Config?: ImageConfig | null;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err, 'NOT_FOUND');
  }
}

/** `api` answers short calls with the engine timeout; `long` has none (a pull may take minutes). */
export function createImageEngine(api: DockerClient, long: DockerClient): ImageEngine {
  return {
    inspectImage: async (ref) => {
      try {
        const i = (await api.getImage(ref).inspect()) as unknown as EngineImage;
        return { id: i.Id, repoTags: i.RepoTags ?? [], repoDigests: i.RepoDigests ?? [], created: i.Created, config: i.Config ?? {} };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw toAppError(err, 'NOT_FOUND');
      }
    },

    pullImage: (ref, auth, onProgress) =>
      call(async () => {
        const stream = (await long.pull(ref, auth ? { authconfig: auth } : {})) as Readable;
        await new Promise<void>((resolve, reject) => {
          long.modem.followProgress(
            stream,
            (err: Error | null, output: PullProgress[]) => {
              const failed = output?.find((o) => o.error);
              if (err || failed) reject(Object.assign(new Error(err?.message ?? failed?.error ?? 'pull failed'), { statusCode: 500 }));
              else resolve();
            },
            (p: PullProgress) => onProgress?.(p),
          );
        });
      }),

    tagImage: (id, repo, tag) => call(async () => void (await api.getImage(id).tag({ repo, tag }))),

    removeImage: (id) => call(async () => void (await api.getImage(id).remove({ noprune: false }))),

    listImages: () =>
      call(async () =>
        ((await api.listImages({ all: false })) as unknown as { Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null }[]).map((i) => ({
          id: i.Id,
          repoTags: i.RepoTags ?? [],
          repoDigests: i.RepoDigests ?? [],
        })),
      ),
  };
}
