import { canSeeGroup, type Viewer } from '../access/principal.js';
import type { ContainerService } from '../containers/container-service.js';
import type { LogService } from '../containers/logs/logs.js';
import { parseTimeParam } from '../containers/logs/time-params.js';
import { appError } from '../errors.js';
import type { GroupCatalog } from '../groups/catalog.js';
import { EngineSlots, OpenReads } from './engine-slots.js';
import { compileMatcher } from './matcher.js';
import type { LogSearchQuery, LogSearchSummary, SearchContainer } from './schemas.js';
import { SearchRun, type SearchOutput, type SearchPlan } from './search-run.js';
import { selectTargets } from './targets.js';
import { nanosFromIso, nanosFromSeconds, type Nanos } from './time-range.js';

export interface LogSearchSettings {
  /** Engine log reads at a time per engine, over every search. */
  concurrency: number;
  /** How long one search may run; past it the result is partial (timedOut). */
  timeoutMs: number;
}

/**
 * A since/until as the logs routes take it; an RFC 3339 time with a fraction keeps all of it
 * (a match's own timestamp given back as until includes that match, to the nanosecond).
 */
function timeParam(name: string, value: string, now: number): Nanos {
  return nanosFromIso(value.trim()) ?? nanosFromSeconds(parseTimeParam(name, value, now));
}

/** What a search reads: the containers feature's services and store, the groups feature's catalog. */
export interface LogSearchSources {
  containers: Pick<ContainerService, 'visible'>;
  logs: Pick<LogService, 'body'>;
  catalog: Pick<GroupCatalog, 'get'>;
  store: { ready(): Promise<void> };
}

/** The metrics a search moves. */
export interface LogSearchCounters {
  started(): void;
  scanned(lines: number): void;
}

/** A checked search, ready to run: everything a caller could get wrong was refused before. */
export interface PreparedSearch {
  containers: SearchContainer[];
  order: 'newest' | 'oldest';
  /** Starts it; `cancel()` on the run stops it (the client left). */
  start(out: SearchOutput): { cancel(): void; done: Promise<LogSearchSummary> };
}

/**
 * Log search across a set of containers, server-side, over the engine's own logs (no copy
 * is kept): the set is a service group, a compose project, a name glob, or everything the
 * caller may see, and never a container outside the caller's groups.
 */
export class LogSearchService {
  /** Engine log reads open now: the gauge, and what tests watch to see a cancel let go. */
  readonly reads = new OpenReads();
  private readonly slots: EngineSlots;

  constructor(
    private readonly sources: LogSearchSources,
    private readonly settings: LogSearchSettings,
    private readonly counters: LogSearchCounters = { started: () => undefined, scanned: () => undefined },
  ) {
    this.slots = new EngineSlots(settings.concurrency);
  }

  /**
   * Checks the query (pattern, time range, group) and picks the containers; throws a coded
   * error (400, 404) before anything is streamed.
   */
  async prepare(query: LogSearchQuery, viewer: Viewer, now = Date.now()): Promise<PreparedSearch> {
    const matcher = compileMatcher(query.q, { regex: query.regex, caseSensitive: query.case });
    const since = query.since !== undefined ? timeParam('since', query.since, now) : undefined;
    const until = query.until !== undefined ? timeParam('until', query.until, now) : nanosFromSeconds(now / 1000);
    if (since !== undefined && since > until) throw appError('VALIDATION_ERROR', 'since must not be after until');
    // A group the caller may not see is "no such group", exactly as the group routes answer.
    if (query.group !== undefined && (!this.sources.catalog.get(query.group) || !canSeeGroup(viewer, query.group))) {
      throw appError('GROUP_NOT_FOUND', `No service group named ${query.group}`);
    }
    await this.sources.store.ready();
    const targets = selectTargets(this.sources.containers.visible(viewer), query);
    const plan: SearchPlan = { matcher, targets, since, until, order: query.order, limit: query.limit, viewer };
    return {
      containers: targets.map(({ id, name, engine }) => ({ id, name, engine })),
      order: query.order,
      start: (out) => {
        this.counters.started();
        const deps = { logs: this.sources.logs, slots: this.slots, reads: this.reads, timeoutMs: this.settings.timeoutMs, onScanned: this.counters.scanned };
        const run = new SearchRun(deps, plan, out);
        return { cancel: () => run.cancel(), done: run.run() };
      },
    };
  }
}
