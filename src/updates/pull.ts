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

/**
 * Pulls each image once (credentials from REGISTRY_AUTH_FILE) and answers what the tag
 * points to now. Throws on the first image that cannot be pulled: nothing was re-created yet.
 */
export async function pullAll(
  images: Pick<ImageEngine, 'pullImage' | 'inspectImage'>,
  credentials: CredentialStore,
  names: readonly string[],
  onProgress: (e: UpdateProgress) => void,
): Promise<Map<string, string>> {
  const creds = await credentials.load();
  const out = new Map<string, string>();
  for (const name of names) {
    const ref = parseReference(name);
    const c = ref ? creds.get(ref.domain) : undefined;
    const auth = c && ref ? { username: c.username, password: c.password, serveraddress: ref.domain } : undefined;
    onProgress({ type: 'pull', image: name, status: 'pulling' });
    await images.pullImage(name, auth, (p) => {
      if (p.status && !QUIET.has(p.status)) onProgress({ type: 'pull', image: name, status: p.status, ...(p.id ? { layer: p.id } : {}) });
    });
    const pulled = await images.inspectImage(name);
    if (!pulled) throw new Error(`${name} is not on the engine after its pull`);
    out.set(name, pulled.id);
  }
  return out;
}
