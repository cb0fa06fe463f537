import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * Reads a local container's resource counters straight from its cgroup files, as cAdvisor
 * does: microseconds instead of the engine's ~1 s stats call. Works for cgroup v1 and v2
 * and any cgroup driver, because the paths come from /proc/<pid>/cgroup of the
 * container's main process. Needs the engine's host /proc and /sys/fs/cgroup; where they
 * are not visible (a remote engine, or this service in its own pid namespace) `locate`
 * returns undefined and the caller falls back to the engine's API.
 */
export interface RawUsage {
  /** When the counters were read (ms since epoch). */
  at: number;
  /** Cumulative CPU time in nanoseconds. */
  cpuNs: number;
  memoryUsage: number;
  memoryLimit: number;
  rxBytes: number;
  txBytes: number;
  readBytes: number;
  writeBytes: number;
  pids: number;
}

export interface CgroupLocation {
  version: 1 | 2;
  pid: number;
  /** v1: controller → folder; v2: the one folder under "". */
  dirs: Record<string, string>;
}

/** cgroup v1 reports "no limit" as a huge number near 2^63. */
const UNLIMITED = 2 ** 60;

export class CgroupReader {
  constructor(
    private readonly procRoot = '/proc',
    private readonly cgroupRoot = '/sys/fs/cgroup',
  ) {}

  /** Finds a running container's cgroup folders from its main process, or undefined. */
  async locate(pid: number): Promise<CgroupLocation | undefined> {
    if (!pid) return undefined;
    let text: string;
    try {
      text = await readFile(join(this.procRoot, String(pid), 'cgroup'), 'utf8');
    } catch {
      return undefined;
    }
    const location = parseProcCgroup(text, this.cgroupRoot);
    if (!location) return undefined;
    location.pid = pid;
    try {
      await readFile(location.version === 1 ? join(location.dirs['cpuacct'] ?? '', 'cpuacct.usage') : join(location.dirs[''] ?? '', 'cpu.stat'));
      return location;
    } catch {
      return undefined;
    }
  }

  /** Reads every counter; throws when the container is gone (its folders vanish). */
  async read(location: CgroupLocation): Promise<RawUsage> {
    const at = Date.now();
    const [cpu, memory, io, pids, net] = await Promise.all([
      this.cpu(location),
      this.memory(location),
      this.io(location),
      this.pids(location),
      this.network(location.pid),
    ]);
    return { at, cpuNs: cpu, ...memory, ...io, pids, ...net };
  }

  private async cpu(l: CgroupLocation): Promise<number> {
    if (l.version === 1) return Number(await readText(join(l.dirs['cpuacct'] ?? '', 'cpuacct.usage')));
    const stat = parseKeyValues(await readText(join(l.dirs[''] ?? '', 'cpu.stat')));
    return (stat['usage_usec'] ?? 0) * 1000;
  }

  private async memory(l: CgroupLocation): Promise<{ memoryUsage: number; memoryLimit: number }> {
    const dir = l.version === 1 ? (l.dirs['memory'] ?? '') : (l.dirs[''] ?? '');
    const [usageText, limitText, statText] = await Promise.all([
      readText(join(dir, l.version === 1 ? 'memory.usage_in_bytes' : 'memory.current')),
      readText(join(dir, l.version === 1 ? 'memory.limit_in_bytes' : 'memory.max')),
      readText(join(dir, 'memory.stat')),
    ]);
    const stat = parseKeyValues(statText);
    const raw = Number(usageText);
    // Same as `docker stats`: usage without inactive page cache.
    const inactive = l.version === 1 ? (stat['total_inactive_file'] ?? 0) : (stat['inactive_file'] ?? 0);
    const limit = limitText.trim() === 'max' || Number(limitText) > UNLIMITED ? totalmem() : Number(limitText);
    return { memoryUsage: inactive < raw ? raw - inactive : raw, memoryLimit: Math.min(limit, totalmem()) };
  }

  private async io(l: CgroupLocation): Promise<{ readBytes: number; writeBytes: number }> {
    let readBytes = 0;
    let writeBytes = 0;
    if (l.version === 1) {
      const text = await readText(join(l.dirs['blkio'] ?? '', 'blkio.throttle.io_service_bytes')).catch(() => '');
      for (const line of text.split('\n')) {
        const [, op, value] = line.trim().split(/\s+/);
        if (op === 'Read') readBytes += Number(value);
        else if (op === 'Write') writeBytes += Number(value);
      }
    } else {
      const text = await readText(join(l.dirs[''] ?? '', 'io.stat')).catch(() => '');
      for (const line of text.split('\n')) {
        for (const field of line.trim().split(/\s+/).slice(1)) {
          const [key, value] = field.split('=');
          if (key === 'rbytes') readBytes += Number(value);
          else if (key === 'wbytes') writeBytes += Number(value);
        }
      }
    }
    return { readBytes, writeBytes };
  }

  private async pids(l: CgroupLocation): Promise<number> {
    const dir = l.version === 1 ? (l.dirs['pids'] ?? '') : (l.dirs[''] ?? '');
    return Number(await readText(join(dir, 'pids.current')).catch(() => '0')) || 0;
  }

  /** The container's interfaces seen from its own network namespace, loopback excluded. */
  private async network(pid: number): Promise<{ rxBytes: number; txBytes: number }> {
    const text = await readText(join(this.procRoot, String(pid), 'net', 'dev')).catch(() => '');
    return parseNetDev(text);
  }
}

async function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/** Parses /proc/<pid>/cgroup into the folders of the controllers we read. */
export function parseProcCgroup(text: string, cgroupRoot: string): CgroupLocation | undefined {
  const dirs: Record<string, string> = {};
  let unified: string | undefined;
  for (const line of text.split('\n')) {
    const [hierarchy, controllers, path] = line.split(':');
    if (path === undefined) continue;
    if (hierarchy === '0' && controllers === '') unified = path;
    for (const controller of (controllers ?? '').split(',')) {
      if (['cpuacct', 'memory', 'blkio', 'pids'].includes(controller)) dirs[controller] = join(cgroupRoot, controller, path);
    }
  }
  if (dirs['cpuacct'] && dirs['memory']) return { version: 1, pid: 0, dirs };
  if (unified !== undefined) return { version: 2, pid: 0, dirs: { '': join(cgroupRoot, unified) } };
  return undefined;
}

export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out[key] = Number(value);
  }
  return out;
}

export function parseNetDev(text: string): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    rxBytes += Number(fields[0] ?? 0);
    txBytes += Number(fields[8] ?? 0);
  }
  return { rxBytes, txBytes };
}
