import { appError, isAppError, type AppError } from '../errors.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ERR_SOCKET_CLOSED']);

interface EngineErrorShape {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Why an ssh:// engine could not be reached, in a word (a cause code) and in our own text. */
export interface SshFailure {
  cause: 'SSH_HOST_KEY_REFUSED' | 'SSH_HANDSHAKE_FAILED' | 'SSH_AUTH_FAILED' | 'SSH_AGENT_FAILED' | 'SSH_TIMEOUT' | 'SSH_PROTOCOL_ERROR';
  message: string;
}

/**
 * An ssh2 failure, told by the `level` ssh2 sets on its errors (its socket and DNS errors
 * carry a system code and are read like any other). Undefined for anything else.
 */
export function sshFailure(err: unknown): SshFailure | undefined {
  const e = err as { level?: unknown; message?: unknown } | undefined;
  switch (e?.level) {
    case 'handshake':
      return typeof e.message === 'string' && e.message.startsWith('Host denied')
        ? { cause: 'SSH_HOST_KEY_REFUSED', message: "The ssh host key of the engine's host is not in its known_hosts file" }
        : { cause: 'SSH_HANDSHAKE_FAILED', message: "The ssh handshake with the engine's host failed" };
    case 'client-authentication':
      return { cause: 'SSH_AUTH_FAILED', message: "The engine's ssh host refused the login (the user in the URL with ssh.key or the agent)" };
    case 'agent':
      return { cause: 'SSH_AGENT_FAILED', message: 'The SSH agent (SSH_AUTH_SOCK) could not sign the ssh login' };
    case 'client-timeout':
      return { cause: 'SSH_TIMEOUT', message: "The engine's ssh host did not complete the handshake in time" };
    case 'protocol':
      return { cause: 'SSH_PROTOCOL_ERROR', message: "The engine's ssh host broke the ssh protocol" };
    default:
      return undefined;
  }
}

/** True when the error says the engine could not be reached at all. */
export function isUnreachable(err: unknown): boolean {
  const e = err as EngineErrorShape | undefined;
  if (!e) return false;
  if (isAppError(err)) return err.code === 'DOCKER_UNAVAILABLE';
  return (e.code !== undefined && UNREACHABLE_CODES.has(e.code)) || e.message === 'socket hang up' || sshFailure(err) !== undefined;
}

/**
 * Turns whatever the Docker client threw into one of our coded errors. The engine's own
 * text never reaches a caller: it may hold paths, ids of hidden containers or internals.
 */
export function toAppError(err: unknown, notFound: 'CONTAINER_NOT_FOUND' | 'NOT_FOUND' = 'CONTAINER_NOT_FOUND'): AppError {
  if (isAppError(err)) return err;
  const e = (err ?? {}) as EngineErrorShape;
  const coded = (code: Parameters<typeof appError>[0]) => appError(code, undefined, undefined, e.message);
  // The cause leads the internal text: the engine status shows it as lastError.cause.
  const ssh = sshFailure(err);
  if (ssh) return appError('DOCKER_UNAVAILABLE', ssh.message, undefined, `${ssh.cause}: ${e.message ?? ''}`);
  if (isUnreachable(err)) return coded('DOCKER_UNAVAILABLE');
  if (e.message === 'timeout' || e.code === 'ESOCKETTIMEDOUT' || e.name === 'AbortError') return coded('DOCKER_TIMEOUT');
  switch (e.statusCode) {
    case 404:
      return coded(notFound);
    case 409:
      return coded('CONTAINER_CONFLICT');
    default:
      return coded('DOCKER_ERROR');
  }
}
