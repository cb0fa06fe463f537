import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { EngineConfig } from '../config.js';
import { appError } from '../errors.js';

/** The file in a project folder that names its engine (one line: an ENGINES_FILE name). */
export const ENGINE_FILE = '.gdm-engine';
const ENGINE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** The engine a project folder declares in `.gdm-engine`, if any (a bad name is kept: up/down then say why). */
export function declaredEngine(dir: string): string | undefined {
  const file = join(dir, ENGINE_FILE);
  if (!existsSync(file)) return undefined;
  const name = readFileSync(file, 'utf8').trim();
  return name === '' ? undefined : name;
}

/**
 * The compose tool's environment for each engine: PATH and HOME as the service has them,
 * the engine's DOCKER_HOST and, for TLS, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH. The CLI
 * reads certificates only as ca.pem, cert.pem and key.pem in one folder; files named
 * otherwise get a private folder of links to them (made once, at start).
 */
export class EngineEnvironments {
  private readonly envs = new Map<string, NodeJS.ProcessEnv>();
  readonly defaultEngine: string;

  constructor(engines: readonly EngineConfig[], base: NodeJS.ProcessEnv) {
    this.defaultEngine = engines[0]?.name ?? 'local';
    const common = Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('DOCKER_')));
    for (const e of engines) {
      const env: NodeJS.ProcessEnv = { ...common, DOCKER_HOST: e.host };
      if (e.apiVersion) env['DOCKER_API_VERSION'] = e.apiVersion;
      const certPath = e.tls ? certFolder(e.tls) : e.certPath;
      if (certPath) env['DOCKER_CERT_PATH'] = certPath;
      if (e.tlsVerify) env['DOCKER_TLS_VERIFY'] = '1';
      this.envs.set(e.name, env);
    }
  }

  /** The environment for a project's engine; an engine not configured is refused, naming it. */
  envFor(project: { name: string; engine?: string }): NodeJS.ProcessEnv {
    const engine = project.engine ?? this.defaultEngine;
    const env = this.envs.get(engine);
    if (!env) throw appError('VALIDATION_ERROR', `Project ${project.name} names engine "${engine}", which is not one of the configured engines`);
    return env;
  }

  has(engine: string): boolean {
    return this.envs.has(engine);
  }
}

function certFolder(tls: NonNullable<EngineConfig['tls']>): string {
  const dir = dirname(tls.ca);
  const standard = basename(tls.ca) === 'ca.pem' && tls.cert === join(dir, 'cert.pem') && tls.key === join(dir, 'key.pem');
  if (standard) return dir;
  const links = mkdtempSync(join(tmpdir(), 'gdm-engine-certs-'));
  symlinkSync(tls.ca, join(links, 'ca.pem'));
  symlinkSync(tls.cert, join(links, 'cert.pem'));
  symlinkSync(tls.key, join(links, 'key.pem'));
  return links;
}

/** Checked by name only; the engine itself may be down (compose then fails as it would). */
export function validEngineName(name: string): boolean {
  return ENGINE_NAME.test(name);
}
