import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { GroupCatalog } from './catalog.js';
import type { GroupDefinition } from './definition.js';
import { loadGroupsFile } from './load.js';
import { warnUnreachableGroups } from './reach.js';

/**
 * The group catalog for this run: the groups given (tests) or the groups file, read and
 * validated now (a bad file stops start-up), with one warning naming groups no role reaches.
 */
export function createGroupCatalog(config: Pick<Config, 'groups' | 'auth'>, log: FastifyBaseLogger, groups?: GroupDefinition[]): GroupCatalog {
  const catalog = new GroupCatalog(groups ?? loadGroupsFile(config.groups.file), config.groups.labelKeys);
  // With access levels off every caller is an admin: only ADMIN_SERVICES reaches anything.
  const { roleGroups } = config.auth;
  warnUnreachableGroups(log, catalog.groups.map((g) => g.name), config.auth.accessLevelsEnabled ? roleGroups : { admin: roleGroups.admin });
  return catalog;
}
