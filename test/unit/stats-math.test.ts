import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineCpuStats, EngineStats } from '../../src/docker/types.js';
import { blockIoTotals, cpuPercent, memoryUsage, networkTotals, onlineCpus, usageFromStats } from '../../src/docker/stats-usage.js';

function cpu(total: number, system: number | undefined, online?: number): EngineCpuStats {
  return { cpu_usage: { total_usage: total }, system_cpu_usage: system, ...(online !== undefined ? { online_cpus: online } : {}) };
}

describe('onlineCpus', () => {
  test('prefers online_cpus, then the per-CPU list, then 1', () => {
    assert.equal(onlineCpus({ cpu_usage: { total_usage: 0, percpu_usage: [1, 2, 3] }, online_cpus: 8 }), 8);
    assert.equal(onlineCpus({ cpu_usage: { total_usage: 0, percpu_usage: [1, 2, 3] } }), 3);
    assert.equal(onlineCpus({ cpu_usage: { total_usage: 0 } }), 1);
    assert.equal(onlineCpus(undefined), 1);
  });
});

describe('cpuPercent', () => {
  test('cpu delta 50 over system delta 1000 on 2 CPUs is 10%', () => {
    assert.equal(cpuPercent(cpu(150, 2000, 2), cpu(100, 1000)), 10);
  });

  test('scales with CPUs: a full core on 4 CPUs is 100%', () => {
    assert.equal(cpuPercent(cpu(1250, 2000, 4), cpu(1000, 1000)), 100);
  });

  test('rounds to two decimals', () => {
    assert.equal(cpuPercent(cpu(100 + 1, 1000 + 3, 1), cpu(100, 1000)), 33.33);
  });

  test('an idle container is 0, not null', () => {
    assert.equal(cpuPercent(cpu(100, 2000, 2), cpu(100, 1000)), 0);
  });

  test('null without a usable previous sample', () => {
    assert.equal(cpuPercent(cpu(150, 2000, 2), undefined), null);
    assert.equal(cpuPercent(cpu(150, 2000, 2), {}), null);
    assert.equal(cpuPercent(cpu(150, 2000, 2), { cpu_usage: { total_usage: 100 } }), null, 'no system time');
    assert.equal(cpuPercent(cpu(150, 2000, 2), cpu(100, 0)), null, 'zero system time, as in a first precpu');
    assert.equal(cpuPercent(cpu(150, undefined, 2), cpu(100, 1000)), null, 'current without system time');
  });

  test('null when time did not advance or went backwards', () => {
    assert.equal(cpuPercent(cpu(150, 1000, 2), cpu(100, 1000)), null);
    assert.equal(cpuPercent(cpu(50, 2000, 2), cpu(100, 1000)), null, 'counter reset after a restart');
  });
});

describe('memoryUsage', () => {
  test('cgroup v1 subtracts total_inactive_file', () => {
    assert.deepEqual(memoryUsage({ usage: 1000, limit: 4000, stats: { total_inactive_file: 200, inactive_file: 50, cache: 10 } }), {
      usage: 800,
      limit: 4000,
      percent: 20,
    });
  });

  test('cgroup v2 subtracts inactive_file', () => {
    assert.deepEqual(memoryUsage({ usage: 1000, limit: 2000, stats: { inactive_file: 100, cache: 10 } }), { usage: 900, limit: 2000, percent: 45 });
  });

  test('older engines fall back to cache', () => {
    assert.equal(memoryUsage({ usage: 1000, limit: 2000, stats: { cache: 300 } }).usage, 700);
  });

  test('without stats the raw usage is reported', () => {
    assert.equal(memoryUsage({ usage: 1000, limit: 2000 }).usage, 1000);
  });

  test('a cache not below usage is not subtracted', () => {
    assert.equal(memoryUsage({ usage: 100, limit: 2000, stats: { inactive_file: 100 } }).usage, 100);
    assert.equal(memoryUsage({ usage: 100, limit: 2000, stats: { inactive_file: 500 } }).usage, 100);
  });

  test('percent is 0 with no limit, and missing numbers count as 0', () => {
    assert.deepEqual(memoryUsage({ usage: 1000, limit: 0 }), { usage: 1000, limit: 0, percent: 0 });
    assert.deepEqual(memoryUsage({}), { usage: 0, limit: 0, percent: 0 });
  });

  test('percent is rounded to two decimals', () => {
    assert.equal(memoryUsage({ usage: 1, limit: 3 }).percent, 33.33);
  });
});

