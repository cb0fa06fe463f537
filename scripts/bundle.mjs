/* global console, performance */
// The service as one ES module: dist/src/cli.js, made by esbuild from src/cli.ts after tsc
// has checked the types (npm run build:server). Why (issue 13, memory): Node keeps every ES
// module it loads as its own record with its source and bindings, ~20 KiB each; typebox
// alone is 709 modules (~16 MiB of RSS imported as files, ~2 MiB as one bundle), and our
// own ~270 modules add more. CommonJS packages stay external (loaded from node_modules as
// before, which native better-sqlite3 and pino's worker-file lookups need); only pure-ESM
// packages are bundled in with our code.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Pure-ESM runtime dependencies made of many modules: bundled. Every other dependency stays external. */
const BUNDLED = new Set(['typebox', 'jose', 're2js']);

const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name));

// Nothing of an earlier file-per-module build stays next to the bundle to be run by mistake.
rmSync(join(root, 'dist', 'src'), { recursive: true, force: true });
const started = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/src/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // A package listed here is external with all its subpaths (fastify/…, @fastify/…).
  external,
  // No keepNames: it wraps every function expression made at run time in a naming call
  // (seen in the list's hot path); our error classes name themselves.
  // A map for `node --enable-source-maps`; the sources themselves are not shipped in it.
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs).length;
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + (o.bytes ?? 0), 0);
console.log(`bundle: dist/src/cli.js from ${inputs} modules (${(bytes / 1024).toFixed(0)} KiB with its map) in ${Math.round(performance.now() - started)} ms`);
