import { appError } from '../errors.js';
import { hostPathProblem, OUTSIDE_REFUSAL, SOCKET_REFUSAL, type EngineSocket } from './paths.js';

/** What the raw checks need to know of the project. */
export interface ReferenceContext {
  dirReal: string;
  /** The project is declared trusted: it may mount the engine's socket. */
  trusted: boolean;
  sockets: readonly EngineSocket[];
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A remote reference (git, http, oci): compose would fetch it, and it cannot be checked here. */
const REMOTE = /^([a-z][a-z0-9+.-]*:\/\/|git@|oci:)/i;

/** One path a compose file refers to: relative to the project, and inside it. */
function checkPath(ctx: ReferenceContext, file: string, what: string, value: unknown): void {
  if (typeof value !== 'string') return;
  const refuse = (why: string) => {
    throw appError('COMPOSE_UNSAFE', `${file}: ${what} ${JSON.stringify(value)} ${why}`);
  };
  // Interpolated paths cannot be checked before compose expands them.
  if (value.includes('$')) refuse('uses a variable; write the path out');
  if (value.startsWith('~')) refuse('points into a home folder');
  if (REMOTE.test(value)) refuse('is remote; only files of the project folder may be used');
  const problem = hostPathProblem(ctx.dirReal, value, ctx.sockets);
  if (problem === 'socket' && !ctx.trusted) refuse(SOCKET_REFUSAL);
  if (problem === 'outside') refuse(OUTSIDE_REFUSAL);
}

/** A volume's short syntax source is a path when it starts like one; else it names a volume. */
function bindSource(volume: unknown): string | undefined {
  if (typeof volume === 'string') {
    const source = volume.split(':')[0] ?? '';
    return /^(\.|\/|~|\$)/.test(source) ? source : undefined;
  }
  if (isRecord(volume) && volume['type'] === 'bind') return String(volume['source'] ?? '');
  return undefined;
}

function checkService(ctx: ReferenceContext, file: string, name: string, svc: Record<string, unknown>): void {
  const key = `services.${name}`;
  for (const e of asArray(svc['env_file'])) checkPath(ctx, file, `${key}.env_file`, isRecord(e) ? e['path'] : e);
  for (const e of asArray(svc['label_file'])) checkPath(ctx, file, `${key}.label_file`, e);
  if (isRecord(svc['extends'])) checkPath(ctx, file, `${key}.extends.file`, svc['extends']['file']);
  for (const v of asArray(svc['volumes'])) {
    const source = bindSource(v);
    if (source !== undefined) checkPath(ctx, file, `${key}.volumes`, source);
  }
  const build = svc['build'];
  // A build context may be a git URL (builds are off unless allowed); a local one stays inside.
  const context = typeof build === 'string' ? build : isRecord(build) ? (build['context'] ?? '.') : undefined;
  if (typeof context === 'string' && !REMOTE.test(context)) checkPath(ctx, file, `${key}.build${typeof build === 'string' ? '' : '.context'}`, context);
}

/**
 * Refuses, from the raw file and before any compose process runs, what would make compose
 * itself read outside the project folder while it resolves the model (env_file, label_file,
 * extends, include), and the plain cases of what the container would get (bind mounts,
 * build contexts, secrets/configs files). YAML merge keys must already be applied: the
 * caller parses with `merge: true`, as compose does.
 */
export function checkComposeReferences(ctx: ReferenceContext, file: string, doc: unknown): void {
  if (!isRecord(doc)) return;
  for (const entry of asArray(doc['include'])) {
    if (typeof entry === 'string') checkPath(ctx, file, 'include', entry);
    else if (isRecord(entry)) {
      for (const p of asArray(entry['path'])) checkPath(ctx, file, 'include', p);
      for (const p of asArray(entry['env_file'])) checkPath(ctx, file, 'include env_file', p);
      checkPath(ctx, file, 'include project_directory', entry['project_directory']);
    }
  }
  for (const section of ['secrets', 'configs'] as const) {
    const entries = doc[section];
    if (isRecord(entries)) for (const [name, e] of Object.entries(entries)) if (isRecord(e)) checkPath(ctx, file, `${section}.${name}.file`, e['file']);
  }
  const services = doc['services'];
  if (!isRecord(services)) return;
  for (const [name, svc] of Object.entries(services)) if (isRecord(svc)) checkService(ctx, file, name, svc);
}
