import type { ImageEngine } from '../docker/image-engine.js';
import type { CredentialStore } from './registry/credentials.js';
import { parseReference } from './registry/reference.js';
import type { UpdateProgress } from './stream-schemas.js';

/** Pull lines worth passing on: not every byte count of every layer. */
const QUIET = new Set(['Downloading', 'Extracting', 'Waiting', 'Verifying Checksum']);

/** The name a pull takes and the engine tags: repository and tag, as the engine spells it locally. */
export function pullName(image: string): string | undefined {
  const ref = parseReference(image);
  return ref && !ref.digest ? `${ref.local}:${ref.tag}` : undefined;
}

/** An image tag to pull on one engine. */
export interface PullWant {
  engine: string;
  name: string;
}

/** The key of a pulled image in pullAll's answer: the engine and the name (the same tag may differ per engine). */
export const pulledKey = (engine: string, name: string): string => `${engine}\u0000${name}`;

/** Thrown by pullAll: which engine and image failed (the message says both). */
export class PullError extends Error {
  constructor(
    readonly engine: string,
    readonly image: string,
    reason: string,
  ) {
    super(`on ${engine}: ${image}: ${reason}`);
    this.name = 'PullError';
  }
}

/**
 * Pulls each image once per engine that runs a member of it (credentials from
 * REGISTRY_AUTH_FILE), on that engine, and answers what the tag points to there now (by
 * pulledKey). Throws a PullError on the first image that cannot be pulled: nothing was
 * re-created yet.
 */
export async function pullAll(
  images: (engine: string) => Pick<ImageEngine, 'pullImage' | 'inspectImage'>,
  credentials: CredentialStore,
  wants: readonly PullWant[],
  onProgress: (e: UpdateProgress) => void,
): Promise<Map<string, string>> {
  const creds = await credentials.load();
  const out = new Map<string, string>();
  for (const { engine, name } of wants) {
    if (out.has(pulledKey(engine, name))) continue;
    const ref = parseReference(name);
    const c = ref ? creds.get(ref.domain) : undefined;
    const auth = c && ref ? { username: c.username, password: c.password, serveraddress: ref.domain } : undefined;
    const on = images(engine);
    onProgress({ type: 'pull', engine, image: name, status: 'pulling' });
    try {
      await on.pullImage(name, auth, (p) => {
        if (p.status && !QUIET.has(p.status)) onProgress({ type: 'pull', engine, image: name, status: p.status, ...(p.id ? { layer: p.id } : {}) });
      });
    } catch (err) {
      throw new PullError(engine, name, err instanceof Error ? err.message : 'the pull failed');
    }
    const pulled = await on.inspectImage(name);
    if (!pulled) throw new PullError(engine, name, 'not on the engine after its pull');
    out.set(pulledKey(engine, name), pulled.id);
  }
  return out;
}
