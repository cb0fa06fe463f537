import type { ContainerRecord } from '../docker/container-record.js';
import type { ContainerDetails, ContainerSummary, HealthStatus } from './schemas.js';

export type { ContainerDetails, ContainerSummary, HealthStatus };

/** Like the docker CLI's (go-units HumanDuration): "5 minutes", "About an hour". */
export function humanDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** The docker ps STATUS column, rebuilt from a container record at `now`. */
export function statusText(r: ContainerRecord, now: number): string {
  const since = (t: string | null) => humanDuration(Math.max(0, now - (t ? Date.parse(t) : now)));
  if (r.restarting) return `Restarting (${r.exitCode}) ${since(r.finishedAt)} ago`;
  if (r.running) {
    const h = r.health?.status ?? 'none';
    const suffix = h === 'none' ? '' : h === 'starting' ? ' (health: starting)' : ` (${h})`;
    return `Up ${since(r.startedAt)}${r.paused ? ' (Paused)' : ''}${suffix}`;
  }
  if (r.state === 'created') return 'Created';
  if (r.state === 'removing') return 'Removal In Progress';
  if (r.state === 'dead') return 'Dead';
  return r.finishedAt ? `Exited (${r.exitCode}) ${since(r.finishedAt)} ago` : `Exited (${r.exitCode})`;
}

/**
 * Until when statusText(r, now) stays the same (ms since the epoch; Infinity when it never
 * moves on). Every duration the text shows is a function of whole seconds rounded from the
 * elapsed milliseconds, so the text can only change where that rounding steps: at the
 * next half second past the reference time.
 */
export function statusValidUntil(r: ContainerRecord, now: number): number {
  const fixed = !r.restarting && !r.running && (r.state === 'created' || r.state === 'removing' || r.state === 'dead');
  const since = fixed ? null : r.restarting ? r.finishedAt : r.running ? r.startedAt : r.finishedAt;
  const start = since ? Date.parse(since) : NaN;
  if (Number.isNaN(start)) return Number.POSITIVE_INFINITY;
  const elapsed = Math.max(0, now - start);
  return start + Math.floor((elapsed + 500) / 1000) * 1000 + 500;
}

/** Full details of a container; env values only when `showEnvValues`. */
export function detailsFromRecord(r: ContainerRecord, showEnvValues: boolean, now = Date.now(), groupsOf: GroupsOf = NO_GROUPS): ContainerDetails {
  const lastCheck = r.health?.log.at(-1);
  return {
    ...summaryFromRecord(r, now, groupsOf),
    running: r.running,
    paused: r.paused,
    restarting: r.restarting,
    oomKilled: r.oomKilled,
    dead: r.dead,
    pid: r.pid,
    exitCode: r.exitCode,
    error: r.error,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    healthcheck: r.health ? { failingStreak: r.health.failingStreak, lastOutput: lastCheck?.output.trim().slice(0, 4096) ?? null } : null,
    restartCount: r.restartCount,
    restartPolicy: r.restartPolicy,
    tty: r.tty,
    mounts: r.mounts.map((m) => ({ ...m })),
    networks: r.networks.map((n) => ({ ...n })),
    env: r.env.map(({ name, value }) => (showEnvValues ? { name, value } : { name })),
  };
}

/** Names the groups a container belongs to (first = its primary group). */
export type GroupsOf = (c: Omit<ContainerSummary, 'group' | 'groups'>) => string[];
const NO_GROUPS: GroupsOf = () => [];

/** The list view of a container, from its record (the store keeps records). */
export function summaryFromRecord(r: ContainerRecord, now: number, groupsOf: GroupsOf = NO_GROUPS): ContainerSummary {
  const view = baseSummary(r, now);
  const groups = groupsOf(view);
  return { ...view, group: groups[0] ?? null, groups };
}

function baseSummary(r: ContainerRecord, now: number): Omit<ContainerSummary, 'group' | 'groups'> {
  return {
    engine: r.engine,
    id: r.id,
    name: r.name,
    image: r.image,
    imageId: r.imageId,
    command: r.command,
    created: r.created,
    state: r.state,
    status: statusText(r, now),
    health: r.health?.status ?? 'none',
    ports: r.ports.map((p) => ({ ...p })),
    labels: r.labels,
    composeProject: r.composeProject,
    composeService: r.composeService,
  };
}