describe('networkTotals', () => {
  test('sums every interface', () => {
    assert.deepEqual(
      networkTotals({ eth0: { rx_bytes: 100, tx_bytes: 10 }, eth1: { rx_bytes: 50, tx_bytes: 5 }, lo: { rx_bytes: 1, tx_bytes: 1 } }),
      { rxBytes: 151, txBytes: 16 },
    );
  });

  test('no networks (network_mode none) is zero', () => {
    assert.deepEqual(networkTotals(undefined), { rxBytes: 0, txBytes: 0 });
    assert.deepEqual(networkTotals({}), { rxBytes: 0, txBytes: 0 });
  });
});

describe('blockIoTotals', () => {
  test('sums Read and Write over devices (cgroup v1 spelling), ignoring other ops', () => {
    const totals = blockIoTotals({
      io_service_bytes_recursive: [
        { op: 'Read', value: 100 },
        { op: 'Write', value: 10 },
        { op: 'Sync', value: 999 },
        { op: 'Total', value: 110 },
        { op: 'Read', value: 5 },
        { op: 'Write', value: 1 },
      ],
    });
    assert.deepEqual(totals, { readBytes: 105, writeBytes: 11 });
  });

  test('accepts the lower-case ops of cgroup v2', () => {
    assert.deepEqual(
      blockIoTotals({
        io_service_bytes_recursive: [
          { op: 'read', value: 7 },
          { op: 'write', value: 3 },
        ],
      }),
      { readBytes: 7, writeBytes: 3 },
    );
  });

  test('a null list (rootless, no blkio controller) is zero', () => {
    assert.deepEqual(blockIoTotals({ io_service_bytes_recursive: null }), { readBytes: 0, writeBytes: 0 });
    assert.deepEqual(blockIoTotals(undefined), { readBytes: 0, writeBytes: 0 });
  });
});

describe('usageFromStats', () => {
  const sample = (precpu: Partial<EngineCpuStats> | undefined): EngineStats => ({
    read: '2024-05-01T10:00:01Z',
    cpu_stats: cpu(150, 2000, 2),
    ...(precpu ? { precpu_stats: precpu } : {}),
    memory_stats: { usage: 1000, limit: 4000, stats: { inactive_file: 200 } },
    networks: { eth0: { rx_bytes: 10, tx_bytes: 20 } },
    blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4 }] },
    pids_stats: { current: 7 },
  });

  test("prefers the engine's precpu_stats when it has system_cpu_usage", () => {
    // Engine pair: 50/1000*2 = 10%. Given previous: 100/1500*2 = 13.33%.
    const usage = usageFromStats(sample(cpu(100, 1000)), cpu(50, 500));
    assert.equal(usage.cpuPercent, 10);
  });

  test('falls back to the given previous sample when precpu_stats is empty', () => {
    assert.equal(usageFromStats(sample(cpu(0, 0)), cpu(50, 500)).cpuPercent, 13.33);
    assert.equal(usageFromStats(sample({ cpu_usage: { total_usage: 0 } }), cpu(50, 500)).cpuPercent, 13.33);
    assert.equal(usageFromStats(sample(undefined), cpu(50, 500)).cpuPercent, 13.33);
  });

  test('cpuPercent is null with neither', () => {
    assert.equal(usageFromStats(sample(undefined)).cpuPercent, null);
    assert.equal(usageFromStats(sample(cpu(0, 0))).cpuPercent, null);
  });

  test('maps every field', () => {
    assert.deepEqual(usageFromStats(sample(cpu(100, 1000))), {
      read: '2024-05-01T10:00:01Z',
      cpuPercent: 10,
      onlineCpus: 2,
      memory: { usage: 800, limit: 4000, percent: 20 },
      network: { rxBytes: 10, txBytes: 20 },
      blockIo: { readBytes: 4, writeBytes: 0 },
      pids: 7,
    });
  });

  test('pids default to 0', () => {
    const { pids_stats: _ignored, ...withoutPids } = sample(undefined);
    assert.equal(usageFromStats(withoutPids).pids, 0);
  });
});
