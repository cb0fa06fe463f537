import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Type from 'typebox';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { appError } from '../errors.js';
import { checkComposeReferences, FILE_NAME, isInside, PROJECT_NAME, safeComposeFile } from './paths.js';

/** A project this service may run up/down on: its folder and its files in order. */
export interface ManagedProject {
  name: string;
  dir: string;
  files: string[];
  source: 'directory' | 'declared';
}

/** Compose's own default file names, in its order of preference, then the override. */
const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDE_FILES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

function defaultFiles(dir: string): string[] {
  const names = readdirSync(dir).filter((f) => FILE_NAME.test(f));
  const main = DEFAULT_FILES.find((f) => names.includes(f));
  if (main) return [main, ...OVERRIDE_FILES.filter((f) => names.includes(f)).slice(0, 1)];
  // No default file: several files side by side (docker-compose.core.yml, …) in name order.
  return names.sort();
}

/** One folder per project under COMPOSE_PROJECTS_DIR (folder name = project name). */
export function discoverProjects(projectsDir: string | undefined): ManagedProject[] {
  if (!projectsDir || !existsSync(projectsDir)) return [];
  const root = realpathSync(projectsDir);
  const out: ManagedProject[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!PROJECT_NAME.test(name) || !statSync(dir).isDirectory() || !isInside(root, realpathSync(dir))) continue;
    const files = defaultFiles(dir);
    if (files.length > 0) out.push({ name, dir: realpathSync(dir), files, source: 'directory' });
  }
  return out;
}

const DeclaredSchema = Type.Object(
  {
    projects: Type.Record(
      Type.String({ pattern: PROJECT_NAME.source }),
      Type.Object(
        { dir: Type.String({ minLength: 1 }), files: Type.Array(Type.String({ pattern: FILE_NAME.source }), { minItems: 1, maxItems: 20 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * Projects declared in COMPOSE_PROJECTS_FILE: several projects may share one folder, each
 * with its own ordered files (docker-compose.foundation.yml, docker-compose.core.yml, …).
 */
export function declaredProjects(file: string | undefined): ManagedProject[] {
  if (!file) return [];
  const doc = parseYaml(readFileSync(file, 'utf8')) as unknown;
  if (!Value.Check(DeclaredSchema, doc)) {
    const e = [...Value.Errors(DeclaredSchema, doc)][0];
    throw new Error(`Invalid compose projects file ${file}: ${e?.instancePath || '/'} ${e?.message ?? ''}`);
  }
  return Object.entries((doc as { projects: Record<string, { dir: string; files: string[] }> }).projects).map(([name, p]) => {
    if (!existsSync(p.dir)) throw new Error(`Invalid compose projects file ${file}: folder ${p.dir} of ${name} does not exist`);
    return { name, dir: realpathSync(p.dir), files: p.files, source: 'declared' as const };
  });
}

export interface LoadedProject {
  /** Absolute paths, validated, in order. */
  paths: string[];
  services: string[];
}

/**
 * Validates the files of one run: bare names inside the folder (symlinks too), and every
 * path they and the files they extend or include refer to. Returns the services they define.
 */
export function loadProjectFiles(project: ManagedProject, files: readonly string[]): LoadedProject {
  const services = new Set<string>();
  const paths = files.map((f) => safeComposeFile(project.dir, f));
  const seen = new Set<string>();
  const visit = (path: string, depth: number) => {
    if (seen.has(path) || depth > 5) return;
    seen.add(path);
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(path, 'utf8'));
    } catch (err) {
      throw appError('VALIDATION_ERROR', `${path.slice(project.dir.length + 1)} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    checkComposeReferences(project.dir, path.slice(project.dir.length + 1), doc);
    const d = (doc ?? {}) as Record<string, unknown>;
    if (depth === 0 && d['services'] && typeof d['services'] === 'object') for (const s of Object.keys(d['services'] as object)) services.add(s);
    // Files pulled in by extends/include are checked the same way (already known to be inside).
    for (const ref of referencedFiles(d)) {
      const target = join(project.dir, ref);
      if (existsSync(target)) visit(realpathSync(target), depth + 1);
    }
  };
  for (const p of paths) visit(p, 0);
  return { paths, services: [...services].sort() };
}

function referencedFiles(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const entry of Array.isArray(doc['include']) ? doc['include'] : []) {
    if (typeof entry === 'string') out.push(entry);
    else if (entry && typeof entry === 'object') for (const p of [(entry as { path?: unknown }).path].flat()) if (typeof p === 'string') out.push(p);
  }
  const services = doc['services'];
  if (services && typeof services === 'object') {
    for (const svc of Object.values(services as Record<string, unknown>)) {
      const ext = (svc as { extends?: { file?: unknown } } | null)?.extends?.file;
      if (typeof ext === 'string') out.push(ext);
    }
  }
  return out;
}
