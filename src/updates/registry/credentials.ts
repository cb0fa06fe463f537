import { readFile } from 'node:fs/promises';
import { credentialsDomain } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/**
 * Registry credentials from a file in Docker's config.json format (REGISTRY_AUTH_FILE):
 * `{"auths": {"<host>": {"auth": base64("user:password")}}}` (or username and password).
 * Read on each use, so a rotated file takes effect at the next check; a missing file means
 * no credentials (anonymous pulls still work), a broken one is an error the check reports.
 */
export class CredentialStore {
  constructor(private readonly file: string | undefined) {}

  async load(): Promise<Map<string, Credentials>> {
    const out = new Map<string, Credentials>();
    if (!this.file) return out;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw new Error(`cannot read REGISTRY_AUTH_FILE: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    let parsed: { auths?: Record<string, AuthEntry> };
    try {
      parsed = JSON.parse(text) as { auths?: Record<string, AuthEntry> };
    } catch {
      throw new Error('REGISTRY_AUTH_FILE is not valid JSON');
    }
    for (const [key, entry] of Object.entries(parsed.auths ?? {})) {
      const creds = credentialsOf(entry);
      if (creds) out.set(credentialsDomain(key), creds);
    }
    return out;
  }
}

function credentialsOf(entry: AuthEntry): Credentials | undefined {
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
