import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { docker, TEST_IMAGE, TEST_LABEL } from './docker-cli.js';

const run = promisify(execFile);
const DIR = process.env.GDM_TEST_REGISTRY_DIR ?? '/tmp/gdm-test-registry';
const MANIFEST_TYPES = 'application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

async function answers(address: string): Promise<boolean> {
  try {
    return (await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * The local test registry's address (scripts/setup-test-registry.sh, run by scripts/test.sh;
 * run here when it does not answer, which is idempotent and time-limited).
 */
export async function testRegistry(): Promise<string> {
  const file = join(DIR, 'address');
  if (existsSync(file) && (await answers(readFileSync(file, 'utf8').trim()))) return readFileSync(file, 'utf8').trim();
  await run('bash', [join(import.meta.dirname, '../../scripts/setup-test-registry.sh')], { timeout: 360_000 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * One repository in the test registry, unique to the run: images built locally from the
 * test image plus a changed file (/version), labelled gdm.test=<runId>, pushed under tags.
 * v1 and v2 are healthy (their HEALTHCHECK finds /version); v3's healthcheck always fails.
 */
export class TestRepository {
  readonly repo: string;
  readonly path: string;

  constructor(
    readonly address: string,
    readonly runId: string,
  ) {
    this.path = `gdm-t-${runId}/app`;
    this.repo = `${address}/${this.path}`;
  }

  /** Builds `version`, pushes it as `version` and each of `tags`, then drops the local tags (a pull must fetch it). Returns the image id. */
  async publish(version: 'v1' | 'v2' | 'v3', tags: string[] = []): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'gdm-test-image-'));
    try {
      writeFileSync(join(dir, 'version'), `${version}\n`);
      const check = version === 'v3' ? 'false' : 'test -f /version';
      writeFileSync(
        join(dir, 'Dockerfile'),
        `FROM ${TEST_IMAGE}\nCOPY version /version\nLABEL ${TEST_LABEL}=${this.runId}\nHEALTHCHECK --interval=1s --timeout=2s --retries=1 CMD ${check}\n`,
      );
      await run('docker', ['build', '-q', '--force-rm', '-t', `${this.repo}:${version}`, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const id = await docker('image', 'inspect', '--format', '{{.Id}}', `${this.repo}:${version}`);
    for (const tag of [version, ...tags]) {
      if (tag !== version) await docker('tag', `${this.repo}:${version}`, `${this.repo}:${tag}`);
      await docker('push', '-q', `${this.repo}:${tag}`);
    }
    for (const tag of [version, ...tags]) await docker('rmi', `${this.repo}:${tag}`).catch(() => undefined);
    return id;
  }

  /** The digest the registry serves for a tag, asked directly (not through the service). */
  async digest(tag: string): Promise<string> {
    const res = await fetch(`http://${this.address}/v2/${this.path}/manifests/${tag}`, { method: 'HEAD', headers: { accept: MANIFEST_TYPES } });
    if (!res.ok) throw new Error(`registry answered ${res.status} for ${tag}`);
    return res.headers.get('docker-content-digest') ?? '';
  }

  /** Points tag `to` at the manifest `from` has, in the registry alone (a manifest PUT: nothing built, nothing on the engine). */
  async retag(from: string, to: string): Promise<void> {
    const got = await fetch(`http://${this.address}/v2/${this.path}/manifests/${from}`, { headers: { accept: MANIFEST_TYPES } });
    if (!got.ok) throw new Error(`registry answered ${got.status} for ${from}`);
    const type = got.headers.get('content-type') ?? '';
    const put = await fetch(`http://${this.address}/v2/${this.path}/manifests/${to}`, { method: 'PUT', headers: { 'content-type': type }, body: Buffer.from(await got.arrayBuffer()) });
    if (!put.ok) throw new Error(`registry answered ${put.status} to the PUT of ${to}`);
  }

  /** Removes the images of this run and the repository's folder in the registry's storage. */
  async cleanup(): Promise<void> {
    const ids = await docker('images', '-q', '--no-trunc', '--filter', `label=${TEST_LABEL}=${this.runId}`).catch(() => '');
    for (const id of new Set(ids.split('\n').filter(Boolean))) await docker('rmi', '-f', id).catch(() => undefined);
    rmSync(join(DIR, 'storage/docker/registry/v2/repositories', `gdm-t-${this.runId}`), { recursive: true, force: true });
  }
}
