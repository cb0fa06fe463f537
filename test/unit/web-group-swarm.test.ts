import assert from 'node:assert/strict';
import { test } from 'node:test';
import { swarmMemberLabel, swarmMemberUp } from '../../web/src/state/group-swarm.js';

test("Groups page: a group's swarm service reads `service name (engine) running/desired`, up only when every desired task runs", () => {
  const api = { name: 'api', engine: 'e2', replicas: { desired: 2, running: 2 } };
  assert.equal(swarmMemberLabel(api), 'service api (e2) 2/2');
  assert.equal(swarmMemberUp(api), true);
  assert.equal(swarmMemberUp({ replicas: { desired: 2, running: 1 } }), false);
  assert.equal(swarmMemberUp({ replicas: { desired: 0, running: 0 } }), false, 'scaled to 0 by a group stop');
});
