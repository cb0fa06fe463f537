/**
 * Writes the service's OpenAPI document to clients/typescript/openapi.json (or to the path
 * given as the first argument), for the generated TypeScript client.
 *
 *   node --import tsx scripts/export-openapi.ts [out.json]
 *
 * The app is built in-process with a throw-away DATA_DIR and without a Docker engine: the
 * document does not depend on one, so nothing waits for readiness.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { relaxDefaultedQueryParameters } from '../src/http/openapi.js';

/** The service's OpenAPI document as the client is generated from it (a copy; `document` is left as is). */
export function clientDocument(document: object): { document: object; relaxed: string[] } {
  const copy = structuredClone(document) as { paths?: Record<string, Record<string, unknown>> };
  return { document: copy, relaxed: relaxDefaultedQueryParameters(copy) };
}

/** The file's text: pretty JSON with the keys in the order the service produces them. */
export function serialize(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const out = resolve(process.argv[2] ?? join(root, 'clients', 'typescript', 'openapi.json'));
  const dataDir = mkdtempSync(join(tmpdir(), 'gdm-openapi-'));
  try {
    // Only what the document needs, none of the caller's environment: the output is the same
    // everywhere. The engine address is a socket that does not exist, so no engine is touched.
    const config = loadConfig({
      DATA_DIR: dataDir,
      DOCKER_HOST: `unix://${join(dataDir, 'no-engine.sock')}`,
      JWT_SECRET_KEY: randomBytes(32).toString('hex'),
      ADMIN_PASSWORD: randomBytes(16).toString('hex'),
      LOG_LEVEL: 'silent',
    });
    const app = await buildApp({ config, logger: false, composeTool: null });
    try {
      await app.ready();
      const { document, relaxed } = clientDocument(app.swagger());
      writeFileSync(out, serialize(document));
      console.log(`wrote ${out}${relaxed.length ? ` (query parameters with a default made optional: ${relaxed.length})` : ''}`);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Run only as a script: the client's tests import clientDocument() to check the committed file.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
