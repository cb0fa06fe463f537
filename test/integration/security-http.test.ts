import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { dashboardBuilt, WEB_ROOT } from '../../src/http/dashboard.js';
import { buildTestApp, listenTestApp, type ErrorBody } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';

before(requireEngine);

/** A pino logger whose lines the test can read: what the service logged, and at what level. */
function capturedLogger() {
  const lines: { level: number; msg: string; err?: { message?: string } }[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, errors: () => lines.filter((l) => l.level >= 50) };
}

/** A raw GET: unlike inject() or fetch(), it sends the path exactly as written (no `..` folding). */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string; headers: IncomingHttpHeaders }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CORS with CORS_ORIGINS=* never allows credentials (18.4)', () => {
  const foreign = 'https://evil.example.com';

  test('"*": any origin may read without credentials; no Access-Control-Allow-Credentials, also on preflight', async (t) => {
    const app = await buildTestApp(t, { CORS_ORIGINS: '*' });
    const simple = await app.inject({ url: '/api/v1/health', headers: { origin: foreign } });
    assert.equal(simple.headers['access-control-allow-origin'], '*');
    assert.equal(simple.headers['access-control-allow-credentials'], undefined);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/containers/x/restart',
      headers: { origin: foreign, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.equal(preflight.headers['access-control-allow-credentials'], undefined);
  });

  test('"*" never admits a cookie-authenticated change from another origin', async (t) => {
    const password = 'cors-admin-password-123';
    const app = await buildTestApp(t, { CORS_ORIGINS: '*', ADMIN_PASSWORD: password });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { authorization: '' }, payload: { username: 'admin', password } });
    assert.equal(login.statusCode, 200);
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    for (const origin of [foreign, '*']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: '', cookie, origin } });
      assert.equal(res.statusCode, 403, origin);
      assert.equal((res.json() as ErrorBody).error.code, 'ORIGIN_REJECTED');
    }
  });

  test('"*" with listed origins: a listed origin keeps credentials, any other gets "*" without them', async (t) => {
    const app = await buildTestApp(t, { CORS_ORIGINS: '*,https://gui.example.org' });
    const listed = await app.inject({ url: '/api/v1/health', headers: { origin: 'https://gui.example.org' } });
    assert.equal(listed.headers['access-control-allow-origin'], 'https://gui.example.org');
    assert.equal(listed.headers['access-control-allow-credentials'], 'true');
    assert.match(String(listed.headers.vary), /origin/i);
    const other = await app.inject({ url: '/api/v1/health', headers: { origin: foreign } });
    assert.equal(other.headers['access-control-allow-origin'], '*');
    assert.equal(other.headers['access-control-allow-credentials'], undefined);
  });

  test('a listed origin works with credentials; an unlisted one gets no CORS header at all', async (t) => {
    const app = await buildTestApp(t, { CORS_ORIGINS: 'https://gui.example.org' });
    const listed = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/containers',
      headers: { origin: 'https://gui.example.org', 'access-control-request-method': 'GET' },
    });
    assert.equal(listed.statusCode, 204);
    assert.equal(listed.headers['access-control-allow-origin'], 'https://gui.example.org');
    assert.equal(listed.headers['access-control-allow-credentials'], 'true');
    const other = await app.inject({ url: '/api/v1/health', headers: { origin: foreign } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    assert.equal(other.headers['access-control-allow-credentials'], undefined);
  });
});

