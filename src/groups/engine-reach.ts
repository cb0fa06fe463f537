import { canSeeEngine, type Viewer } from '../access/principal.js';
import type { ContainerSummary } from '../containers/container-view.js';
import type { GroupCatalog } from './catalog.js';

/** True when a group of the chain has a member on an engine the viewer may not see (the run is refused without naming it). */
export function membersOnHiddenEngines(catalog: GroupCatalog, all: readonly ContainerSummary[], chain: readonly string[], viewer: Viewer): boolean {
  return chain.some((name) => {
    const definition = catalog.get(name);
    return definition !== undefined && catalog.membersOf(definition, all).some((m) => !canSeeEngine(viewer, m.container.engine));
  });
}
