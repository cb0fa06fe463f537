import type { Viewer } from '../access/principal.js';
import type { LogService } from '../containers/logs/logs.js';
import type { LogLine } from '../containers/logs/log-read.js';
import { isAppError } from '../errors.js';
import type { EngineSlots, OpenReads } from './engine-slots.js';
import type { LineMatcher } from './matcher.js';
import { NewestMatches } from './newest-matches.js';
import { scanLogBody } from './scan.js';
import type { LogSearchMatch, LogSearchSummary, SearchContainer } from './schemas.js';
import { backwardWindows, engineTime, nanosFromIso, sortKey, type Nanos } from './time-range.js';

/** One container to search, with the earliest time its logs can hold a line. */
export interface SearchTarget extends SearchContainer {
  floor: Nanos;
}

export interface SearchPlan {
  matcher: LineMatcher;
  targets: SearchTarget[];
  since?: Nanos;
  /** The newest time searched (a newest-first search starts there; default: when it started). */
  until: Nanos;
  order: 'newest' | 'oldest';
  limit: number;
  viewer: Viewer;
}

/** Lines read first from the end of each log in a newest-first search (see SearchRun.tails). */
export const TAIL_LINES = 20_000;

/** A match kept for a newest-first merge. */
interface Kept {
  key: string;
  target: SearchTarget;
  line: LogLine;
}

/** Where matches go: the response, as its reader takes them. */
export interface SearchOutput {
  match(match: LogSearchMatch): void;
  /** A promise while the reader is behind (the search waits for it), else undefined. */
  backpressure(): Promise<void> | undefined;
}

export interface SearchDeps {
  logs: Pick<LogService, 'body'>;
  slots: EngineSlots;
  reads: OpenReads;
  timeoutMs: number;
  /** Each line read (for the lines-scanned counter). */
  onScanned?: (lines: number) => void;
}

/**
 * One search: reads the targets' logs from the engine (bounded per engine by the slots),
 * matches line by line, and writes matches out as they are found until the limit, the
 * deadline, or `cancel()` (the client left) stops it; every engine read still open is
 * then destroyed. Oldest first, each container's matches come in its time order as read,
 * containers interleaved. Newest first, the last lines of every log come first (tails), then
 * time is read backwards in windows (see backwardWindows): each window is read for every
 * container, its newest matches (at most what the limit still allows) are merged and sent
 * newest first, then the window before it.
 */
