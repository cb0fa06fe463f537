/**
 * Swarm objects as the engine sends them (the fields we read, in the engine's spelling:
 * https://docs.docker.com/engine/api/v1.41/#tag/Service) and as this service keeps them.
 * The raw spec of a service is kept opaque: an update sends it back whole with one change.
 */

export interface EngineSwarmInfo {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; Cluster?: { ID?: string } };
}

interface EngineVersion {
  Index: number;
}

export interface EngineNode {
  ID: string;
  Version: EngineVersion;
  Spec: { Role?: string; Availability?: string; Labels?: Record<string, string>; Name?: string } & Record<string, unknown>;
  Description?: { Hostname?: string; Engine?: { EngineVersion?: string }; Resources?: { NanoCPUs?: number; MemoryBytes?: number } };
  Status?: { State?: string; Addr?: string; Message?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
}

export interface EngineServiceSpec extends Record<string, unknown> {
  Name: string;
  Labels?: Record<string, string>;
  Mode?: { Replicated?: { Replicas?: number }; Global?: object; ReplicatedJob?: object; GlobalJob?: object };
  TaskTemplate?: { ContainerSpec?: { Image?: string; TTY?: boolean }; ForceUpdate?: number } & Record<string, unknown>;
}

export interface EngineService {
  ID: string;
  Version: EngineVersion;
  CreatedAt?: string;
  UpdatedAt?: string;
  Spec: EngineServiceSpec;
  PreviousSpec?: EngineServiceSpec;
  Endpoint?: { Ports?: { Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }[] };
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string; CompletedAt?: string };
}

export interface EngineTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  CreatedAt?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Message?: string; Err?: string; Timestamp?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

/** What /info says of this engine's place in a swarm. */
export interface SwarmState {
  /** inactive, pending, active, error, locked */
  localNodeState: string;
  /** True on a manager: only managers list and change services and nodes. */
  manager: boolean;
  nodeId: string | null;
}

export interface SwarmNodeRecord {
  id: string;
  version: number;
  hostname: string;
  role: string;
  availability: string;
  state: string;
  address: string | null;
  message: string | null;
  leader: boolean;
  engineVersion: string | null;
  nanoCpus: number | null;
  memoryBytes: number | null;
  labels: Record<string, string>;
}

export interface SwarmPort {
  protocol: string;
  targetPort: number;
  publishedPort: number | null;
  publishMode: string;
}

export interface SwarmServiceRecord {
  id: string;
  version: number;
  name: string;
  /** com.docker.stack.namespace: the stack it was deployed with, if any. */
  stack: string | null;
  mode: 'replicated' | 'global' | 'replicated-job' | 'global-job';
  /** Replicas the spec asks for (replicated mode); null for the others. */
  replicas: number | null;
  image: string;
  tty: boolean;
  labels: Record<string, string>;
  ports: SwarmPort[];
  updateStatus: { state: string; message: string | null; startedAt: string | null; completedAt: string | null } | null;
  /** Whether there is a previous spec to roll back to. */
  hasPreviousSpec: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface SwarmTaskRecord {
  id: string;
  serviceId: string;
  nodeId: string | null;
  slot: number | null;
  state: string;
  desiredState: string;
  message: string | null;
  error: string | null;
  containerId: string | null;
  exitCode: number | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export const STACK_LABEL = 'com.docker.stack.namespace';

export function swarmStateFromInfo(info: EngineSwarmInfo): SwarmState {
  const s = info.Swarm ?? {};
  return { localNodeState: s.LocalNodeState || 'inactive', manager: s.LocalNodeState === 'active' && s.ControlAvailable === true, nodeId: s.NodeID || null };
}

export function nodeFromEngine(n: EngineNode): SwarmNodeRecord {
  return {
    id: n.ID,
    version: n.Version.Index,
    hostname: n.Description?.Hostname ?? n.Spec.Name ?? n.ID,
    role: n.Spec.Role ?? 'worker',
    availability: n.Spec.Availability ?? 'active',
    state: n.Status?.State ?? 'unknown',
    address: n.Status?.Addr || null,
    message: n.Status?.Message || null,
    leader: n.ManagerStatus?.Leader === true,
    engineVersion: n.Description?.Engine?.EngineVersion ?? null,
    nanoCpus: n.Description?.Resources?.NanoCPUs ?? null,
    memoryBytes: n.Description?.Resources?.MemoryBytes ?? null,
    labels: n.Spec.Labels ?? {},
  };
}

function modeOf(spec: EngineServiceSpec): SwarmServiceRecord['mode'] {
  const m = spec.Mode ?? {};
  if (m.Global) return 'global';
  if (m.ReplicatedJob) return 'replicated-job';
  if (m.GlobalJob) return 'global-job';
  return 'replicated';
}

export function serviceFromEngine(s: EngineService): SwarmServiceRecord {
  const mode = modeOf(s.Spec);
  const labels = s.Spec.Labels ?? {};
  const u = s.UpdateStatus;
  return {
    id: s.ID,
    version: s.Version.Index,
    name: s.Spec.Name,
    stack: labels[STACK_LABEL] ?? null,
    mode,
    replicas: mode === 'replicated' ? (s.Spec.Mode?.Replicated?.Replicas ?? 1) : null,
    // The engine pins the digest (image:tag@sha256:…); the tag is what people recognise.
    image: (s.Spec.TaskTemplate?.ContainerSpec?.Image ?? '').replace(/@sha256:[0-9a-f]+$/, ''),
    tty: s.Spec.TaskTemplate?.ContainerSpec?.TTY === true,
    labels,
    ports: (s.Endpoint?.Ports ?? []).map((p) => ({
      protocol: p.Protocol ?? 'tcp',
      targetPort: p.TargetPort ?? 0,
      publishedPort: p.PublishedPort ?? null,
      publishMode: p.PublishMode ?? 'ingress',
    })),
    updateStatus: u ? { state: u.State ?? 'unknown', message: u.Message || null, startedAt: u.StartedAt ?? null, completedAt: u.CompletedAt ?? null } : null,
    hasPreviousSpec: s.PreviousSpec !== undefined,
    createdAt: s.CreatedAt ?? null,
    updatedAt: s.UpdatedAt ?? null,
  };
}

export function taskFromEngine(t: EngineTask): SwarmTaskRecord {
  return {
    id: t.ID,
    serviceId: t.ServiceID,
    nodeId: t.NodeID || null,
    slot: t.Slot ?? null,
    state: t.Status?.State ?? 'unknown',
    desiredState: t.DesiredState ?? 'unknown',
    message: t.Status?.Message || null,
    error: t.Status?.Err || null,
    containerId: t.Status?.ContainerStatus?.ContainerID || null,
    exitCode: t.Status?.ContainerStatus?.ExitCode ?? null,
    createdAt: t.CreatedAt ?? null,
    updatedAt: t.UpdatedAt ?? null,
  };
}
