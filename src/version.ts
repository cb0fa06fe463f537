import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's folder (the same from src/ under tsx and from dist/src/ when built). */
function findPackageRoot(): { root: string; name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gui-docker-manager') return { root: dir, name: pkg.name, version: pkg.version ?? '0.0.0' };
    } catch {
      // not here: try the folder above
    }
    dir = dirname(dir);
  }
  return { root: process.cwd(), name: 'gui-docker-manager', version: '0.0.0' };
}

export const PACKAGE = findPackageRoot();
