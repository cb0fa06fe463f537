import { appError, isAppError } from '../errors.js';
import { canSee, type Viewer } from '../access/principal.js';
import { parseRef } from '../containers/container-resolver.js';
import type { ContainerReader, ContainersFeature } from '../containers/feature.js';
import { parseTimeParam } from '../containers/logs/time-params.js';
import type { GroupService } from '../groups/group-service.js';
import type { HistoryPoint, HistoryStore, SeriesRow } from './history-store.js';
import { ANY_ENGINE } from './rounds.js';
import type { HistoryQuery, HistoryPointView, HistoryView } from './schemas.js';
import { parseResolution, pickTier } from './tiers.js';

/** Buckets one answer may hold: a week at 1 min is 10,080; a day at 10 s is 8,640. */
export const MAX_POINTS = 20_000;
const DEFAULT_RANGE_MS = 3_600_000;

function view(p: HistoryPoint): HistoryPointView {
  const out: HistoryPointView = { time: new Date(p.time).toISOString(), cpuPercent: p.cpuPercent, memoryBytes: p.memoryBytes };
  if (p.memoryLimit !== null) out.memoryLimit = p.memoryLimit;
  if (p.netRxBytesPerSec !== null) out.netRxBytesPerSec = p.netRxBytesPerSec;
  if (p.netTxBytesPerSec !== null) out.netTxBytesPerSec = p.netTxBytesPerSec;
  return out;
}

/**
 * Reads the history of one container or one group, as far as the caller may see it: a
 * container resolves like on every container route (hidden ones do not exist), a group
 * like on the group routes. A container that is gone is found by its recorded id or name
 * and shown only when the groups it had let the caller see it.
 */
export class HistoryService {
  constructor(
    private readonly store: HistoryStore,
    private readonly containers: Pick<ContainersFeature['containers'], 'resolve'>,
    private readonly reader: Pick<ContainerReader, 'summary'>,
    private readonly groups: Pick<GroupService, 'definition'>,
    private readonly now: () => number = Date.now,
  ) {}

  async query(q: HistoryQuery, viewer: Viewer): Promise<HistoryView> {
    if ((q.container === undefined) === (q.group === undefined)) {
      throw appError('VALIDATION_ERROR', 'Give exactly one of container or group');
    }
    const now = this.now();
    const until = q.until === undefined ? now : Math.round(parseTimeParam('until', q.until, now) * 1000);
    const since = q.since === undefined ? until - DEFAULT_RANGE_MS : Math.round(parseTimeParam('since', q.since, now) * 1000);
    if (since > until) throw appError('VALIDATION_ERROR', 'since must not be after until');
    const resolution = parseResolution(q.resolution ?? 'auto');
    const tiers = this.store.tiers;
    const tier = resolution === undefined ? undefined : pickTier(tiers, since, now, resolution);
    if (tier === undefined) {
      throw appError('VALIDATION_ERROR', `resolution must be auto or one of ${tiers.map((t) => `${t.widthMs}ms`).join(', ')}`);
    }
    const widthMs = tiers[tier]?.widthMs ?? 1;
    if ((until - since) / widthMs > MAX_POINTS) {
      throw appError('VALIDATION_ERROR', `The range holds more than ${MAX_POINTS} buckets of ${widthMs} ms: narrow it or ask for a coarser resolution`);
    }
    const range = { resolutionMs: widthMs, since: new Date(since).toISOString(), until: new Date(until).toISOString() };
    // A bucket whose start lies before `since` still holds samples from within the range.
    const from = Math.floor(since / widthMs) * widthMs;
    if (q.group !== undefined) {
      const group = this.groups.definition(q.group, viewer);
      const series = this.store.series('group', ANY_ENGINE, group.name);
      return { group: group.name, ...range, points: series ? this.store.points(series.id, tier, from, until).map(view) : [] };
    }
    const { series, live, id, name, engine } = await this.container(q.container as string, viewer);
    return { container: { id, name, engine, live }, ...range, points: series ? this.store.points(series.id, tier, from, until).map(view) : [] };
  }

  private async container(ref: string, viewer: Viewer): Promise<{ series: SeriesRow | undefined; live: boolean; id: string; name: string; engine: string }> {
    try {
      const c = await this.containers.resolve(ref, viewer);
      const engine = (c as { engine?: string }).engine ?? 'local';
      return { series: this.store.series('container', engine, c.id), live: true, id: c.id, name: c.name, engine };
    } catch (err) {
      if (!isAppError(err) || err.code !== 'CONTAINER_NOT_FOUND') throw err;
      const gone = this.gone(ref, viewer);
      if (!gone) throw err;
      return { series: gone, live: false, id: gone.key, name: gone.name, engine: gone.engine };
    }
  }

  /**
   * A recorded container that no longer exists, by exact id, then exact name (the newest
   * such), then a unique id prefix, on the engine the reference names if it names one
   * (`e2:<id>`). Fails closed: an engine the caller may not see hides its history, and a
   * container that still exists but is hidden from the caller never falls through to its
   * recorded (maybe older) groups.
   */
  private gone(qualified: string, viewer: Viewer): SeriesRow | undefined {
    // `{engine}:{id-or-name}` looks on that engine only; an engine the caller may not see has nothing to show.
    const { engine, ref } = parseRef(qualified);
    const candidates = this.store
      .containersMatching(ref)
      .filter((s) => (engine === undefined || s.engine === engine) && !this.reader.summary(s.key, undefined, s.engine));
    const found =
      candidates.find((s) => s.key === ref) ??
      candidates.find((s) => s.name === ref) ??
      (candidates.length === 1 && candidates[0]?.key.startsWith(ref) ? candidates[0] : undefined);
    if (!found || !canSee(viewer, { engine: found.engine, groups: found.groups })) return undefined;
    return found;
  }
}
