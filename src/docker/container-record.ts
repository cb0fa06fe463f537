import type { EngineContainerDetails, EngineContainerSummary } from './types.js';

/**
 * A container as this service knows it: the engine's inspect JSON mapped once, here, into
 * our own names and shapes. Everything above docker/ (store, views, services, group runner)
 * reads these records and never the engine's JSON, so an engine API change stays in here.
 */
export interface ContainerRecord {
  /** The name of the engine it runs on (`local` when there is one engine). */
  engine: string;
  id: string;
  /** Without the engine's leading slash. */
  name: string;
  /** The image as the container was created from it (e.g. `postgres:16`). */
  image: string;
  /** The image's id (sha256:…). */
  imageId: string;
  /** Entrypoint and command, joined by spaces. */
  command: string;
  created: string;
  /** created, restarting, running, removing, paused, exited or dead. */
  state: string;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  oomKilled: boolean;
  dead: boolean;
  pid: number;
  exitCode: number;
  error: string;
  /** ISO 8601; null when it never started (the engine's zero time). */
  startedAt: string | null;
  /** ISO 8601; null when it never finished. */
  finishedAt: string | null;
  /** Null when the container has no healthcheck. */
  health: RecordHealth | null;
  restartCount: number;
  /** The restart policy's name; 'no' when none is set. */
  restartPolicy: string;
  tty: boolean;
  labels: Record<string, string>;
  composeProject: string | null;
  composeService: string | null;
  ports: RecordPort[];
  mounts: RecordMount[];
  networks: { name: string; ipAddress: string }[];
  /** Split at the first `=`; an entry without one has an empty value. */
  env: { name: string; value: string }[];
}

export type RecordHealthStatus = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface RecordHealth {
  /** 'none' for a status this service does not know. */
  status: RecordHealthStatus;
  failingStreak: number;
  /** The engine's last check results (it keeps a few), oldest first. */
  log: { start: string; end: string; exitCode: number; output: string }[];
}

export interface RecordPort {
  privatePort: number;
  protocol: string;
  hostIp?: string;
  publicPort?: number;
}

export interface RecordMount {
  type: string;
  name?: string;
  source: string;
  destination: string;
  mode: string;
  readWrite: boolean;
}

/** A line of the container list: just enough to tell whether a stored record is stale. */
export interface ContainerListing {
  id: string;
  name: string;
  state: string;
  /** The engine's status text (`Up 5 minutes (healthy)`). */
  status: string;
}

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';
const ZERO_TIME = '0001-01-01T00:00:00Z';

function time(value: string): string | null {
  return !value || value === ZERO_TIME ? null : value;
}

export function recordFromEngine(d: EngineContainerDetails, engine = 'local'): ContainerRecord {
  const s = d.State;
  const labels = d.Config.Labels ?? {};
  const entrypoint = Array.isArray(d.Config.Entrypoint) ? d.Config.Entrypoint : d.Config.Entrypoint ? [d.Config.Entrypoint] : [];
  return {
    engine,
    id: d.Id,
    name: d.Name.replace(/^\//, ''),
    image: d.Config.Image,
    imageId: d.Image,
    command: [...entrypoint, ...(d.Config.Cmd ?? [])].join(' '),
    created: d.Created,
    state: s.Status,
    running: s.Running,
    paused: s.Paused,
    restarting: s.Restarting,
    oomKilled: s.OOMKilled,
    dead: s.Dead,
    pid: s.Pid,
    exitCode: s.ExitCode,
    error: s.Error,
    startedAt: time(s.StartedAt),
    finishedAt: time(s.FinishedAt),
    health: s.Health
      ? {
          status: healthStatus(s.Health.Status),
          failingStreak: s.Health.FailingStreak,
          log: (s.Health.Log ?? []).map((l) => ({ start: l.Start, end: l.End, exitCode: l.ExitCode, output: l.Output })),
        }
      : null,
    restartCount: d.RestartCount,
    restartPolicy: d.HostConfig.RestartPolicy?.Name || 'no',
    tty: d.Config.Tty,
    labels,
    composeProject: labels[COMPOSE_PROJECT] ?? null,
    composeService: labels[COMPOSE_SERVICE] ?? null,
    ports: portsOf(d.NetworkSettings.Ports),
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
      return eq === -1 ? { name: entry, value: '' } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
    }),
  };
}

function healthStatus(status: string): RecordHealthStatus {
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

function portsOf(ports: EngineContainerDetails['NetworkSettings']['Ports']): RecordPort[] {
  const out: RecordPort[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [port, protocol = 'tcp'] = key.split('/');
    const privatePort = Number(port);
    if (!bindings || bindings.length === 0) out.push({ privatePort, protocol });
    else for (const b of bindings) out.push({ privatePort, protocol, hostIp: b.HostIp, publicPort: Number(b.HostPort) });
  }
  return out;
}

/** Whether a re-inspect shows nothing a viewer would notice (a resync then publishes no change). */
export function sameState(a: ContainerRecord, b: ContainerRecord): boolean {
  return a.state === b.state && a.startedAt === b.startedAt && a.health?.status === b.health?.status && a.name === b.name;
}

export function listingFromEngine(c: EngineContainerSummary): ContainerListing {
  return { id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), state: c.State, status: c.Status };
}
