import type { ContainersFeature } from '../containers/feature.js';
import type { GroupsFeature } from '../groups/feature.js';

/** What the probes and /metrics read: the containers feature and the group catalog. */
export type SystemView = Pick<ContainersFeature, 'engineStatus' | 'store' | 'stats'> & { groups: Pick<GroupsFeature, 'catalog'> };
