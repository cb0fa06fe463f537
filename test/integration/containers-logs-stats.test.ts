import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';

interface LogsBody {
  tty: boolean;
  lines: { stream: 'stdout' | 'stderr'; timestamp?: string; text: string }[];
}

const fixture = new Fixture();
let chatty: { id: string; name: string };

before(async () => {
  await requireEngine();
  chatty = await fixture.run({
    command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo "out $i"; echo "err $i" >&2; done; sleep 3600'],
  });
});
after(() => fixture.cleanup());

describe('GET /api/v1/containers/{id}/logs', () => {
  test('keeps stdout and stderr apart, in order', async (t) => {
    const app = await buildTestApp(t);
    const body = await waitFor(
      async () => (await app.inject({ url: `/api/v1/containers/${chatty.name}/logs` })).json() as LogsBody,
      (b) => b.lines.length >= 10,
    );
    assert.equal(body.tty, false);
    assert.deepEqual(body.lines.filter((l) => l.stream === 'stdout').map((l) => l.text), ['out 1', 'out 2', 'out 3', 'out 4', 'out 5']);
    assert.deepEqual(body.lines.filter((l) => l.stream === 'stderr').map((l) => l.text), ['err 1', 'err 2', 'err 3', 'err 4', 'err 5']);
  });

  test('tail limits to the last lines; timestamps split out', async (t) => {
    const app = await buildTestApp(t);
    const body = (await app.inject({ url: `/api/v1/containers/${chatty.name}/logs?tail=2&timestamps=true` })).json() as LogsBody;
    assert.equal(body.lines.length, 2);
    // The engine copies stdout and stderr concurrently, so their relative order can vary.
    for (const line of body.lines) assert.ok(['out 4', 'out 5', 'err 4', 'err 5'].includes(line.text), line.text);
    for (const line of body.lines) {
      assert.ok(line.timestamp, 'has a timestamp');
      assert.ok(!Number.isNaN(Date.parse(line.timestamp)), `parsable ${line.timestamp}`);
    }
  });

  test('since and until select a time window', async (t) => {
    const app = await buildTestApp(t);
    const future = (await app.inject({ url: `/api/v1/containers/${chatty.name}/logs?since=${Math.floor(Date.now() / 1000) + 3600}` })).json() as LogsBody;
    assert.equal(future.lines.length, 0);
    const past = (await app.inject({ url: `/api/v1/containers/${chatty.name}/logs?since=1h&until=${Math.floor(Date.now() / 1000) + 60}` })).json() as LogsBody;
    assert.equal(past.lines.length, 10);
    const rfc = (await app.inject({ url: `/api/v1/containers/${chatty.name}/logs?since=2000-01-01T00:00:00Z` })).json() as LogsBody;
    assert.equal(rfc.lines.length, 10);
  });

  test('a TTY container has one stream', async (t) => {
    const app = await buildTestApp(t);
    const tty = await fixture.run({ tty: true, command: ['sh', '-c', 'echo hello; echo oops >&2; sleep 3600'] });
    const body = await waitFor(
      async () => (await app.inject({ url: `/api/v1/containers/${tty.name}/logs` })).json() as LogsBody,
      (b) => b.lines.length >= 2,
    );
    assert.equal(body.tty, true);
    assert.deepEqual(body.lines.map((l) => [l.stream, l.text]), [['stdout', 'hello'], ['stdout', 'oops']]);
  });
});

describe('GET /api/v1/containers/{id}/stats', () => {
  test('reports CPU, memory, network, block I/O and pids of a running container', async (t) => {
    const app = await buildTestApp(t);
    const busy = await fixture.run({ command: ['sh', '-c', 'while true; do :; done'] });
    const first = await app.inject({ url: `/api/v1/containers/${busy.name}/stats` });
    assert.equal(first.statusCode, 200);
    const second = (await app.inject({ url: `/api/v1/containers/${busy.name}/stats` })).json() as {
      id: string;
      cpuPercent: number | null;
      onlineCpus: number;
      memory: { usage: number; limit: number; percent: number };
      network: { rxBytes: number; txBytes: number };
      blockIo: { readBytes: number; writeBytes: number };
      pids: number;
    };
    assert.equal(second.id, busy.id);
    assert.ok(second.cpuPercent !== null && second.cpuPercent > 30, `a busy loop uses CPU (${second.cpuPercent}%)`);
    assert.ok(second.memory.usage > 0 && second.memory.limit > second.memory.usage);
    assert.ok(second.memory.percent >= 0 && second.memory.percent <= 100);
    assert.ok(second.onlineCpus >= 1);
    assert.ok(second.pids >= 1);
    assert.ok(second.network.rxBytes >= 0 && second.blockIo.readBytes >= 0);
  });

  test('a stopped container has no stats: 409', async (t) => {
    const app = await buildTestApp(t);
    const idle = await fixture.run({ createOnly: true });
    const res = await app.inject({ url: `/api/v1/containers/${idle.name}/stats` });
    assert.equal(res.statusCode, 409);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'CONTAINER_NOT_RUNNING');
  });
});
