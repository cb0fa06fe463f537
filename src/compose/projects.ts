import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { appError } from '../errors.js';
import { checkDotEnv, FILE_NAME, isInside, PROJECT_NAME, safeComposeFile, type EngineSocket } from './paths.js';
import { checkComposeReferences } from './references.js';
import { declaredEngine } from './engine-env.js';

/** A project this service may run up/down on: its folder and its files in order. */
export interface ManagedProject {
  name: string;
  dir: string;
  files: string[];
  source: 'directory' | 'declared';
  /** Declared with `trusted: true`: may give its containers the host (privileged, the socket, …). */
  trusted: boolean;
  /** The engine it runs on (declared, or `.gdm-engine` in its folder); absent: the first engine. */
  engine?: string;
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
    const engine = declaredEngine(dir);
    if (files.length > 0) out.push({ name, dir: realpathSync(dir), files, source: 'directory', trusted: false, ...(engine ? { engine } : {}) });
  }
  return out;
}

const DeclaredSchema = Type.Object(
  {
    projects: Type.Record(
      Type.String({ pattern: PROJECT_NAME.source }),
      Type.Object(
        {
          dir: Type.String({ minLength: 1 }),
          files: Type.Array(Type.String({ pattern: FILE_NAME.source }), { minItems: 1, maxItems: 20 }),
          trusted: Type.Optional(Type.Boolean()),
          engine: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$', description: 'The engine it runs on (ENGINES_FILE name)' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
type Declared = Static<typeof DeclaredSchema>;

/**
 * Projects declared in the text of COMPOSE_PROJECTS_FILE: several projects may share one
 * folder, each with its own ordered files (docker-compose.foundation.yml, …), and a project
 * may be marked trusted. Throws an Error saying what is wrong.
 */
export function parseDeclaredProjects(text: string): ManagedProject[] {
  let doc: unknown;
  try {
    doc = parseYaml(text) as unknown;
  } catch (err) {
    throw new Error(`not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!Value.Check(DeclaredSchema, doc)) {
    const e = [...Value.Errors(DeclaredSchema, doc)][0];
    throw new Error(`${e?.instancePath || '/'} ${e?.message ?? 'does not match the schema'}`);
  }
  return Object.entries((doc as Declared).projects).map(([name, p]) => {
    if (!existsSync(p.dir)) throw new Error(`folder ${p.dir} of ${name} does not exist`);
    const engine = p.engine ?? declaredEngine(p.dir);
    return { name, dir: realpathSync(p.dir), files: p.files, source: 'declared' as const, trusted: p.trusted === true, ...(engine ? { engine } : {}) };
  });
}

export interface LoadedProject {
  /** Absolute paths, validated, in order. */
  paths: string[];
  services: string[];
  /** Every file read (the given ones, then what they extend or include): name in the folder → its document. */
  docs: Map<string, unknown>;
}

/**
 * Validates the files of one run: bare names inside the folder (symlinks too), the
 * project's .env, and every path they and the files they extend or include refer to.
 * Returns the services they define and the documents read. Merge keys are applied as
 * compose applies them, so that `<<: *anchor` hides nothing from the checks.
 */
export function loadProjectFiles(project: ManagedProject, files: readonly string[], sockets: readonly EngineSocket[]): LoadedProject {
  const ctx = { dirReal: project.dir, trusted: project.trusted, sockets };
  checkDotEnv(project.dir, project.dir);
  const services = new Set<string>();
  const paths = files.map((f) => safeComposeFile(project.dir, f));
  const docs = new Map<string, unknown>();
  const visit = (path: string, depth: number) => {
    const name = path.slice(project.dir.length + 1);
    if (docs.has(name)) return;
    // Compose would read deeper files unchecked: refuse rather than stop looking.
    if (depth > 5) throw appError('COMPOSE_UNSAFE', `${name}: extends and include nest deeper than 5 files`);
    checkDotEnv(project.dir, dirname(path));
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(path, 'utf8'), { merge: true });
    } catch (err) {
      throw appError('VALIDATION_ERROR', `${name} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    docs.set(name, doc);
    checkComposeReferences(ctx, name, doc);
    const d = (doc ?? {}) as Record<string, unknown>;
    if (depth === 0 && d['services'] && typeof d['services'] === 'object') for (const s of Object.keys(d['services'] as object)) services.add(s);
    // Files pulled in by extends/include are checked the same way (already known to be inside).
    for (const ref of referencedFiles(d)) {
      const target = join(project.dir, ref);
      if (existsSync(target)) visit(realpathSync(target), depth + 1);
    }
  };
  for (const p of paths) visit(p, 0);
  return { paths, services: [...services].sort(), docs };
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
