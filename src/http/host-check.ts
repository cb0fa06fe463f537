import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { appError } from '../errors.js';

/** Names a browser only sends when its page itself is on this machine: never a rebound name. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether HOST (the listen address) accepts connections from this machine only. */
export function listensOnLoopbackOnly(listenHost: string): boolean {
  const host = listenHost.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * The host name of a Host header (or a trusted proxy's X-Forwarded-Host): lower case, port
 * and a trailing dot dropped, IPv6 kept in brackets. Undefined when there is none.
 */
export function hostNameOf(header: string): string | undefined {
  const value = header.trim().toLowerCase();
  if (value === '') return undefined;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(0, end + 1) : undefined;
  }
  const name = value.replace(/:\d*$/, '').replace(/\.$/, '');
  return name === '' ? undefined : name;
}

/**
 * Which host names the service answers to, or null for any. A DNS-rebinding page reaches
 * the service under the attacker's name, so:
 * - ALLOWED_HOSTS set: those names (and the loopback names) only, wherever it listens;
 * - listening on loopback only: the loopback names only;
 * - listening on other addresses without ALLOWED_HOSTS: any name, since probes and scrapes
 *   (Docker HEALTHCHECK, Prometheus) come by the container's address, which is unknown here.
 */
export function allowedHostNames(listenHost: string, allowedHosts: readonly string[]): ReadonlySet<string> | null {
  if (allowedHosts.length > 0) return new Set([...LOOPBACK_NAMES, ...allowedHosts]);
  return listensOnLoopbackOnly(listenHost) ? LOOPBACK_NAMES : null;
}

/** First of the request hooks: a name we do not answer to gets 421 before anything runs. */
export function registerHostCheck(app: FastifyInstance, listenHost: string, allowedHosts: readonly string[]): void {
  const allowed = allowedHostNames(listenHost, allowedHosts);
  if (!allowed) return;
  app.addHook('onRequest', async (request) => {
    const name = hostNameOf(request.host);
    if (name === undefined || !allowed.has(name)) {
      throw appError('MISDIRECTED_REQUEST', `This service does not answer to host ${JSON.stringify((name ?? '').slice(0, 100))}; see ALLOWED_HOSTS`);
    }
  });
}
