import type { ContainerReader } from '../containers/feature.js';
import type { ContainerSummary } from '../containers/container-view.js';
import { markKey, type UpdateMarks } from '../containers/update-marks.js';
import type { ImageEngine } from '../docker/image-engine.js';
import { canSee, type Viewer } from '../access/principal.js';
import type { CredentialStore } from './registry/credentials.js';
import { HostLimit } from './registry/host-limit.js';
import { parseReference, repoDigestFor, type ImageReference } from './registry/reference.js';
import type { RegistryClient } from './registry/registry-client.js';
import type { UpdateStatus } from './schemas.js';

/** Manifest requests in flight at most per registry host. */
export const REGISTRY_CONCURRENCY = 4;

type Remote = { digest: string } | { error: string };

/**
 * Compares what each container runs with what its registry serves for the same tag: the
 * running image's RepoDigests entry for that repository vs the registry's digest (HEAD on
 * the manifest; a manifest list's digest when the registry serves a list, which is also
 * what a pull records). Never pulls. Results are kept per container (by engine and id)
 * with their time. The running image is inspected on the container's own engine: the same
 * tag may name another image, with other RepoDigests, on another engine.
 */
export class UpdateChecker {
  private readonly results = new Map<string, UpdateStatus>();
  private readonly limit = new HostLimit(REGISTRY_CONCURRENCY);

  constructor(
    /** Each engine's image calls, by engine name. */
    private readonly images: (engine: string) => Pick<ImageEngine, 'inspectImage'>,
    private readonly registry: RegistryClient,
    private readonly credentials: CredentialStore,
    private readonly store: ContainerReader,
    private readonly marks: UpdateMarks,
  ) {}

  /** Checks these containers now (one registry request per distinct repository and tag). */
  async check(targets: readonly ContainerSummary[]): Promise<UpdateStatus[]> {
    let creds: Awaited<ReturnType<CredentialStore['load']>> = new Map();
    let credsError: string | undefined;
    try {
      creds = await this.credentials.load();
    } catch (err) {
      credsError = (err as Error).message;
    }
    const remote = new Map<string, Promise<Remote>>();
    const local = new Map<string, Promise<string[] | undefined>>();
    const out = await Promise.all(
      targets.map(async (c) => {
        const ref = parseReference(c.image);
        const base = { id: c.id, engine: c.engine, name: c.name, image: c.image, imageId: c.imageId };
        const checkedAt = new Date().toISOString();
        const status = (fields: Partial<UpdateStatus>): UpdateStatus => ({ ...base, updateAvailable: null, currentDigest: null, latestDigest: null, checkedAt, ...fields });
        if (!ref) return status({ error: 'the container was created from an image id, not a reference: nothing to compare' });
        if (ref.digest) return status({ updateAvailable: false, currentDigest: ref.digest, latestDigest: ref.digest, error: 'pinned by digest' });
        const repoDigests = await memo(local, markKey(c.engine, c.imageId), () => this.images(c.engine).inspectImage(c.imageId).then((i) => i?.repoDigests));
        const current = repoDigestFor(ref, repoDigests ?? []) ?? null;
        if (credsError) return status({ currentDigest: current, error: credsError });
        const r = await memo(remote, `${ref.canonical}:${ref.tag}`, () => this.remoteDigest(ref, creds));
        if ('error' in r) return status({ currentDigest: current, error: r.error });
        if (!current) return status({ latestDigest: r.digest, error: `the running image has no digest from ${ref.local} on engine ${c.engine} (built locally or pulled from elsewhere)` });
        return status({ currentDigest: current, latestDigest: r.digest, updateAvailable: current !== r.digest });
      }),
    );
    for (const s of out) {
      this.results.set(markKey(s.engine, s.id), s);
      const { updateAvailable, currentDigest, latestDigest, checkedAt, error } = s;
      this.marks.set(s.engine, s.id, { updateAvailable, currentDigest, latestDigest, checkedAt, ...(error ? { error } : {}) });
    }
    return out;
  }

  /** The last results of the containers the viewer may see that still exist. */
  list(viewer: Viewer): UpdateStatus[] {
    const out: UpdateStatus[] = [];
    for (const [key, s] of this.results) {
      const c = this.store.summary(s.id, undefined, s.engine);
      if (!c) {
        this.results.delete(key);
        this.marks.delete(s.engine, s.id);
      } else if (canSee(viewer, c)) out.push(s);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.engine.localeCompare(b.engine));
  }

  visible(viewer: Viewer, c: ContainerSummary): boolean {
    return canSee(viewer, c);
  }

  /** A container replaced by an update: its old result goes, and the new one is not checked yet. */
  forget(engine: string, id: string): void {
    this.results.delete(markKey(engine, id));
    this.marks.delete(engine, id);
  }

  private remoteDigest(ref: ImageReference, creds: Map<string, { username: string; password: string }>): Promise<Remote> {
    return this.limit.run(ref.apiHost, async () => {
      try {
        return { digest: await this.registry.digest(ref, creds.get(ref.domain)) };
      } catch (err) {
        return { error: err instanceof Error && err.name === 'RegistryError' ? err.message : 'the registry check failed' };
      }
    });
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let hit = cache.get(key);
  if (!hit) cache.set(key, (hit = make()));
  return hit;
}
