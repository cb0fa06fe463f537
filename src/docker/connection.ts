import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostVerifier } from './ssh-known-hosts.js';

/** What ssh2 gets for an ssh:// engine (docker-modem passes it to ssh2's Client#connect). */
export interface SshOptions {
  privateKey?: Buffer;
  agent?: string;
  hostVerifier?: (key: Buffer) => boolean;
  readyTimeout?: number;
}

/** What dockerode needs to reach the engine; built from DOCKER_HOST and friends. */
export interface ConnectionOptions {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https' | 'ssh';
  username?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  version?: string;
  sshOptions?: SshOptions;
}

export interface ConnectionSettings {
  host: string;
  apiVersion?: string;
  certPath?: string;
  tlsVerify: boolean;
  /** Paths of the PEM files (ENGINES_FILE's `tls`); read here, never shown. */
  tls?: { ca: string; cert: string; key: string };
  /** ssh:// engines: the private key file, the known_hosts file, the agent socket (paths only). */
  ssh?: { key?: string; knownHosts?: string; agent?: string };
  timeoutMs?: number;
}

/**
 * Translates DOCKER_HOST (unix://, tcp://, ssh://) into client options. Every key is set,
 * even to undefined, because docker-modem merges its own env-derived defaults underneath.
 */
export function connectionOptions(settings: ConnectionSettings): ConnectionOptions {
  const url = new URL(settings.host);
  const base: ConnectionOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    username: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    version: settings.apiVersion ? `v${settings.apiVersion}` : undefined,
    sshOptions: undefined,
  };
  switch (url.protocol) {
    case 'unix:':
      return { ...base, socketPath: decodeURIComponent(url.pathname) };
    case 'tcp:': {
      const tls = settings.tlsVerify || settings.certPath !== undefined || settings.tls !== undefined;
      const options: ConnectionOptions = {
        ...base,
        protocol: tls ? 'https' : 'http',
        host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(url.port || (tls ? 2376 : 2375)),
      };
      if (settings.tls) {
        options.ca = readFileSync(settings.tls.ca);
        options.cert = readFileSync(settings.tls.cert);
        options.key = readFileSync(settings.tls.key);
      } else if (settings.certPath) {
        options.ca = readFileSync(join(settings.certPath, 'ca.pem'));
        options.cert = readFileSync(join(settings.certPath, 'cert.pem'));
        options.key = readFileSync(join(settings.certPath, 'key.pem'));
      }
      return options;
    }
    case 'ssh:': {
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      const port = Number(url.port || 22);
      return {
        ...base,
        protocol: 'ssh',
        host,
        port,
        username: url.username ? decodeURIComponent(url.username) : undefined,
        sshOptions: sshOptions(settings, host, port),
      };
    }
    default:
      throw new Error(`Unsupported DOCKER_HOST scheme ${url.protocol}`);
  }
}

/**
 * How ssh2 logs in: the engine's key file (read here, never shown) and/or the SSH agent.
 * The host key must be listed in ssh.knownHosts (the config fills in SSH_KNOWN_HOSTS or
 * ~/.ssh/known_hosts); with no file named every host key is refused (fail closed: an
 * unchecked key would hand the engine, root on its host, to whoever answers). The
 * handshake gets the engine's timeout, so an unreachable host fails like a slow engine
 * rather than after ssh2's own 20 s.
 */
function sshOptions(settings: ConnectionSettings, host: string, port: number): SshOptions {
  const ssh = settings.ssh ?? {};
  return {
    ...(ssh.key ? { privateKey: readFileSync(ssh.key) } : {}),
    ...(ssh.agent ? { agent: ssh.agent } : {}),
    hostVerifier: ssh.knownHosts ? hostVerifier(ssh.knownHosts, host, port) : () => false,
    ...(settings.timeoutMs ? { readyTimeout: settings.timeoutMs } : {}),
  };
}

/** True when the engine runs on this machine, so its cgroup files are readable here. */
export function isLocalEngine(settings: ConnectionSettings): boolean {
  return settings.host.startsWith('unix://');
}

/** The engine's URL as the API and the logs may show it: no user name, password, query or fragment. */
export function displayUrl(host: string): string {
  try {
    const url = new URL(host);
    if (url.protocol === 'unix:') return `unix://${url.pathname}`;
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
