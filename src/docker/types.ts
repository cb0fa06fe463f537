/**
 * The engine's data as this service uses it: the subset of Docker Engine API fields we
 * read, with the engine's own spelling, so that mapping code can be checked against the
 * API reference. Nothing outside docker/ sees dockerode's own types.
 */
export interface EngineInfo {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  kernelVersion: string;
}

export interface EnginePort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface EngineContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  State: string;
  Status: string;
  Ports: EnginePort[];
  Labels: Record<string, string>;
}

export interface EngineHealth {
  Status: string;
  FailingStreak: number;
  Log?: { Start: string; End: string; ExitCode: number; Output: string }[];
}

export interface EngineContainerDetails {
  Id: string;
  Name: string;
  Created: string;
  RestartCount: number;
  Image: string;
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
    Health?: EngineHealth;
  };
  Config: {
    Image: string;
    Env: string[] | null;
    Labels: Record<string, string> | null;
    Tty: boolean;
    Cmd: string[] | null;
    Entrypoint: string[] | string | null;
    Healthcheck?: { Test?: string[] };
  };
  HostConfig: { RestartPolicy?: { Name: string; MaximumRetryCount?: number } };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; Mode: string; RW: boolean }[];
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks: Record<string, { IPAddress: string }> | null;
  };
}

/** The fields of GET /containers/{id}/stats we read (cgroup v1 and v2 engines). */
export interface EngineStats {
  read: string;
  preread?: string;
  pids_stats?: { current?: number; limit?: number };
  cpu_stats: EngineCpuStats;
  precpu_stats?: Partial<EngineCpuStats>;
  memory_stats: {
    usage?: number;
    limit?: number;
    stats?: Record<string, number>;
  };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  blkio_stats?: {
    io_service_bytes_recursive?: { op: string; value: number }[] | null;
  };
}

export interface EngineCpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
}

export interface LogOptions {
  /** Lines from the end; -1 for all of them. */
  tail: number;
  /** Unix seconds, or "seconds.nanoseconds" for an exact bound (both ends are inclusive). */
  since?: number | string;
  until?: number | string;
  timestamps: boolean;
}
