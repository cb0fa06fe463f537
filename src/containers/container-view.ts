import type { EngineContainerDetails } from '../docker/types.js';
import type { ContainerDetails, ContainerSummary, HealthStatus, PortBinding } from './schemas.js';

export type { ContainerDetails, ContainerSummary, HealthStatus };

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';
const ZERO_TIME = '0001-01-01T00:00:00Z';

function time(value: string): string | null {
  return !value || value === ZERO_TIME ? null : value;
}

function portsFromDetails(ports: EngineContainerDetails['NetworkSettings']['Ports']): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [port, protocol = 'tcp'] = key.split('/');
    const privatePort = Number(port);
    if (!bindings || bindings.length === 0) out.push({ privatePort, protocol });
    else for (const b of bindings) out.push({ privatePort, protocol, hostIp: b.HostIp, publicPort: Number(b.HostPort) });
  }
  return out;
}

function healthOf(d: EngineContainerDetails): HealthStatus {
  const status = d.State.Health?.Status;
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

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

/** The docker ps STATUS column, rebuilt from inspect data at `now`. */
export function statusText(d: EngineContainerDetails, now: number): string {
  const s = d.State;
  const since = (t: string) => humanDuration(Math.max(0, now - Date.parse(t)));
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  if (s.Running) {
    const h = healthOf(d);
    const suffix = h === 'none' ? '' : h === 'starting' ? ' (health: starting)' : ` (${h})`;
    return `Up ${since(s.StartedAt)}${s.Paused ? ' (Paused)' : ''}${suffix}`;
  }
  if (s.Status === 'created') return 'Created';
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Status === 'dead') return 'Dead';
  return time(s.FinishedAt) ? `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago` : `Exited (${s.ExitCode})`;
}

export function detailsFromEngine(d: EngineContainerDetails, showEnvValues: boolean, now = Date.now(), groupsOf: GroupsOf = NO_GROUPS): ContainerDetails {
  const lastCheck = d.State.Health?.Log?.at(-1);
  return {
    ...summaryFromDetails(d, now, groupsOf),
    running: d.State.Running,
    paused: d.State.Paused,
    restarting: d.State.Restarting,
    oomKilled: d.State.OOMKilled,
    dead: d.State.Dead,
    pid: d.State.Pid,
    exitCode: d.State.ExitCode,
    error: d.State.Error,
    startedAt: time(d.State.StartedAt),
    finishedAt: time(d.State.FinishedAt),
    healthcheck: d.State.Health
      ? { failingStreak: d.State.Health.FailingStreak, lastOutput: lastCheck?.Output.trim().slice(0, 4096) ?? null }
      : null,
    restartCount: d.RestartCount,
    restartPolicy: d.HostConfig.RestartPolicy?.Name || 'no',
    tty: d.Config.Tty,
    mounts: (d.Mounts ?? []).map((m) => ({
      type: m.Type,
      ...(m.Name ? { name: m.Name } : {}),
      source: m.Source,
      destination: m.Destination,
      mode: m.Mode,
      readWrite: m.RW,
    })),
    networks: Object.entries(d.NetworkSettings.Networks ?? {}).map(([name, n]) => ({ name, ipAddress: n.IPAddress })),
    env: (d.Config.Env ?? []).map((entry) => {
      const eq = entry.indexOf('=');
      const name = eq === -1 ? entry : entry.slice(0, eq);
      return showEnvValues ? { name, value: eq === -1 ? '' : entry.slice(eq + 1) } : { name };
    }),
  };
}

/** Names the groups a container belongs to (first = its primary group). */
export type GroupsOf = (c: Omit<ContainerSummary, 'group' | 'groups'>) => string[];
const NO_GROUPS: GroupsOf = () => [];

/** The list view of a container, from inspect data (the store keeps inspect data). */
export function summaryFromDetails(d: EngineContainerDetails, now: number, groupsOf: GroupsOf = NO_GROUPS): ContainerSummary {
  const view = baseSummary(d, now);
  const groups = groupsOf(view);
  return { ...view, group: groups[0] ?? null, groups };
}

function baseSummary(d: EngineContainerDetails, now: number): Omit<ContainerSummary, 'group' | 'groups'> {
  const labels = d.Config.Labels ?? {};
  return {
    id: d.Id,
    name: d.Name.replace(/^\//, ''),
    image: d.Config.Image,
    imageId: d.Image,
    command: commandOf(d),
    created: d.Created,
    state: d.State.Status,
    status: statusText(d, now),
    health: healthOf(d),
    ports: portsFromDetails(d.NetworkSettings.Ports),
    labels,
    composeProject: labels[COMPOSE_PROJECT] ?? null,
    composeService: labels[COMPOSE_SERVICE] ?? null,
  };
}

function commandOf(d: EngineContainerDetails): string {
  const entrypoint = Array.isArray(d.Config.Entrypoint) ? d.Config.Entrypoint : d.Config.Entrypoint ? [d.Config.Entrypoint] : [];
  return [...entrypoint, ...(d.Config.Cmd ?? [])].join(' ');
}
