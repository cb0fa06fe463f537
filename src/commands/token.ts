import { parseArgs } from 'node:util';
import { isRole } from '../access/permissions.js';
import { resolveSecret } from '../access/secret.js';
import { TokenService } from '../access/tokens.js';
import type { Config } from '../config.js';

const DURATION = /^(\d+)(s|m|h|d)?$/;
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseTtl(value: string): number {
  const m = DURATION.exec(value.trim());
  if (!m) throw new Error(`--ttl must look like 3600, 90m, 12h or 30d (got ${JSON.stringify(value)})`);
  return Number(m[1]) * (UNIT[m[2] ?? 's'] ?? 1);
}

export const TOKEN_USAGE = 'gui-docker-manager token --sub NAME --role user|developer|admin [--groups a,b] [--engines e1,e2] [--ttl 1h]';

/** Prints a signed token for automation and the desktop GUI (same secret as the server). */
export async function tokenCommand(args: string[], config: Config): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { sub: { type: 'string' }, role: { type: 'string' }, groups: { type: 'string' }, engines: { type: 'string' }, ttl: { type: 'string', default: '1h' } },
    strict: true,
  });
  if (!values.sub || !/^[\w.@:-]{1,128}$/.test(values.sub)) throw new Error(`--sub is required (letters, digits, _ . @ : -)\n${TOKEN_USAGE}`);
  if (!isRole(values.role)) throw new Error(`--role must be user, developer or admin\n${TOKEN_USAGE}`);
  const ttl = parseTtl(values.ttl);
  if (ttl < 60 || ttl > 365 * 86400) throw new Error('--ttl must be between 1 minute and 365 days');
  const groups = values.groups?.split(',').map((g) => g.trim()).filter(Boolean);
  if (groups?.some((g) => !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(g))) throw new Error('--groups must be comma-separated group names');
  const engines = values.engines?.split(',').map((g) => g.trim()).filter(Boolean);
  if (engines?.some((g) => g !== '*' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(g))) throw new Error('--engines must be comma-separated engine names (or *)');
  const { secret } = resolveSecret(config.auth.secret, config.dataDir);
  const tokens = new TokenService({ ...config.auth, secret, roleMap: config.auth.roleMap });
  const { token } = await tokens.sign({ sub: values.sub, role: values.role, ...(groups ? { groups } : {}), ...(engines ? { engines } : {}) }, ttl);
  console.log(token);
  return 0;
}
