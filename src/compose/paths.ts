import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { appError } from '../errors.js';

export const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.ya?ml$/;

export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/** The real path, following symlinks, of what exists; the normalised path otherwise. */
function real(path: string): string {
  return existsSync(path) ? realpathSync(path) : resolve(path);
}

/** A compose file of the project, by bare name; symlinks must not lead out of the folder. */
export function safeComposeFile(dirReal: string, name: string): string {
  if (!FILE_NAME.test(name)) throw appError('COMPOSE_UNSAFE', `File name ${JSON.stringify(name)} is not allowed: a bare name ending in .yml or .yaml`);
  const path = join(dirReal, name);
  if (!existsSync(path)) throw appError('COMPOSE_UNSAFE', `No file ${name} in the project folder`);
  if (!isInside(dirReal, realpathSync(path))) throw appError('COMPOSE_UNSAFE', `${name} leads outside the project folder`);
  return path;
}

/** One path a compose file refers to: relative to the project, and inside it. */
function checkPath(dirReal: string, file: string, what: string, value: unknown): void {
  if (typeof value !== 'string') return;
  const refuse = (why: string) => {
    throw appError('COMPOSE_UNSAFE', `${file}: ${what} ${JSON.stringify(value)} ${why}`);
  };
  // Interpolated paths cannot be checked before compose expands them.
  if (value.includes('$')) refuse('uses a variable; write the path out');
  if (value.startsWith('~')) refuse('points into a home folder');
  const target = isAbsolute(value) ? value : resolve(dirReal, value);
  if (!isInside(dirReal, real(target))) refuse('lies outside the project folder');
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A volume's short syntax source is a path when it starts like one; else it names a volume. */
function bindSource(volume: unknown): string | undefined {
  if (typeof volume === 'string') {
    const source = volume.split(':')[0] ?? '';
    return /^(\.|\/|~|\$)/.test(source) ? source : undefined;
  }
  if (isRecord(volume) && volume['type'] === 'bind') return String(volume['source'] ?? '');
  return undefined;
}

/**
 * Refuses a compose document that reaches outside its project folder through env_file,
 * extends, include, bind mounts, build contexts, or secrets/configs files — before
 * anything runs. Compose resolves these relative to the project folder, and so do we.
 */
export function checkComposeReferences(dirReal: string, file: string, doc: unknown): void {
  if (!isRecord(doc)) return;
  for (const entry of asArray(doc['include'])) {
    if (typeof entry === 'string') checkPath(dirReal, file, 'include', entry);
    else if (isRecord(entry)) {
      for (const p of asArray(entry['path'])) checkPath(dirReal, file, 'include', p);
      for (const p of asArray(entry['env_file'])) checkPath(dirReal, file, 'include env_file', p);
      checkPath(dirReal, file, 'include project_directory', entry['project_directory']);
    }
  }
  for (const section of ['secrets', 'configs'] as const) {
    const entries = doc[section];
    if (isRecord(entries)) for (const [name, e] of Object.entries(entries)) if (isRecord(e)) checkPath(dirReal, file, `${section}.${name}.file`, e['file']);
  }
  const services = doc['services'];
  if (!isRecord(services)) return;
  for (const [name, svc] of Object.entries(services)) {
    if (!isRecord(svc)) continue;
    for (const e of asArray(svc['env_file'])) checkPath(dirReal, file, `services.${name}.env_file`, isRecord(e) ? e['path'] : e);
    if (isRecord(svc['extends'])) checkPath(dirReal, file, `services.${name}.extends.file`, svc['extends']['file']);
    for (const v of asArray(svc['volumes'])) {
      const source = bindSource(v);
      if (source !== undefined) checkPath(dirReal, file, `services.${name}.volumes`, source);
    }
    const build = svc['build'];
    if (typeof build === 'string') checkPath(dirReal, file, `services.${name}.build`, build);
    else if (isRecord(build)) {
      checkPath(dirReal, file, `services.${name}.build.context`, build['context'] ?? '.');
    }
  }
}
