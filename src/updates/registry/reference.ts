/**
 * Image references as Docker reads them (distribution/reference "familiar" names): the first
 * path component is a registry host when it holds a `.` or `:` or is `localhost`; otherwise
 * the image is on Docker Hub, whose one-component names live under `library/`.
 */
export interface ImageReference {
  /** The registry as named in the reference and in credentials files (docker.io for Hub). */
  domain: string;
  /** The host the Registry API is reached at (registry-1.docker.io for Hub). */
  apiHost: string;
  /** The repository path on that registry (library/nginx). */
  path: string;
  /** domain/path: one spelling for comparing repositories (docker.io/library/nginx). */
  canonical: string;
  /** The name as the engine tags it locally (nginx, registry:5000/app). */
  local: string;
  tag: string;
  /** Set for a reference pinned by digest (repo@sha256:…). */
  digest?: string;
}

export const HUB_DOMAIN = 'docker.io';
const HUB_API_HOST = 'registry-1.docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

function isDomain(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** Parses a reference such as `nginx`, `nginx:1.27`, `ghcr.io/o/app:v1`, `host:5000/app@sha256:…`; undefined when it is none (an image id). */
export function parseReference(ref: string): ImageReference | undefined {
  if (!ref || /^(sha256:)?[a-f0-9]{64}$/.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag = 'latest';
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const first = rest.split('/')[0] ?? '';
  let domain = HUB_DOMAIN;
  let path = rest;
  if (rest.includes('/') && isDomain(first)) {
    domain = first.toLowerCase();
    path = rest.slice(first.length + 1);
  }
  if (HUB_ALIASES.has(domain)) domain = HUB_DOMAIN;
  if (domain === HUB_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (!PATH.test(path)) return undefined;
  const hub = domain === HUB_DOMAIN;
  return {
    domain,
    apiHost: hub ? HUB_API_HOST : domain,
    path,
    canonical: `${domain}/${path}`,
    local: hub ? path.replace(/^library\//, '') : `${domain}/${path}`,
    tag,
    ...(digest ? { digest } : {}),
  };
}

/**
 * The digest the engine recorded for this repository among an image's RepoDigests
 * (`repo@sha256:…`, repo in any spelling), or undefined when the image never came from or
 * went to that repository (built locally, or pulled from elsewhere).
 */
export function repoDigestFor(ref: ImageReference, repoDigests: readonly string[]): string | undefined {
  for (const entry of repoDigests) {
    const parsed = parseReference(entry);
    if (parsed?.digest && parsed.canonical === ref.canonical) return parsed.digest;
  }
  return undefined;
}

/** A credentials key (`https://index.docker.io/v1/`, `registry:5000`, `https://ghcr.io`) as the domain it is for. */
export function credentialsDomain(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0]?.toLowerCase() ?? '';
  return HUB_ALIASES.has(host) ? HUB_DOMAIN : host;
}
