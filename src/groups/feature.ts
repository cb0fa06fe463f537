import type { GroupCatalog } from './catalog.js';
import type { GroupRunner } from './group-runner.js';
import type { GroupService } from './group-service.js';

/** Service groups: their definitions, views, and the dependency-ordered, health-gated runner. */
export interface GroupsFeature {
  catalog: GroupCatalog;
  groups: GroupService;
  groupRunner: GroupRunner;
}
