import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The host keys a known_hosts file (OpenSSH format) lists for one host and port: plain
 * patterns (`host`, `[host]:port`, comma-separated) and hashed ones (`|1|salt|hash`, what
 * `ssh-keygen -H` writes). Wildcards, negations and @revoked / @cert-authority lines are
 * not understood and never match (fail closed: an unknown key is refused).
 */
export function knownHostKeys(text: string, host: string, port: number): string[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
    const [patterns, , key] = line.split(/\s+/);
    if (!patterns || !key) continue;
    if (patterns.split(',').some((p) => matches(p, name))) keys.push(key);
  }
  return keys;
}

function matches(pattern: string, name: string): boolean {
  if (!pattern.startsWith('|1|')) return pattern === name;
  const [salt, hash] = pattern.slice(3).split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/**
 * ssh2's hostVerifier for one engine: the raw host key the server presents must be one the
 * file lists for that host and port. The file is read on each connection, so an edited
 * known_hosts applies without a restart.
 */
export function hostVerifier(file: string, host: string, port: number): (key: Buffer) => boolean {
  return (key) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    return knownHostKeys(text, host, port).includes(key.toString('base64'));
  };
}
