import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';

/** Security audit (issue 18) item 13: the CLI applies the same user rules as the API. */

const PASSWORD = 'correct horse battery staple';
const suffix = randomBytes(3).toString('hex');

/** Runs `gui-docker-manager user …` on the service's DATA_DIR, with `stdin` as its input. */
async function cli(dataDir: string, args: string[], stdin: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'user', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

async function usernames(app: TestApp): Promise<string[]> {
  return (await app.inject({ url: '/api/v1/users' })).json<{ users: { username: string }[] }>().users.map((u) => u.username);
}

async function canLogin(app: TestApp, username: string, password: string): Promise<boolean> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { authorization: '' } });
  return res.statusCode === 200;
}

before(requireEngine);

describe('security audit: one validation for API and CLI (item 13)', () => {
  test('item 13: the CLI refuses what the API refuses (bad name, short or empty password, bad groups) with a clear message and a non-zero exit', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gdm-test-data-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const app = await buildTestApp(t, { DATA_DIR: dataDir });

    const evil = await cli(dataDir, ['add', 'evil name<script>', '--role', 'user', '--password-stdin'], 'a\n');
    assert.notEqual(evil.code, 0, evil.output);
    assert.match(evil.output, /Invalid user name "evil name<script>": expected Letters, digits/);
    const api = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: 'evil name<script>', password: PASSWORD, role: 'user' } });
    assert.equal(api.statusCode, 400, 'the API refuses the same name');

    const weak = await cli(dataDir, ['add', `weak-${suffix}`, '--role', 'user', '--password-stdin'], 'a\n');
    assert.notEqual(weak.code, 0, weak.output);
    assert.match(weak.output, /Invalid password: expected At least 12 characters/);
    assert.doesNotMatch(weak.output, /"a"/, 'the password is never echoed');

    const groups = await cli(dataDir, ['add', `grouped-${suffix}`, '--role', 'user', '--groups', 'core,bad group!', '--password-stdin'], `${PASSWORD}\n`);
    assert.notEqual(groups.code, 0, groups.output);
    assert.match(groups.output, /Invalid groups/);

    const names = await usernames(app);
    assert.deepEqual(
      names.filter((n) => n.includes('evil') || n.includes(suffix)),
      [],
      'nothing was stored',
    );

    // An existing user: an empty new password is refused and the old one still works.
    const created = await cli(dataDir, ['add', `carol-${suffix}`, '--role', 'developer', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(created.code, 0, created.output);
    assert.ok((await usernames(app)).includes(`carol-${suffix}`), 'a valid add works, and the service sees it');
    const empty = await cli(dataDir, ['set-password', `carol-${suffix}`, '--password-stdin'], '');
    assert.notEqual(empty.code, 0, empty.output);
    assert.match(empty.output, /Invalid password: expected At least 12 characters/);
    assert.ok(await canLogin(app, `carol-${suffix}`, PASSWORD), 'the password is unchanged');
    const badGroups = await cli(dataDir, ['set-groups', `carol-${suffix}`, '../etc'], '');
    assert.notEqual(badGroups.code, 0, badGroups.output);
    assert.match(badGroups.output, /Invalid groups \["\.\.\/etc"\]/);
  });
});