describe('static files: every client error is a coded 4xx, never a logged 500 (18.7)', () => {
  test('directory, traversal, bad range, failed precondition, bad escape: right status, JSON error, nothing at error level', async (t) => {
    assert.ok(dashboardBuilt(), 'the dashboard is built (npm run build) before the tests run');
    const asset = readdirSync(join(WEB_ROOT, 'assets')).find((f) => f.endsWith('.js'));
    assert.ok(asset, 'a built asset');
    const { logger, errors } = capturedLogger();
    const { base } = await listenTestApp(t, {}, { logger });

    const ok = await rawGet(base, `/assets/${asset}`);
    assert.equal(ok.status, 200, 'the asset itself is served');

    const cases: [string, Record<string, string>, number, string][] = [
      ['/assets/', {}, 404, 'NOT_FOUND'],
      ['/assets/../../package.json', {}, 404, 'NOT_FOUND'],
      ['/assets/%2e%2e/%2e%2e/package.json', {}, 404, 'NOT_FOUND'],
      ['/assets/.hidden', {}, 404, 'NOT_FOUND'],
      [`/assets/${asset}`, { range: 'bytes=99999999-' }, 416, 'RANGE_NOT_SATISFIABLE'],
      [`/assets/${asset}`, { 'if-match': '"nope"' }, 412, 'PRECONDITION_FAILED'],
      ['/assets/%', {}, 400, 'VALIDATION_ERROR'],
    ];
    for (const [path, headers, status, code] of cases) {
      const res = await rawGet(base, path, headers);
      const what = `${path} ${JSON.stringify(headers)}`;
      assert.equal(res.status, status, `${what}: ${res.body}`);
      assert.match(res.type, /^application\/json/, what);
      const body = JSON.parse(res.body) as ErrorBody;
      assert.equal(body.error.code, code, what);
      assert.equal(typeof body.requestId, 'string', what);
      assert.doesNotMatch(res.body, /at .*\.js:\d+|node_modules|\/work\//, `${what}: no stack or path`);
    }
    const bad = await rawGet(base, `/assets/${asset}`, { range: 'bytes=99999999-' });
    assert.match(String(bad.headers['content-range']), /^bytes \*\/\d+$/, 'a 416 says the real length');
    assert.deepEqual(errors(), [], 'nothing logged at error level');
  });
});

describe('Host header check against DNS rebinding (18.15)', () => {
  const probe = async (app: Awaited<ReturnType<typeof buildTestApp>>, host: string, url = '/health') =>
    app.inject({ url, headers: { host, authorization: '' } });

  test('listening on loopback: loopback names with any port are served; any other name is a coded 421', async (t) => {
    const app = await buildTestApp(t, { HOST: '127.0.0.1' });
    for (const host of ['localhost', 'localhost:8098', 'LOCALHOST:1', '127.0.0.1', '127.0.0.1:8098', '[::1]', '[::1]:8098', 'localhost.']) {
      const res = await probe(app, host);
      assert.equal(res.statusCode, 200, host);
    }
    for (const host of ['evil.example', 'evil.example:8098', '127.0.0.1.nip.io', 'localhost.evil.example', '10.0.0.5:8098', '[::2]:8098']) {
      for (const url of ['/health', '/', '/api/v1/containers', '/openapi.json']) {
        const res = await probe(app, host, url);
        assert.equal(res.statusCode, 421, `${host} ${url}`);
        const body = res.json() as ErrorBody;
        assert.equal(body.error.code, 'MISDIRECTED_REQUEST');
      }
    }
    // The login form too: a rebound page must not be able to try passwords through the user's browser.
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { host: 'evil.example', authorization: '' }, payload: { username: 'admin', password: 'x' } });
    assert.equal(login.statusCode, 421);
  });

  test('a trusted proxy\'s X-Forwarded-Host is the name checked', async (t) => {
    const app = await buildTestApp(t, { HOST: '127.0.0.1', TRUSTED_PROXIES: '127.0.0.1', ALLOWED_HOSTS: 'gdm.example.org' });
    const good = await app.inject({ url: '/health', headers: { host: 'localhost', 'x-forwarded-host': 'gdm.example.org', authorization: '' } });
    assert.equal(good.statusCode, 200);
    const bad = await app.inject({ url: '/health', headers: { host: 'localhost', 'x-forwarded-host': 'evil.example', authorization: '' } });
    assert.equal(bad.statusCode, 421);
  });

  test('ALLOWED_HOSTS restricts any deployment to its names (loopback names stay allowed)', async (t) => {
    for (const HOST of ['0.0.0.0', '127.0.0.1']) {
      const app = await buildTestApp(t, { HOST, ALLOWED_HOSTS: 'gdm.example.org, 10.0.0.5,[fd00::5]' });
      for (const host of ['gdm.example.org', 'GDM.example.org:443', '10.0.0.5:8098', '[fd00::5]:8098', 'localhost:8098', '127.0.0.1']) {
        assert.equal((await probe(app, host)).statusCode, 200, `${HOST} ${host}`);
      }
      for (const host of ['evil.example', 'sub.gdm.example.org', '10.0.0.6']) {
        assert.equal((await probe(app, host)).statusCode, 421, `${HOST} ${host}`);
      }
    }
  });

  test('listening on all interfaces without ALLOWED_HOSTS: any host is served (probes and scrapes use the address)', async (t) => {
    const app = await buildTestApp(t, { HOST: '0.0.0.0' });
    for (const host of ['172.17.0.5:8098', 'gdm', 'evil.example']) assert.equal((await probe(app, host)).statusCode, 200, host);
  });

  test('ALLOWED_HOSTS entries are host names or addresses, not URLs', () => {
    for (const value of ['https://gdm.example.org', 'gdm.example.org:8098', 'a b', 'gdm.example.org/x', '*']) {
      assert.throws(() => loadConfig({ ALLOWED_HOSTS: value }), /ALLOWED_HOSTS/, value);
    }
    assert.deepEqual(loadConfig({ ALLOWED_HOSTS: 'GDM.example.org,10.0.0.5, [::1] ' }).allowedHosts, ['gdm.example.org', '10.0.0.5', '[::1]']);
  });
});
