import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

/** Issue 13 (memory): the engine port loads neither SSH nor BuildKit/gRPC until used. */
const require = createRequire(import.meta.url);
const heavy = () => Object.keys(require.cache).filter((path) => /node_modules\/(ssh2|@grpc|protobufjs)\//.test(path));

test('importing the engine port loads no ssh2, gRPC or protobufjs; the SSH transport still loads on first use', async () => {
  await import('../../src/docker/engine.js');
  assert.ok(Object.keys(require.cache).some((p) => p.includes('node_modules/dockerode/')), 'dockerode itself is loaded');
  assert.deepEqual(heavy(), []);
  const ssh = require(require.resolve('docker-modem/lib/ssh.js', { paths: [require.resolve('dockerode')] })) as (opt: object) => { createConnection: unknown; destroy(): void };
  const agent = ssh({ host: '127.0.0.1' });
  assert.equal(typeof agent.createConnection, 'function', 'a real SSH agent from the real module');
  assert.ok(heavy().some((p) => p.includes('/ssh2/')), 'ssh2 loaded on the first call');
  agent.destroy();
});
