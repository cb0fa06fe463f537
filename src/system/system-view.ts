import type { ContainersFeature } from '../containers/feature.js';
import type { GroupService } from '../groups/group-service.js';

/** What the probes read: whether the engine answers and the store is synced. */
export type ProbeView = Pick<ContainersFeature, 'engineStatus' | 'store' | 'engines'>;

/** What /metrics reads into its gauges: engine, containers by state, group statuses, running usage. */
export interface MetricsView {
  containers: Pick<ContainersFeature, 'engines' | 'countsByState'> & { stats: Pick<ContainersFeature['stats'], 'running'> };
  groups: Pick<GroupService, 'statuses'>;
}
