import { readFileSync } from 'node:fs';

/** The package's name and version, read once from package.json (src/ and dist/src/ alike). */
function readPackage(): { name: string; version: string } {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gui-docker-manager') return { name: pkg.name, version: pkg.version ?? '0.0.0' };
    } catch {
      // try the next location
    }
  }
  return { name: 'gui-docker-manager', version: '0.0.0' };
}

export const PACKAGE = readPackage();
