import { appError, isAppError, type AppError } from '../errors.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ERR_SOCKET_CLOSED']);

interface EngineErrorShape {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
}

/** True when the error says the engine could not be reached at all. */
export function isUnreachable(err: unknown): boolean {
  const e = err as EngineErrorShape | undefined;
  if (!e) return false;
  if (isAppError(err)) return err.code === 'DOCKER_UNAVAILABLE';
  return (e.code !== undefined && UNREACHABLE_CODES.has(e.code)) || e.message === 'socket hang up';
}

/**
 * Turns whatever the Docker client threw into one of our coded errors. The engine's own
 * text never reaches a caller: it may hold paths, ids of hidden containers or internals.
 */
export function toAppError(err: unknown, notFound: 'CONTAINER_NOT_FOUND' | 'NOT_FOUND' = 'CONTAINER_NOT_FOUND'): AppError {
  if (isAppError(err)) return err;
  const e = (err ?? {}) as EngineErrorShape;
  const coded = (code: Parameters<typeof appError>[0]) => appError(code, undefined, undefined, e.message);
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
