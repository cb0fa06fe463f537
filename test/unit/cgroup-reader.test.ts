import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { CgroupReader, parseKeyValues, parseNetDev, parseProcCgroup } from '../../src/docker/cgroup-reader.js';

const ID = 'abc123';

function write(root: string, path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
  eth0:    1000      10    0    0    0     0          0         0      200       2    0    0    0     0       0          0
  eth1:      24       1    0    0    0     0          0         0        6       1    0    0    0     0       0          0
`;

describe('cgroup parsing', () => {
  test('/proc/<pid>/cgroup of a v1 host gives one folder per controller', () => {
    const loc = parseProcCgroup(`12:pids:/docker/${ID}\n4:memory:/docker/${ID}\n2:cpu,cpuacct:/docker/${ID}\n7:blkio:/docker/${ID}\n0::/docker/${ID}\n`, '/cg');
    assert.equal(loc?.version, 1);
    assert.equal(loc?.dirs['cpuacct'], `/cg/cpuacct/docker/${ID}`);
    assert.equal(loc?.dirs['memory'], `/cg/memory/docker/${ID}`);
    assert.equal(loc?.dirs['pids'], `/cg/pids/docker/${ID}`);
  });

  test('/proc/<pid>/cgroup of a v2 host gives the unified folder', () => {
    const loc = parseProcCgroup(`0::/system.slice/docker-${ID}.scope\n`, '/cg');
    assert.deepEqual(loc, { version: 2, pid: 0, dirs: { '': `/cg/system.slice/docker-${ID}.scope` } });
  });

  test('garbage gives no location', () => {
    assert.equal(parseProcCgroup('nonsense', '/cg'), undefined);
  });

  test('net/dev sums every interface but loopback', () => {
    assert.deepEqual(parseNetDev(NET_DEV), { rxBytes: 1024, txBytes: 206 });
    assert.deepEqual(parseNetDev(''), { rxBytes: 0, txBytes: 0 });
  });

  test('key-value files parse into numbers', () => {
    assert.deepEqual(parseKeyValues('usage_usec 1500\nuser_usec 1000\n'), { usage_usec: 1500, user_usec: 1000 });
  });
});

/** A fresh folder for one test's fake trees, removed when the test ends (even on failure). */
function tempRoot(t: TestContext, prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

describe('CgroupReader on fake /proc and /sys/fs/cgroup trees', () => {
  test('cgroup v1: CPU ns, memory without inactive file cache, unlimited memory → host memory, blkio, pids, network', async (t) => {
    const root = tempRoot(t, 'gdm-cg1-');
    write(root, 'proc/42/cgroup', `4:memory:/docker/${ID}\n2:cpuacct:/docker/${ID}\n7:blkio:/docker/${ID}\n8:pids:/docker/${ID}\n`);
    write(root, 'proc/42/net/dev', NET_DEV);
    write(root, `cg/cpuacct/docker/${ID}/cpuacct.usage`, '123456789\n');
    write(root, `cg/memory/docker/${ID}/memory.usage_in_bytes`, '10000\n');
    write(root, `cg/memory/docker/${ID}/memory.limit_in_bytes`, '9223372036854771712\n');
    write(root, `cg/memory/docker/${ID}/memory.stat`, 'cache 5000\ntotal_inactive_file 3000\n');
    write(root, `cg/blkio/docker/${ID}/blkio.throttle.io_service_bytes`, '8:0 Read 100\n8:0 Write 50\n8:16 Read 1\n8:0 Sync 7\nTotal 158\n');
    write(root, `cg/pids/docker/${ID}/pids.current`, '3\n');
    const reader = new CgroupReader(join(root, 'proc'), join(root, 'cg'));
    const loc = await reader.locate(42);
    assert.ok(loc);
    const usage = await reader.read(loc);
    assert.equal(usage.cpuNs, 123456789);
    assert.equal(usage.memoryUsage, 7000);
    const { totalmem } = await import('node:os');
    assert.equal(usage.memoryLimit, totalmem());
    assert.deepEqual([usage.readBytes, usage.writeBytes, usage.pids, usage.rxBytes, usage.txBytes], [101, 50, 3, 1024, 206]);
  });

  test('cgroup v2: usage_usec, memory.current minus inactive_file, memory.max, io.stat', async (t) => {
    const root = tempRoot(t, 'gdm-cg2-');
    const dir = `cg/system.slice/docker-${ID}.scope`;
    write(root, 'proc/7/cgroup', `0::/system.slice/docker-${ID}.scope\n`);
    write(root, `${dir}/cpu.stat`, 'usage_usec 2500\nuser_usec 2000\n');
    write(root, `${dir}/memory.current`, '8192\n');
    write(root, `${dir}/memory.max`, '65536\n');
    write(root, `${dir}/memory.stat`, 'anon 4096\ninactive_file 1024\n');
    write(root, `${dir}/io.stat`, '8:0 rbytes=300 wbytes=40 rios=3 wios=1\n8:16 rbytes=1 wbytes=2\n');
    write(root, `${dir}/pids.current`, '2\n');
    const reader = new CgroupReader(join(root, 'proc'), join(root, 'cg'));
    const loc = await reader.locate(7);
    assert.equal(loc?.version, 2);
    const usage = await reader.read(loc!);
    assert.deepEqual(
      [usage.cpuNs, usage.memoryUsage, usage.memoryLimit, usage.readBytes, usage.writeBytes, usage.pids, usage.rxBytes],
      [2_500_000, 7168, 65536, 301, 42, 2, 0],
    );
  });

  test('a process whose cgroup files are not visible here is not located (fallback to the engine)', async (t) => {
    const root = tempRoot(t, 'gdm-cg3-');
    write(root, 'proc/9/cgroup', `0::/docker/${ID}\n`);
    const reader = new CgroupReader(join(root, 'proc'), join(root, 'cg'));
    assert.equal(await reader.locate(9), undefined);
    assert.equal(await reader.locate(12345), undefined);
    assert.equal(await reader.locate(0), undefined);
  });
});
