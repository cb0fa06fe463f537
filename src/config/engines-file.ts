import { accessSync, constants, readFileSync } from 'node:fs';
import { isAbsolute, dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { EngineConfig } from './config-schema.js';

/**
 * An engine name: safe inside a `{engine}:{ref}` reference, a URL path segment, a metrics
 * label and a log line (no `:`, no slash, no space).
 */
export const ENGINE_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/i;

const KEYS = new Set(['name', 'url', 'tls', 'ssh', 'required', 'timeoutMs', 'apiVersion']);
const TLS_KEYS = ['ca', 'cert', 'key'] as const;
const SSH_KEYS = ['key', 'knownHosts'] as const;

/** A mistake in ENGINES_FILE, naming the file, the engine and the key. */
export class EnginesFileError extends Error {
  constructor(file: string, where: string, problem: string) {
    super(`Invalid ENGINES_FILE ${file}: ${where}: ${problem}`);
    this.name = 'EnginesFileError';
  }
}

export interface EngineDefaults {
  timeoutMs: number;
  apiVersion?: string;
  /** SSH_AUTH_SOCK: ssh:// engines may log in through this agent. */
  sshAgent?: string;
  /** SSH_KNOWN_HOSTS (else ~/.ssh/known_hosts): an ssh:// engine without ssh.knownHosts checks host keys against it. */
  sshKnownHosts?: string;
}

/**
 * Reads and validates the engines file (the form in README "Engines"). Every problem is
 * refused at start with the file, the engine and the key named: a service that starts
 * with a half-understood engine list would show a wrong picture. TLS files are checked
 * readable here; their content is read when the client is built and never shown.
 */
export function readEnginesFile(file: string, defaults: EngineDefaults): EngineConfig[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EnginesFileError(file, 'the file', `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new EnginesFileError(file, 'the file', `is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const list = (doc as { engines?: unknown } | null)?.engines;
  if (!Array.isArray(list) || list.length === 0) throw new EnginesFileError(file, 'key "engines"', 'expected a non-empty list of engines');
  const seen = new Set<string>();
  return list.map((entry, index) => {
    const engine = parseEngine(file, entry, index, defaults);
    const lower = engine.name.toLowerCase();
    if (seen.has(lower)) throw new EnginesFileError(file, `engine "${engine.name}"`, 'the name is used twice (names are compared case-insensitively)');
    seen.add(lower);
    return engine;
  });
}

function parseEngine(file: string, entry: unknown, index: number, defaults: EngineDefaults): EngineConfig {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new EnginesFileError(file, `engine #${index + 1}`, 'expected a mapping with name and url');
  const e = entry as Record<string, unknown>;
  const name = e['name'];
  if (typeof name !== 'string' || !ENGINE_NAME.test(name)) {
    throw new EnginesFileError(file, `engine #${index + 1}, key "name"`, `expected 1-63 letters, digits, "_", "." or "-" starting with a letter or digit (no ":"), got ${JSON.stringify(name ?? null)}`);
  }
  const where = (key: string) => `engine "${name}", key "${key}"`;
  for (const key of Object.keys(e)) if (!KEYS.has(key)) throw new EnginesFileError(file, where(key), `unknown key (expected one of ${[...KEYS].join(', ')})`);
  const url = e['url'];
  if (typeof url !== 'string' || !/^(unix:\/\/\/|tcp:\/\/|ssh:\/\/)\S+$/.test(url)) {
    throw new EnginesFileError(file, where('url'), 'expected unix:///path, tcp://host:port or ssh://user@host');
  }
  try {
    new URL(url);
  } catch {
    throw new EnginesFileError(file, where('url'), 'is not a valid URL');
  }
  const required = e['required'] ?? index === 0;
  if (typeof required !== 'boolean') throw new EnginesFileError(file, where('required'), 'expected true or false');
  const timeoutMs = e['timeoutMs'] ?? defaults.timeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) {
    throw new EnginesFileError(file, where('timeoutMs'), 'expected milliseconds, 100-600000');
  }
  const apiVersion = e['apiVersion'] === undefined ? defaults.apiVersion : String(e['apiVersion']).replace(/^v/, '');
  if (apiVersion !== undefined && !/^1\.[0-9]{2}$/.test(apiVersion)) throw new EnginesFileError(file, where('apiVersion'), 'expected an engine API version such as 1.41');
  const engine: EngineConfig = { name, host: url, tlsVerify: false, required, timeoutMs, ...(apiVersion ? { apiVersion } : {}) };
  if (e['tls'] !== undefined) {
    if (!url.startsWith('tcp://')) throw new EnginesFileError(file, where('tls'), 'TLS applies to tcp:// engines only');
    engine.tls = parseTls(file, name, e['tls']);
    engine.tlsVerify = true;
  }
  if (e['ssh'] !== undefined && !url.startsWith('ssh://')) throw new EnginesFileError(file, where('ssh'), 'applies to ssh:// engines only');
  if (url.startsWith('ssh://')) {
    // Neither a key nor an agent is not refused (the bare `ssh://pi@host` form): the
    // engine then cannot log in and its status says so (ssh2's authentication error).
    // Host keys are always checked: against the engine's own file, else the default one
    // (not checked readable here: a missing default refuses every host key, and says so).
    const ssh = e['ssh'] === undefined ? {} : parseSsh(file, name, e['ssh']);
    engine.ssh = { ...(defaults.sshKnownHosts ? { knownHosts: defaults.sshKnownHosts } : {}), ...ssh, ...(defaults.sshAgent ? { agent: defaults.sshAgent } : {}) };
  }
  return engine;
}

/** `ssh: { key, knownHosts }`: paths of an unencrypted private key and of a known_hosts file. */
function parseSsh(file: string, name: string, value: unknown): { key?: string; knownHosts?: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EnginesFileError(file, `engine "${name}", key "ssh"`, 'expected { key, knownHosts }');
  const t = value as Record<string, unknown>;
  for (const key of Object.keys(t)) if (!(SSH_KEYS as readonly string[]).includes(key)) throw new EnginesFileError(file, `engine "${name}", key "ssh.${key}"`, 'unknown key (expected key, knownHosts)');
  const out: { key?: string; knownHosts?: string } = {};
  for (const key of SSH_KEYS) if (t[key] !== undefined) out[key] = readablePath(file, `engine "${name}", key "ssh.${key}"`, t[key]);
  return out;
}

/** A file the engine needs: relative to the engines file, readable now (its content is read by the client only). */
function readablePath(file: string, where: string, path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw new EnginesFileError(file, where, 'expected the path of a file');
  // Relative paths are relative to the engines file, so the file and its keys move together.
  const full = isAbsolute(path) ? path : resolve(dirname(file), path);
  try {
    accessSync(full, constants.R_OK);
  } catch (err) {
    throw new EnginesFileError(file, where, `the file ${full} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return full;
}

function parseTls(file: string, name: string, value: unknown): NonNullable<EngineConfig['tls']> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EnginesFileError(file, `engine "${name}", key "tls"`, 'expected { ca, cert, key }');
  const t = value as Record<string, unknown>;
  for (const key of Object.keys(t)) if (!(TLS_KEYS as readonly string[]).includes(key)) throw new EnginesFileError(file, `engine "${name}", key "tls.${key}"`, 'unknown key (expected ca, cert, key)');
  const out: Record<string, string> = {};
  for (const key of TLS_KEYS) out[key] = readablePath(file, `engine "${name}", key "tls.${key}"`, t[key]);
  return out as NonNullable<EngineConfig['tls']>;
}