export class SearchRun {
  private readonly controller = new AbortController();
  /** Settles when the search stops: a wait for a slow reader must not outlive it. */
  private readonly over = new Promise<void>((resolve) => this.controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  private readonly started = performance.now();
  private matches = 0;
  private linesScanned = 0;
  private truncated = false;
  private timedOut = false;
  private readonly failed: LogSearchSummary['failed'] = [];
  /** Containers whose read failed: reported once, not read again. */
  private readonly failedIds = new Set<string>();

  constructor(
    private readonly deps: SearchDeps,
    private readonly plan: SearchPlan,
    private readonly out: SearchOutput,
  ) {}

  /** The client went away: stop reading. */
  cancel(): void {
    this.controller.abort(new Error('cancelled'));
  }

  private get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  async run(): Promise<LogSearchSummary> {
    const deadline = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('timed out'));
    }, this.deps.timeoutMs);
    try {
      if (this.plan.order === 'oldest') await this.oldestFirst();
      else await this.newestFirst();
    } finally {
      clearTimeout(deadline);
      this.controller.abort(new Error('done')); // nothing may outlive the search
    }
    return {
      containers: this.plan.targets.length,
      linesScanned: this.linesScanned,
      matches: this.matches,
      truncated: this.truncated,
      timedOut: this.timedOut,
      failed: this.failed,
      durationMs: Math.round(performance.now() - this.started),
    };
  }

  private async oldestFirst(): Promise<void> {
    const { since, until, matcher } = this.plan;
    await Promise.all(
      this.plan.targets.map((target) =>
        this.read(target, since, until, (line) => {
          if (matcher(line.text)) this.send(target, line);
          return !this.stopped;
        }),
      ),
    );
  }

  private async newestFirst(): Promise<void> {
    const { since, until, matcher, targets } = this.plan;
    if (targets.length === 0) return;
    const tailStart = await this.tails();
    if (this.stopped || tailStart === 'all') return;
    await this.paced();
    const floor = targets.reduce((low, t) => (t.floor < low ? t.floor : low), until);
    const to = tailStart === undefined ? until : tailStart - 1n;
    for (const window of backwardWindows(to, since !== undefined && since > floor ? since : floor)) {
      if (this.stopped) return;
      const newest = new NewestMatches<Kept>(this.plan.limit - this.matches);
      const active = targets.filter((t) => t.floor <= window.to);
      await Promise.all(
        active.map((target) =>
          this.read(target, window.from, window.to, (line) => {
            if (matcher(line.text)) newest.push({ key: sortKey(line.timestamp ?? ''), target, line });
            return !this.stopped;
          }),
        ),
      );
      // A window cut short (deadline, client gone) is incomplete: its matches would not be the newest ones.
      if (this.stopped) return;
      for (const m of newest.takeNewestFirst()) this.send(m.target, m.line);
      if (this.stopped) return;
      await this.paced();
    }
  }

  /**
   * The newest part of the range first, cheaply: the last TAIL_LINES lines of every log (the
   * engine reads a tail from the end of the file, where a window scans from its start). Each
   * tail covers the time from its first line to `until`; the latest of those first lines,
   * over all containers, is where every tail still covers: the matches from there on are sent
   * newest first, and the windows go on below it. Returns that time; 'all' when every log is
   * empty; undefined when a tail proves nothing (no line in range at the end of a log that has
   * lines: they may all be after `until`), and the windows then start at `until`.
   */
  private async tails(): Promise<Nanos | 'all' | undefined> {
    const { since, until, matcher, targets } = this.plan;
    const newest = new NewestMatches<Kept>(this.plan.limit);
    const firsts = new Map<SearchTarget, string>();
    const tail = (target: SearchTarget) =>
      this.read(
        target,
        since,
        until,
        (line) => {
          const key = sortKey(line.timestamp ?? '');
          if (!firsts.has(target)) firsts.set(target, key);
          if (matcher(line.text)) newest.push({ key, target, line });
          return !this.stopped;
        },
        TAIL_LINES,
      );
    await Promise.all(targets.map(tail));
    let start = '';
    for (const target of targets) {
      const first = firsts.get(target);
      if (first === undefined && !(await this.isEmpty(target))) return undefined;
      if (first !== undefined && first > start) start = first;
    }
    if (this.stopped) return undefined;
    if (start === '') return 'all';
    for (const m of newest.takeNewestFirst()) if (m.key >= start) this.send(m.target, m.line);
    return nanosFromIso(`${start}Z`);
  }

  /** Whether a container has written no log line at all (one line from the end, whatever its time). */
  private async isEmpty(target: SearchTarget): Promise<boolean> {
    let lines = 0;
    await this.read(target, undefined, undefined, () => (lines++, false), 1);
    return lines === 0 && !this.stopped;
  }

  /** The reader's backpressure, given up as soon as the search stops. */
  private paced(): Promise<void> | undefined {
    if (this.stopped) return undefined;
    const wait = this.out.backpressure();
    return wait && Promise.race([wait, this.over]);
  }

  private send(target: SearchTarget, line: LogLine): void {
    if (this.stopped) return;
    this.matches++;
    const match: LogSearchMatch = {
      container: { id: target.id, name: target.name, engine: target.engine },
      stream: line.stream,
      timestamp: line.timestamp ?? '',
      line: line.text,
    };
    if (line.truncated) match.truncated = true;
    this.out.match(match);
    if (this.matches >= this.plan.limit) {
      this.truncated = true;
      this.controller.abort(new Error('limit reached'));
    }
  }

  /**
   * Reads one container's logs over [from, to] (inclusive; with `tail`, only the last lines
   * of the log, then filtered to the range) into `onLine`, within a slot of its engine; a failure is noted for the summary and the search goes on with the others.
   */
  private async read(target: SearchTarget, from: Nanos | undefined, to: Nanos | undefined, onLine: (line: LogLine) => boolean, tail = -1): Promise<void> {
    const { signal } = this.controller;
    if (this.failedIds.has(target.id)) return;
    let release: (() => void) | undefined;
    try {
      release = await this.deps.slots.acquire(target.engine, signal);
      if (signal.aborted) return;
      const options = { tail, since: from !== undefined ? engineTime(from) : undefined, until: to !== undefined ? engineTime(to) : undefined, timestamps: true };
      // Engine-qualified: the same id or name may exist on another engine.
      const { body, tty } = await this.deps.logs.body(`${target.engine}:${target.id}`, options, this.plan.viewer);
      this.deps.reads.opened();
      const closed = new Promise<void>((resolve) => body.once('close', resolve)).then(() => this.deps.reads.closed());
      const stop = () => void body.destroy();
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop, { once: true });
      let scanned = 0;
      try {
        await scanLogBody(
          body,
          tty,
          (line) => {
            scanned++;
            return onLine(line);
          },
          () => this.paced(),
        );
      } finally {
        signal.removeEventListener('abort', stop);
        body.destroy();
        // The search is over only once the engine's connection really let go.
        await closed;
        this.linesScanned += scanned;
        this.deps.onScanned?.(scanned);
      }
    } catch (err) {
      if (signal.aborted || this.failedIds.has(target.id)) return; // cancelled, timed out or done: the stream's end is not a failure
      this.failedIds.add(target.id);
      this.failed.push({ container: { id: target.id, name: target.name, engine: target.engine }, code: isAppError(err) ? err.code : 'DOCKER_ERROR' });
    } finally {
      release?.();
    }
  }
}
