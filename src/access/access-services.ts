import { Authenticator } from './authenticator.js';
import type { SecretSource } from './secret.js';
import { TokenService } from './tokens.js';
import type { Config } from '../config.js';
import type { Db } from '../storage/database.js';
import { DbChanges } from '../storage/db-changes.js';
import { AuditLog } from './audit.js';
import { Revocations } from './revocations.js';
import { UserService } from './users.js';

/** Everything authentication, users and audit need, over one database. */
export interface AccessServices {
  tokens: TokenService;
  authenticator: Authenticator;
  users: UserService;
  revocations: Revocations;
  audit: AuditLog;
}

export function createAccessServices(config: Pick<Config, 'auth' | 'auditRetentionDays'>, db: Db, secret: SecretSource): AccessServices {
  const tokens = new TokenService({
    secret: secret.secret,
    audience: config.auth.audience,
    issuer: config.auth.issuer,
    ttlSeconds: config.auth.ttlSeconds,
    clockToleranceSeconds: config.auth.clockToleranceSeconds,
    roleMap: config.auth.roleMap,
  });
  const users = new UserService(db);
  const revocations = new Revocations(db);
  const authenticator = new Authenticator(tokens, users, revocations, {
    accessLevelsEnabled: config.auth.accessLevelsEnabled,
    roleGroups: config.auth.roleGroups,
    roleEngines: config.auth.roleEngines,
  }, new DbChanges(db));
  return { tokens, authenticator, users, revocations, audit: new AuditLog(db, config.auditRetentionDays) };
}
