import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretSource {
  secret: string;
  /** Where it came from, for one log line at boot. */
  origin: 'environment' | 'generated' | 'data-dir';
  path?: string;
}

/**
 * The HS256 signing secret: JWT_SECRET_KEY when set; otherwise the one a previous start
 * generated into DATA_DIR; otherwise a new random one written there with mode 0600.
 */
export function resolveSecret(configured: string | undefined, dataDir: string): SecretSource {
  if (configured) return { secret: configured, origin: 'environment' };
  const path = join(dataDir, 'jwt-secret');
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length >= 32) return { secret: existing, origin: 'data-dir', path };
  } catch {
    // none yet: generate below
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  // 'wx' fails if another process wrote it meanwhile; then read theirs.
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch {
    return { secret: readFileSync(path, 'utf8').trim(), origin: 'data-dir', path };
  }
  return { secret, origin: 'generated', path };
}
