import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((max, entry) => Math.max(max, newestMtime(join(path, entry))), st.mtimeMs);
}

function mtimeOr(path: string, fallback: number): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return fallback;
  }
}

/**
 * Makes sure dist/src/cli.js exists and is newer than src/ and the build config; builds it
 * otherwise as `npm run build:server` does (tsc checks the types, scripts/bundle.mjs
 * bundles). Returns the entry point and whether it built.
 */
export async function ensureBuilt(root: string, log: (message: string) => void): Promise<{ entry: string; built: boolean; ms: number }> {
  const entry = join(root, 'dist', 'src', 'cli.js');
  const sources = Math.max(newestMtime(join(root, 'src')), mtimeOr(join(root, 'tsconfig.build.json'), 0), mtimeOr(join(root, 'tsconfig.json'), 0));
  if (mtimeOr(entry, -1) >= sources) return { entry, built: false, ms: 0 };
  log('dist/ is missing or older than src/: building (tsc -p tsconfig.build.json, then scripts/bundle.mjs)');
  const started = performance.now();
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    await run(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const output = (err as { stdout?: string }).stdout?.trim();
    throw new Error(`the build failed (fix src/ or run npm run build): ${output || String(err)}`);
  }
  return { entry, built: true, ms: performance.now() - started };
}
