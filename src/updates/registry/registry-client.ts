import { createHash } from 'node:crypto';
import type { Credentials } from './credentials.js';
import type { ImageReference } from './reference.js';

/** What a manifest HEAD asks for: a multi-arch list or index first, so its digest is the one pulls record. */
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
];

export interface RegistrySettings {
  /** Hosts (host or host:port) reached over plain http (REGISTRY_INSECURE); all others over https. */
  insecure: readonly string[];
  timeoutMs: number;
}

/** A failure talking to a registry, with a message fit for a caller (no credentials in it). */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic realm="…"). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^(\w+)\s*(.*)$/.exec(header.trim());
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"|(\w+)=([^,\s]+)/g)) params[(m[1] ?? m[3]) as string] = (m[2] ?? m[4]) as string;
  return { scheme: (match[1] as string).toLowerCase(), params };
}

function basic(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

/**
 * The Registry HTTP API v2, as much of it as an update check needs: the digest a tag points
 * to (HEAD /v2/<name>/manifests/<tag>, Docker-Content-Digest). Authenticates as the registry
 * asks in WWW-Authenticate: a bearer token from its token service (anonymous or with the
 * credentials), or basic auth. Tokens are reused until they expire.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(private readonly settings: RegistrySettings) {}

  baseUrl(ref: ImageReference): string {
    const plain = this.settings.insecure.includes(ref.apiHost) || this.settings.insecure.includes(ref.domain);
    return `${plain ? 'http' : 'https'}://${ref.apiHost}`;
  }

  /** The digest the registry serves for the reference's tag (the list's digest when it serves a list). */
  async digest(ref: ImageReference, creds: Credentials | undefined): Promise<string> {
    const url = `${this.baseUrl(ref)}/v2/${ref.path}/manifests/${encodeURIComponent(ref.tag)}`;
    const scope = `repository:${ref.path}:pull`;
    const key = `${ref.apiHost}|${scope}|${creds?.username ?? ''}`;
    let auth = this.cachedToken(key);
    let res = await this.request(url, 'HEAD', auth);
    if (res.status === 401) {
      auth = await this.authorize(parseChallenge(res.headers.get('www-authenticate')), scope, key, creds);
      res = await this.request(url, 'HEAD', auth);
    }
    if (res.ok) {
      const digest = res.headers.get('docker-content-digest');
      if (digest) return digest;
      // A registry that leaves the header off a HEAD: the digest is the hash of the body as served.
      const full = await this.request(url, 'GET', auth);
      if (full.ok) return `sha256:${createHash('sha256').update(Buffer.from(await full.arrayBuffer())).digest('hex')}`;
      res = full;
    }
    if (res.status === 401 || res.status === 403) throw new RegistryError(`${ref.domain} refused access to ${ref.path} (${res.status}); check REGISTRY_AUTH_FILE`);
    if (res.status === 404) throw new RegistryError(`${ref.domain} has no ${ref.path}:${ref.tag}`);
    throw new RegistryError(`${ref.domain} answered ${res.status} for ${ref.path}:${ref.tag}`);
  }

  private cachedToken(key: string): string | undefined {
    const hit = this.tokens.get(key);
    if (hit && hit.until > Date.now()) return hit.token;
    this.tokens.delete(key);
    return undefined;
  }

  private async authorize(challenge: Challenge | undefined, scope: string, key: string, creds: Credentials | undefined): Promise<string | undefined> {
    if (challenge?.scheme === 'basic') {
      if (!creds) throw new RegistryError('the registry asks for credentials; none are in REGISTRY_AUTH_FILE for it');
      return basic(creds);
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) throw new RegistryError('the registry asks for an authentication this service does not speak');
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', challenge.params.scope ?? scope);
    const res = await this.request(realm.toString(), 'GET', creds ? basic(creds) : undefined);
    if (!res.ok) throw new RegistryError(`the registry's token service answered ${res.status}${creds ? '; check REGISTRY_AUTH_FILE' : ''}`);
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('the registry\'s token service gave no token');
    const bearer = `Bearer ${token}`;
    // expires_in defaults to 60 s (the spec); renewed 10 s early.
    this.tokens.set(key, { token: bearer, until: Date.now() + Math.max(0, (body.expires_in ?? 60) - 10) * 1000 });
    return bearer;
  }

  private async request(url: string, method: 'HEAD' | 'GET', authorization: string | undefined): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: { accept: MANIFEST_TYPES.join(', '), ...(authorization ? { authorization } : {}) },
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        redirect: 'follow',
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError') throw new RegistryError(`${new URL(url).host} did not answer in ${this.settings.timeoutMs} ms`);
      throw new RegistryError(`${new URL(url).host} is unreachable (${e.cause?.code ?? e.message})`);
    }
  }
}
