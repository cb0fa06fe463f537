import type { FastifyRequest } from 'fastify';
import type { Principal } from '../principal.js';
import { appError } from '../../errors.js';

/**
 * The caller as services see it. Enforcement ran before any handler, so a missing
 * principal here is a bug; refuse rather than fall back to "sees everything".
 */
export function viewerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw appError('UNAUTHORIZED');
  return request.principal;
}
