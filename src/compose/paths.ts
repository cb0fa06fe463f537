import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { appError } from '../errors.js';

export const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.ya?ml$/;

export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/**
 * The real path of `path`, following symlinks: of what exists, else of its deepest existing
 * folder with the rest appended — the engine creates a missing bind source where that
 * folder really is, so a symlinked folder inside the project must not hide where it leads.
 */
export function real(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(real(parent), basename(abs));
}

/** A socket of the engine: by its real path and, for hard links, by device and inode. */
export interface EngineSocket {
  real: string;
  dev?: number;
  ino?: number;
}

/** The engine's socket paths: the usual two and the one DOCKER_HOST names, as they are now. */
export function engineSockets(dockerHost: string | undefined): EngineSocket[] {
  const paths = ['/var/run/docker.sock', '/run/docker.sock'];
  if (dockerHost?.startsWith('unix://')) paths.push(dockerHost.slice('unix://'.length));
  return paths.map((p) => {
    const r = real(p);
    const s = existsSync(r) ? statSync(r) : undefined;
    return s ? { real: r, dev: s.dev, ino: s.ino } : { real: r };
  });
}

/**
 * What is wrong with a host path a project hands to the engine: `socket` when it is the
 * engine's socket (the host itself), `outside` when it lies outside the project folder.
 */
export function hostPathProblem(dirReal: string, path: string, sockets: readonly EngineSocket[]): 'socket' | 'outside' | undefined {
  const target = real(isAbsolute(path) ? path : resolve(dirReal, path));
  const s = existsSync(target) ? statSync(target) : undefined;
  if (sockets.some((k) => k.real === target || (s && k.ino !== undefined && k.dev === s.dev && k.ino === s.ino))) return 'socket';
  return isInside(dirReal, target) ? undefined : 'outside';
}

export const SOCKET_REFUSAL = 'is the Docker socket, which gives the container the host; only projects declared with trusted: true in COMPOSE_PROJECTS_FILE may mount it';
export const OUTSIDE_REFUSAL = 'lies outside the project folder';

/** A compose file of the project, by bare name; symlinks must not lead out of the folder. */
export function safeComposeFile(dirReal: string, name: string): string {
  if (!FILE_NAME.test(name)) throw appError('COMPOSE_UNSAFE', `File name ${JSON.stringify(name)} is not allowed: a bare name ending in .yml or .yaml`);
  const path = join(dirReal, name);
  if (!existsSync(path)) throw appError('COMPOSE_UNSAFE', `No file ${name} in the project folder`);
  if (!isInside(dirReal, realpathSync(path))) throw appError('COMPOSE_UNSAFE', `${name} leads outside the project folder`);
  return path;
}

/**
 * A `.env` next to a compose file (the project's, or an included file's folder, which v2
 * reads for it): compose reads it to interpolate, so a symlink out of the project folder
 * would make it read (and pass into containers) any file of the host.
 */
export function checkDotEnv(dirReal: string, folder: string): void {
  const path = join(folder, '.env');
  if (existsSync(path) && !isInside(dirReal, realpathSync(path))) {
    const name = folder === dirReal ? '.env' : `${folder.slice(dirReal.length + 1)}/.env`;
    throw appError('COMPOSE_UNSAFE', `${name} of the project ${OUTSIDE_REFUSAL}`);
  }
}
