import type { FastifyBaseLogger } from 'fastify';
import { SYSTEM_PRINCIPAL } from '../access/principal.js';
import type { UpdateService } from './update-service.js';

/**
 * The scheduled image update check (UPDATE_CHECK_INTERVAL): every container, as the
 * system, once the store is synced; never two at once; never pulls. Each check ends with
 * the service's `checked` event, so what waits on a check listens rather than polls.
 */
export function scheduleChecks(updates: UpdateService, isSynced: () => boolean, everyMs: number, log: FastifyBaseLogger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running || !isSynced()) return;
    running = true;
    updates
      .check({}, SYSTEM_PRINCIPAL, 'schedule')
      .catch((err: unknown) => log.warn({ err }, 'scheduled image update check failed'))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
