import type { EngineContainerDetails, EngineContainerSummary } from '../docker/types.js';
import type { ContainerDetails, ContainerSummary, HealthStatus, PortBinding } from '../schemas/containers.js';

export type { ContainerDetails, ContainerSummary, HealthStatus };

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The engine's list status text carries health: "Up 3 minutes (healthy)". */
export function healthFromStatusText(status: string): HealthStatus {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(health: starting)')) return 'starting';
  return 'none';
}

export function containerName(names: string[]): string {
  return (names[0] ?? '').replace(/^\//, '');
}

export function summaryFromEngine(c: EngineContainerSummary): ContainerSummary {
  const labels = c.Labels ?? {};
  return {
    id: c.Id,
    name: containerName(c.Names),
    image: c.Image,
    imageId: c.ImageID,
    command: c.Command,
    created: new Date(c.Created * 1000).toISOString(),
    state: c.State,
    status: c.Status,
    health: healthFromStatusText(c.Status),
    ports: (c.Ports ?? []).map((p) => ({
      privatePort: p.PrivatePort,
      protocol: p.Type,
      ...(p.IP !== undefined ? { hostIp: p.IP } : {}),
      ...(p.PublicPort !== undefined ? { publicPort: p.PublicPort } : {}),
    })),
    labels,
    composeProject: labels[COMPOSE_PROJECT] ?? null,
    composeService: labels[COMPOSE_SERVICE] ?? null,
  };
}

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

/** The docker CLI's status column, rebuilt from inspect data (list and details agree). */
function statusText(d: EngineContainerDetails): string {
  const s = d.State;
  if (s.Running) {
    const h = healthOf(d);
    const suffix = h === 'none' ? '' : h === 'starting' ? ' (health: starting)' : ` (${h})`;
    return `${s.Paused ? 'Up (Paused)' : 'Up'} since ${s.StartedAt}${suffix}`;
  }
  if (s.Status === 'created') return 'Created';
  return `Exited (${s.ExitCode})${time(s.FinishedAt) ? ` at ${s.FinishedAt}` : ''}`;
}

export function detailsFromEngine(d: EngineContainerDetails, showEnvValues: boolean): ContainerDetails {
  const labels = d.Config.Labels ?? {};
  const lastCheck = d.State.Health?.Log?.at(-1);
  return {
    id: d.Id,
    name: d.Name.replace(/^\//, ''),
    image: d.Config.Image,
    imageId: d.Image,
    command: [...(Array.isArray(d.Config.Entrypoint) ? d.Config.Entrypoint : d.Config.Entrypoint ? [d.Config.Entrypoint] : []), ...(d.Config.Cmd ?? [])].join(' '),
    created: d.Created,
    state: d.State.Status,
    status: statusText(d),
    health: healthOf(d),
    ports: portsFromDetails(d.NetworkSettings.Ports),
    labels,
    composeProject: labels[COMPOSE_PROJECT] ?? null,
    composeService: labels[COMPOSE_SERVICE] ?? null,
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
