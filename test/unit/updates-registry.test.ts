import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseReference, repoDigestFor } from '../../src/updates/registry/reference.js';
import { CredentialStore } from '../../src/updates/registry/credentials.js';
import { MANIFEST_TYPES, RegistryClient } from '../../src/updates/registry/registry-client.js';

describe('image references', () => {
  test('Docker Hub names are normalised (library/, docker.io, registry-1.docker.io)', () => {
    const r = parseReference('nginx');
    assert.deepEqual([r?.domain, r?.apiHost, r?.path, r?.tag, r?.local], ['docker.io', 'registry-1.docker.io', 'library/nginx', 'latest', 'nginx']);
    assert.equal(parseReference('docker.io/library/nginx:1.27')?.canonical, 'docker.io/library/nginx');
    assert.equal(parseReference('index.docker.io/bitnami/redis:7')?.local, 'bitnami/redis');
    assert.deepEqual([parseReference('localhost:5000/app:v1')?.apiHost, parseReference('localhost:5000/app:v1')?.tag], ['localhost:5000', 'v1']);
    assert.equal(parseReference('ghcr.io/o/app@sha256:' + 'a'.repeat(64))?.digest, 'sha256:' + 'a'.repeat(64));
    assert.equal(parseReference('sha256:' + 'b'.repeat(64)), undefined, 'an image id is no reference');
  });

  test('the RepoDigests entry of the same repository is found in any spelling', () => {
    const d = 'sha256:' + 'c'.repeat(64);
    assert.equal(repoDigestFor(parseReference('docker.io/library/nginx:latest')!, [`other/x@sha256:${'d'.repeat(64)}`, `nginx@${d}`]), d);
    assert.equal(repoDigestFor(parseReference('127.0.0.1:5000/app:v1')!, [`127.0.0.1:5001/app@${d}`]), undefined);
  });
});

describe('registry client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gdm-test-auth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const digest = 'sha256:' + 'e'.repeat(64);

  async function serve(handler: (req: IncomingMessage, res: ServerResponse, base: string) => void) {
    const server = createServer((req, res) => handler(req, res, `http://127.0.0.1:${(server.address() as { port: number }).port}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    after(() => server.close());
    return `127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  test('bearer flow: the 401 challenge leads to the token service with the file\'s credentials; HEAD with list and manifest types', async () => {
    const seen: { accept?: string; tokenAuth?: string; scope?: string } = {};
    const host = await serve((req, res, base) => {
      const url = new URL(req.url ?? '/', base);
      if (url.pathname === '/token') {
        seen.tokenAuth = req.headers.authorization;
        seen.scope = url.searchParams.get('scope') ?? '';
        res.setHeader('content-type', 'application/json').end(JSON.stringify({ token: 'T1', expires_in: 300 }));
      } else if (req.headers.authorization !== 'Bearer T1') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/token",service="reg",scope="repository:team/app:pull"` }).end();
      } else {
        seen.accept = req.headers.accept;
        res.writeHead(200, { 'docker-content-digest': digest }).end();
      }
    });
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ auths: { [`https://${host}`]: { auth: Buffer.from('bob:s3cret').toString('base64') } } }));
    const creds = await new CredentialStore(file).load();
    const client = new RegistryClient({ insecure: [host], timeoutMs: 5000 });
    const ref = parseReference(`${host}/team/app:v1`)!;
    assert.equal(await client.digest(ref, creds.get(ref.domain)), digest);
    assert.equal(seen.tokenAuth, `Basic ${Buffer.from('bob:s3cret').toString('base64')}`);
    assert.equal(seen.scope, 'repository:team/app:pull');
    assert.deepEqual(seen.accept?.split(', '), MANIFEST_TYPES);
  });

  test('basic challenge, and plain http only for REGISTRY_INSECURE hosts', async () => {
    const host = await serve((req, res) => {
      if (!req.headers.authorization) res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      else res.writeHead(200, { 'docker-content-digest': digest }).end();
    });
    const ref = parseReference(`${host}/app`)!;
    assert.equal(await new RegistryClient({ insecure: [host], timeoutMs: 5000 }).digest(ref, { username: 'a', password: 'b' }), digest);
    await assert.rejects(new RegistryClient({ insecure: [host], timeoutMs: 5000 }).digest(ref, undefined), /asks for credentials/);
    assert.equal(new RegistryClient({ insecure: [], timeoutMs: 5000 }).baseUrl(ref), `https://${host}`);
  });
});
