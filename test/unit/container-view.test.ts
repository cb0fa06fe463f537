import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineContainerDetails } from '../../src/docker/types.js';
import { recordFromEngine } from '../../src/docker/container-record.js';
import { detailsFromRecord, summaryFromRecord, type GroupsOf } from '../../src/containers/container-view.js';

/** The engine's JSON goes through the one mapping (docker/) and then the view. */
const detailsFromEngine = (d: EngineContainerDetails, showEnvValues: boolean) => detailsFromRecord(recordFromEngine(d), showEnvValues);
const summaryFromDetails = (d: EngineContainerDetails, now: number, groupsOf?: GroupsOf) => summaryFromRecord(recordFromEngine(d), now, groupsOf);

const ZERO_TIME = '0001-01-01T00:00:00Z';


function engineDetails(overrides: { State?: Partial<EngineContainerDetails['State']>; Config?: Partial<EngineContainerDetails['Config']> } = {}): EngineContainerDetails {
  return {
    Id: 'c'.repeat(64),
    Name: '/platform-db-1',
    Created: '2024-05-01T09:00:00.123456789Z',
    RestartCount: 2,
    Image: 'sha256:' + 'd'.repeat(64),
    State: {
      Status: 'created',
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: ZERO_TIME,
      FinishedAt: ZERO_TIME,
      ...overrides.State,
    },
    Config: {
      Image: 'postgres:16',
      Env: ['POSTGRES_PASSWORD=hunter2', 'PGDATA=/var/lib/postgresql/data', 'EMPTY=', 'NO_EQUALS'],
      Labels: { 'com.docker.compose.project': 'platform', 'com.docker.compose.service': 'db' },
      Tty: false,
      Cmd: ['postgres', '-c', 'fsync=off'],
      Entrypoint: ['docker-entrypoint.sh'],
      ...overrides.Config,
    },
    HostConfig: { RestartPolicy: { Name: 'unless-stopped' } },
    Mounts: [
      { Type: 'volume', Name: 'pgdata', Source: '/var/lib/docker/volumes/pgdata/_data', Destination: '/var/lib/postgresql/data', Mode: 'z', RW: true },
      { Type: 'bind', Source: '/etc/localtime', Destination: '/etc/localtime', Mode: 'ro', RW: false },
    ],
    NetworkSettings: {
      Ports: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '15432' }], '9187/udp': null },
      Networks: { platform_default: { IPAddress: '172.20.0.3' } },
    },
  };
}

describe('summaryFromRecord', () => {
  test('adds the groups a classifier names, the first as the primary group', () => {
    const summary = summaryFromDetails(engineDetails(), Date.now(), (c) => (c.composeProject ? ['foundation', 'core'] : []));
    assert.equal(summary.group, 'foundation');
    assert.deepEqual(summary.groups, ['foundation', 'core']);
    const ungrouped = summaryFromDetails(engineDetails(), Date.now());
    assert.equal(ungrouped.group, null);
    assert.deepEqual(ungrouped.groups, []);
  });
});

