import type { FastifyBaseLogger } from 'fastify';
import { SYSTEM_PRINCIPAL } from '../access/principal.js';
import type { LogFollow } from '../containers/logs/log-follow.js';
import type { LogService } from '../containers/logs/logs.js';
import type { LogLine } from '../containers/schemas.js';
import type { ContainerReader } from '../containers/store-reader.js';
import type { AlertCenter } from './alert-center.js';
import { containerSubject, inScope } from './scope.js';
import type { Watcher } from './watcher.js';

function splitKey(ref: string): [string, string] {
  const at = ref.indexOf(':');
  return [ref.slice(0, at), ref.slice(at + 1)];
}

/** Only this much of a line is matched: with RE2's linear time, a line's cost is bounded by it. */
export const MATCH_MAX_CHARS = 4096;

/**
 * log.match: follows the logs of the running containers in the rules' scopes (new lines
 * only, at most ALERT_LOG_FOLLOWERS containers at once) and matches each line, cut to
 * MATCH_MAX_CHARS, with RE2 (linear time: no pattern can backtrack catastrophically).
 * Fires at the first matching line; more matches keep it firing; it clears once no line
 * matched for the rule's `resolveAfter` (default 5m).
 */
export function watchLogs(center: AlertCenter, store: ContainerReader, logs: LogService, maxFollowers: number, log: FastifyBaseLogger): Watcher {
  const rules = center.rules.rules.filter((r) => r.when === 'log.match');
  if (rules.length === 0) return { stop: () => undefined };
  const followers = new Map<string, LogFollow>();
  const opening = new Set<string>();
  const lastMatch = new Map<string, number>();
  const resumeFrom = new Map<string, number>();
  const watchingSince = Date.now();
  let stopped = false;
  let warned = false;
  let scheduled = false;

  /** `ref` is `{engine}:{id}`: followers are keyed by it, the same id could be on two engines. */
  const onLine = (ref: string, line: LogLine) => {
    const [engine, id] = splitKey(ref);
    const c = store.summary(id, undefined, engine);
    if (!c) return;
    const text = line.text.length > MATCH_MAX_CHARS ? line.text.slice(0, MATCH_MAX_CHARS) : line.text;
    for (const rule of rules) {
      if (!inScope(rule, c) || !rule.pattern?.test(text)) continue;
      const subject = containerSubject(c);
      lastMatch.set(`${rule.name}\u0000${subject.key}`, Date.now());
      center.raise(rule, subject, `${c.name}: a log line matched /${rule.patternText}/`, { line: text.slice(0, 500), stream: line.stream });
    }
  };

  const open = async (ref: string) => {
    const [engine, id] = splitKey(ref);
    opening.add(ref);
    try {
      // From its start (lines written before the follower was attached count), but nothing from before this
      // watcher began or that an earlier follower of it read. Whole seconds: the engine reads a fraction as nanoseconds.
      const started = Date.parse(store.record(id, engine)?.startedAt ?? '') || 0;
      const since = Math.max(started, watchingSince, resumeFrom.get(ref) ?? 0) / 1000;
      const follow = await logs.follow(ref, { tail: 1000, since: String(Math.floor(since)) }, SYSTEM_PRINCIPAL);
      if (stopped) return follow.close();
      followers.set(ref, follow);
      follow.on('line', (line) => onLine(ref, line));
      void follow.done.then(() => {
        resumeFrom.set(ref, Date.now());
        if (followers.get(ref) === follow) followers.delete(ref);
        schedule();
      });
    } catch {
      // Gone or stopped meanwhile: the next change looks again.
    } finally {
      opening.delete(ref);
    }
  };

  const sync = () => {
    scheduled = false;
    if (stopped || !store.isSynced) return;
    const wanted = store.summaries().filter((c) => c.state === 'running' && rules.some((r) => inScope(r, c)));
    const refs = new Set(wanted.map((c) => `${c.engine}:${c.id}`));
    for (const [ref, follow] of followers) {
      if (!refs.has(ref)) {
        follow.close();
        followers.delete(ref);
      }
    }
    for (const c of wanted) {
      const ref = `${c.engine}:${c.id}`;
      if (followers.has(ref) || opening.has(ref)) continue;
      if (followers.size + opening.size >= maxFollowers) {
        if (!warned) log.warn(`log.match: more than ALERT_LOG_FOLLOWERS=${maxFollowers} containers in scope; the others' logs are not watched`);
        warned = true;
        break;
      }
      void open(ref);
    }
  };

  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(sync);
  };
  store.on('change', schedule);
  store.on('synced', schedule);
  schedule();
  return {
    tick(now) {
      for (const rule of rules) {
        for (const alert of center.firingOf(rule)) {
          const last = lastMatch.get(`${rule.name}\u0000${alert.subject}`) ?? Date.parse(alert.firedAt);
          if (now - last >= rule.resolveAfterMs) center.clear(rule, alert.subject, `no matching line for ${rule.resolveAfterMs / 1000}s`);
        }
      }
    },
    stop() {
      stopped = true;
      store.off('change', schedule);
      store.off('synced', schedule);
      for (const follow of followers.values()) follow.close();
      followers.clear();
    },
  };
}
