import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram } from 'prom-client';
import type { Config } from '../config.js';
import { openHistoryDatabase } from '../storage/history-database.js';
import { HistoryService } from './history-service.js';
import { HistoryStore } from './history-store.js';
import { HistoryRecorder } from './recorder.js';
import historyRoutes from './routes.js';
import { checkTiers } from './tiers.js';

export interface HistoryFeature {
  store: HistoryStore;
  /** Emits `flush` after each round is written (tests wait for it). */
  recorder: HistoryRecorder;
  service: HistoryService;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Resource history; null when HISTORY_ENABLED=false. */
    history: HistoryFeature | null;
  }
}

const PRUNE_EVERY_MS = 60_000;

/** Resource history: records every running container's and group's usage into DATA_DIR/history.sqlite; its route. */
const historyPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  if (!config.history.enabled) {
    app.decorate('history', null);
    return;
  }
  checkTiers(config.history.tiers);
  const db = openHistoryDatabase(config.dataDir);
  const store = new HistoryStore(db, config.history.tiers);
  const recorder = new HistoryRecorder(
    store,
    app.containers.store,
    app.containers.stats,
    { maxContainers: config.history.maxContainers, pruneEveryMs: PRUNE_EVERY_MS, now: Date.now },
    app.log.child({ feature: 'history' }),
  );
  const service = new HistoryService(store, app.containers.containers, app.containers.store, app.groups.groups);
  app.decorate('history', { store, recorder, service });

  const registers = [app.metrics.registry];
  const roundSeconds = new Histogram({
    name: 'gdm_history_round_seconds',
    help: 'Time to sample and write one resource history round',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers,
  });
  const skipped = new Counter({ name: 'gdm_history_rounds_skipped_total', help: 'History rounds skipped because the previous one was still running', registers });
  recorder.on('flush', (f) => roundSeconds.observe(f.durationMs / 1000));
  recorder.on('skipped', () => skipped.inc());

  app.addHook('onReady', async () => recorder.start());
  app.addHook('onClose', async () => {
    await recorder.close();
    db.close();
  });
  await app.register(historyRoutes, { prefix: '/api/v1', history: service });
};

export default fp(historyPlugin, { name: 'history', fastify: '5.x', dependencies: ['containers', 'groups', 'access'] });