describe('detailsFromRecord(recordFromEngine(…))', () => {
  test('hides env values by default but still lists the names', () => {
    const details = detailsFromEngine(engineDetails(), false);
    assert.deepEqual(details.env, [{ name: 'POSTGRES_PASSWORD' }, { name: 'PGDATA' }, { name: 'EMPTY' }, { name: 'NO_EQUALS' }]);
    assert.ok(!JSON.stringify(details).includes('hunter2'), 'the secret appears nowhere in the details');
  });

  test('shows env values when asked, splitting at the first =', () => {
    const details = detailsFromEngine(engineDetails({ Config: { Env: ['A=b=c', 'EMPTY=', 'NO_EQUALS'] } }), true);
    assert.deepEqual(details.env, [
      { name: 'A', value: 'b=c' },
      { name: 'EMPTY', value: '' },
      { name: 'NO_EQUALS', value: '' },
    ]);
  });

  test('the zero time of a never-started container becomes null', () => {
    const details = detailsFromEngine(engineDetails(), false);
    assert.equal(details.startedAt, null);
    assert.equal(details.finishedAt, null);
    assert.equal(details.status, 'Created');
  });

  test('real times are kept', () => {
    const details = detailsFromEngine(
      engineDetails({ State: { Status: 'exited', StartedAt: '2024-05-01T09:00:01Z', FinishedAt: '2024-05-01T09:05:00Z', ExitCode: 137 } }),
      false,
    );
    assert.equal(details.startedAt, '2024-05-01T09:00:01Z');
    assert.equal(details.finishedAt, '2024-05-01T09:05:00Z');
    assert.match(details.status, /^Exited \(137\) \d+ \w+ ago$/);
    assert.equal(details.exitCode, 137);
  });

  test('maps name, command, compose labels, ports, mounts and networks', () => {
    const details = detailsFromEngine(engineDetails(), false);
    assert.equal(details.name, 'platform-db-1');
    assert.equal(details.image, 'postgres:16');
    assert.equal(details.command, 'docker-entrypoint.sh postgres -c fsync=off');
    assert.equal(details.composeProject, 'platform');
    assert.equal(details.composeService, 'db');
    assert.equal(details.restartPolicy, 'unless-stopped');
    assert.equal(details.restartCount, 2);
    assert.deepEqual(details.ports, [
      { privatePort: 5432, protocol: 'tcp', hostIp: '127.0.0.1', publicPort: 15432 },
      { privatePort: 9187, protocol: 'udp' },
    ]);
    assert.deepEqual(details.mounts, [
      { type: 'volume', name: 'pgdata', source: '/var/lib/docker/volumes/pgdata/_data', destination: '/var/lib/postgresql/data', mode: 'z', readWrite: true },
      { type: 'bind', source: '/etc/localtime', destination: '/etc/localtime', mode: 'ro', readWrite: false },
    ]);
    assert.deepEqual(details.networks, [{ name: 'platform_default', ipAddress: '172.20.0.3' }]);
    assert.equal(details.healthcheck, null);
    assert.equal(details.health, 'none');
  });

  test('a string entrypoint and no cmd still make a command', () => {
    assert.equal(detailsFromEngine(engineDetails({ Config: { Entrypoint: '/bin/sh -c', Cmd: null } }), false).command, '/bin/sh -c');
    assert.equal(detailsFromEngine(engineDetails({ Config: { Entrypoint: null, Cmd: ['sleep', '1'] } }), false).command, 'sleep 1');
  });

  test('a running healthy container reports health and the last check output', () => {
    const details = detailsFromEngine(
      engineDetails({
        State: {
          Status: 'running',
          Running: true,
          Pid: 4242,
          StartedAt: '2024-05-01T09:00:01Z',
          Health: {
            Status: 'healthy',
            FailingStreak: 0,
            Log: [
              { Start: '', End: '', ExitCode: 1, Output: 'old\n' },
              { Start: '', End: '', ExitCode: 0, Output: '  accepting connections\n' },
            ],
          },
        },
      }),
      false,
    );
    assert.equal(details.health, 'healthy');
    assert.equal(details.running, true);
    assert.equal(details.pid, 4242);
    assert.match(details.status, /^Up \d+ \w+ \(healthy\)$/);
    assert.deepEqual(details.healthcheck, { failingStreak: 0, lastOutput: 'accepting connections' });
  });

  test('a missing restart policy, env, labels and networks are defaults, not a crash', () => {
    const raw = engineDetails({ Config: { Env: null, Labels: null } });
    const details = detailsFromEngine({ ...raw, HostConfig: {}, NetworkSettings: { Ports: null, Networks: null } }, true);
    assert.equal(details.restartPolicy, 'no');
    assert.deepEqual(details.env, []);
    assert.deepEqual(details.labels, {});
    assert.deepEqual(details.ports, []);
    assert.deepEqual(details.networks, []);
    assert.equal(details.composeProject, null);
  });
});

describe('statusText and humanDuration', () => {
  test('read like the docker ps STATUS column', async () => {
    const { humanDuration } = await import('../../src/containers/container-view.js');
    assert.equal(humanDuration(400), 'Less than a second');
    assert.equal(humanDuration(1000), '1 second');
    assert.equal(humanDuration(42_000), '42 seconds');
    assert.equal(humanDuration(70_000), 'About a minute');
    assert.equal(humanDuration(5 * 60_000), '5 minutes');
    assert.equal(humanDuration(3_600_000), 'About an hour');
    assert.equal(humanDuration(5 * 3_600_000), '5 hours');
    assert.equal(humanDuration(3 * 86_400_000), '3 days');
    assert.equal(humanDuration(21 * 86_400_000), '3 weeks');
    assert.equal(humanDuration(800 * 86_400_000), '2 years');
  });
});
