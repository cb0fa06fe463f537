import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { docker, requireEngine, TEST_IMAGE } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';

const root = mkdtempSync(join(tmpdir(), 'gdm-engines-compose-'));
const projectsDir = join(root, 'projects');
const id = root.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const P = `gdmt${id}`;
let e2: TestEngine;
let e3: TestEngine;

before(async () => {
  await requireEngine();
  ({ e2, e3 } = await requireTestEngines());
  for (const engine of ['e2', 'e3']) {
    const dir = join(projectsDir, `${P}-${engine}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'docker-compose.yml'), `services:\n  web:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n    labels:\n      gdm.test: "${P}"\n`);
    // The folder declares its engine.
    writeFileSync(join(dir, '.gdm-engine'), `${engine}\n`);
  }
});

after(async () => {
  for (const [cli, project] of [
    [(...a: string[]) => dockerOn(e2, ...a), `${P}-e2`],
    [(...a: string[]) => dockerOn(e3, ...a), `${P}-e3`],
    [docker, `${P}-e2`],
  ] as const) {
    const ids = await cli('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`).catch(() => '');
    if (ids) await cli('rm', '-f', ...ids.split('\n'));
    await cli('network', 'rm', `${project}_default`).catch(() => '');
  }
  rmSync(root, { recursive: true, force: true });
});

const psOn = async (cli: (...a: string[]) => Promise<string>, project: string) =>
  (await cli('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Label "com.docker.compose.service"}}={{.State}}')).split('\n').filter(Boolean);

describe('compose projects bound to one engine', () => {
  test('a folder declaring e2 (unix socket) or e3 (tcp + TLS) runs up and down against that engine only', async (t) => {
    const file = writeEnginesFile((fn) => t.after(async () => fn()), [e2, e3]);
    const app = await buildTestApp(t, { ENGINES_FILE: file, COMPOSE_PROJECTS_DIR: projectsDir, COMPOSE_COMMAND: 'docker-compose' });
    const projects = ((await app.inject({ url: '/api/v1/compose/projects' })).json() as { projects: { name: string; engine: string }[] }).projects;
    assert.deepEqual(projects.filter((p) => p.name.startsWith(P)).map((p) => [p.name, p.engine]), [[`${P}-e2`, 'e2'], [`${P}-e3`, 'e3']]);

    for (const [engine, cli] of [['e2', (...a: string[]) => dockerOn(e2, ...a)], ['e3', (...a: string[]) => dockerOn(e3, ...a)]] as const) {
      const project = `${P}-${engine}`;
      const up = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project } });
      assert.equal(up.statusCode, 200, up.body);
      assert.equal((up.json() as { engine: string }).engine, engine);
      assert.deepEqual(await psOn(cli, project), ['web=running'], `${engine}'s CLI sees the service`);
      assert.deepEqual(await psOn(docker, project), [], 'nothing on the first engine');
      const down = await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project, options: { timeout: 1 } } });
      assert.equal(down.statusCode, 200, down.body);
      assert.deepEqual(await psOn(cli, project), [], `${engine}: down removed it`);
    }
    // A caller limited to e2 does not see the e3 project at all.
    const limited = { authorization: `Bearer ${await app.tokenFor('admin', { engines: ['e2'] })}` };
    const seen = ((await app.inject({ url: '/api/v1/compose/projects', headers: limited })).json() as { projects: { name: string }[] }).projects.map((p) => p.name);
    assert.ok(seen.includes(`${P}-e2`) && !seen.includes(`${P}-e3`), JSON.stringify(seen));
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: `${P}-e3` }, headers: limited })).statusCode, 404);
  });
});
