import { BENCH_LABELS, RUN_LABEL } from './fixture.js';
import type { HttpClient } from './http-client.js';

export interface TierContainer {
  id: string;
  name: string;
  /** Whether it has a healthcheck, so a start must also wait for healthy. */
  checked: boolean;
}

export interface Tier {
  /** 1, 2, 3 … */
  level: number;
  /** The service group: bt<level>-<runId>. */
  group: string;
  containers: TierContainer[];
}

/** The run's group label key: the service gets it as GROUP_LABEL, each container carries key=<its group>. */
export const groupLabelKey = (runId: string) => `gdm.bench.group.${runId}`;
export const tierGroup = (runId: string, level: number) => `bt${level}-${runId}`;

/** Half a second in nanoseconds, the engine's unit for healthcheck intervals. */
const HALF_SECOND_NS = 500_000_000;

/**
 * Creates `count` tiers of `perTier` containers (created, never started) running sleep 3600,
 * StopTimeout 1 s, every other one with a healthcheck (`true` every 500 ms, 1 retry).
 * Stops between tiers when `closing()` turns true; the caller removes them by RUN_LABEL.
 */
export async function createTiers(
  engine: HttpClient,
  image: string,
  runId: string,
  count: number,
  perTier: number,
  closing: () => boolean,
): Promise<Tier[]> {
  const tiers: Tier[] = [];
  for (let level = 1; level <= count; level++) {
    if (closing()) throw new Error('the bench is shutting down');
    const group = tierGroup(runId, level);
    const containers = await Promise.all(
      Array.from({ length: perTier }, async (_, i): Promise<TierContainer> => {
        const name = `gdm-bench-${runId}-t${level}-${String(i).padStart(2, '0')}`;
        const checked = i % 2 === 0;
        const body = {
          Image: image,
          Cmd: ['sleep', '3600'],
          StopTimeout: 1,
          Labels: { ...BENCH_LABELS, [RUN_LABEL]: runId, [groupLabelKey(runId)]: group },
          HostConfig: {},
          ...(checked ? { Healthcheck: { Test: ['CMD', 'true'], Interval: HALF_SECOND_NS, Retries: 1 } } : {}),
        };
        const { Id } = await engine.json<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, [201], body);
        return { id: Id, name, checked };
      }),
    );
    tiers.push({ level, group, containers });
  }
  return tiers;
}

/** The groups file: one group per tier, each depending on the one before; members come from the group label. */
export function groupsYaml(tiers: readonly Tier[]): string {
  const lines = ['# Written by bench/groups.ts for one run; removed at its end.', 'groups:'];
  tiers.forEach((t, i) => {
    lines.push(`  ${t.group}:`, `    description: bench tier ${t.level}`);
    const before = tiers[i - 1];
    if (before) lines.push(`    dependsOn: [${before.group}]`);
  });
  return `${lines.join('\n')}\n`;
}

export interface EngineState {
  running: boolean;
  /** From the list's Status text: healthy, unhealthy, starting or none. */
  health: string;
}

/** The run's containers as the engine lists them, by name. */
export async function engineStates(engine: HttpClient, runId: string): Promise<Map<string, EngineState>> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }));
  const list = await engine.json<{ Names: string[]; State: string; Status: string }[]>('GET', `/containers/json?all=1&filters=${filters}`);
  const health = (status: string) => /\((healthy|unhealthy|health: starting)\)/.exec(status)?.[1]?.replace('health: ', '') ?? 'none';
  return new Map(list.map((c) => [(c.Names[0] ?? '').replace(/^\//, ''), { running: c.State === 'running', health: health(c.Status) }]));
}

/** Throws unless every container is running (and healthy where `healthy` and it has a check), or every one is stopped. */
export async function expectState(engine: HttpClient, runId: string, tiers: readonly Tier[], want: 'up' | 'running' | 'stopped'): Promise<void> {
  const states = await engineStates(engine, runId);
  for (const c of tiers.flatMap((t) => t.containers)) {
    const s = states.get(c.name);
    const ok = !s ? false : want === 'stopped' ? !s.running : s.running && (want === 'running' || !c.checked || s.health === 'healthy');
    if (!ok) throw new Error(`${c.name} should be ${want} but the engine shows ${s ? `running=${s.running}, health ${s.health}` : 'nothing'}`);
  }
}
