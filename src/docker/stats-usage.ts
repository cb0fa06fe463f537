import type { EngineCpuStats, EngineStats } from './types.js';

/** One container's resource use in our terms (the API's ContainerUsage has this shape). */
export interface Usage {
  read: string;
  cpuPercent: number | null;
  onlineCpus: number;
  memory: { usage: number; limit: number; percent: number };
  network: { rxBytes: number; txBytes: number };
  blockIo: { readBytes: number; writeBytes: number };
  pids: number;
}

/** The engine's CPU counters of a sample, kept only to pair with a later one (opaque to callers). */
export type CpuCounters = EngineCpuStats;

/** An engine stats sample mapped once: its time, total CPU time, usage, and counters for the next. */
export interface EngineSample {
  at: number;
  cpuNs: number;
  usage: Usage;
  cpu: CpuCounters;
}

export function onlineCpus(cpu: Partial<EngineCpuStats> | undefined): number {
  return cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
}

/**
 * CPU % the way `docker stats` computes it: the container's share of the host's CPU time
 * between two samples, times the number of CPUs (so 200% = two full cores).
 * Null when there is no usable previous sample.
 */
export function cpuPercent(current: EngineCpuStats, previous: Partial<EngineCpuStats> | undefined): number | null {
  const prevTotal = previous?.cpu_usage?.total_usage;
  const prevSystem = previous?.system_cpu_usage;
  if (prevTotal === undefined || prevSystem === undefined || !prevSystem || current.system_cpu_usage === undefined) return null;
  const cpuDelta = current.cpu_usage.total_usage - prevTotal;
  const systemDelta = current.system_cpu_usage - prevSystem;
  if (systemDelta <= 0 || cpuDelta < 0) return null;
  return round2((cpuDelta / systemDelta) * onlineCpus(current) * 100);
}

/**
 * Memory in use without the page cache, as `docker stats` shows it: cgroup v1 subtracts
 * total_inactive_file, cgroup v2 inactive_file (older engines: cache).
 */
export function memoryUsage(memory: EngineStats['memory_stats']): { usage: number; limit: number; percent: number } {
  const raw = memory.usage ?? 0;
  const s = memory.stats ?? {};
  const cache = s['total_inactive_file'] ?? s['inactive_file'] ?? s['cache'] ?? 0;
  const usage = cache < raw ? raw - cache : raw;
  const limit = memory.limit ?? 0;
  return { usage, limit, percent: limit > 0 ? round2((usage / limit) * 100) : 0 };
}

export function networkTotals(networks: EngineStats['networks']): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const n of Object.values(networks ?? {})) {
    rxBytes += n.rx_bytes;
    txBytes += n.tx_bytes;
  }
  return { rxBytes, txBytes };
}

export function blockIoTotals(blkio: EngineStats['blkio_stats']): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const entry of blkio?.io_service_bytes_recursive ?? []) {
    const op = entry.op.toLowerCase();
    if (op === 'read') readBytes += entry.value;
    else if (op === 'write') writeBytes += entry.value;
  }
  return { readBytes, writeBytes };
}

/** Turns one engine stats sample (and the previous CPU sample, if any) into our shape. */
export function usageFromStats(stats: EngineStats, previousCpu?: Partial<EngineCpuStats>): Usage {
  // The engine fills precpu_stats itself unless one-shot was asked; prefer its pair.
  const enginePrevious = stats.precpu_stats?.system_cpu_usage ? stats.precpu_stats : undefined;
  return {
    read: stats.read,
    cpuPercent: cpuPercent(stats.cpu_stats, enginePrevious ?? previousCpu),
    onlineCpus: onlineCpus(stats.cpu_stats),
    memory: memoryUsage(stats.memory_stats),
    network: networkTotals(stats.networks),
    blockIo: blockIoTotals(stats.blkio_stats),
    pids: stats.pids_stats?.current ?? 0,
  };
}

/** Maps one engine stats sample; `previousCpu` pairs a one-shot sample with our last one. */
export function sampleFromStats(stats: EngineStats, previousCpu?: CpuCounters): EngineSample {
  return { at: Date.parse(stats.read) || Date.now(), cpuNs: stats.cpu_stats.cpu_usage.total_usage, usage: usageFromStats(stats, previousCpu), cpu: stats.cpu_stats };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
