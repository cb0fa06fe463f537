import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { allowedHostNames } from './http/host-check.js';

/** A start that fails gives up within this; the process ends right after (see cli.ts). */
const CLOSE_ON_FAILURE_MS = 500;

async function closeWithin(app: { close(): Promise<unknown> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    app.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** Listens on HOST:PORT and closes gracefully on SIGTERM/SIGINT (in-flight requests finish). */
export async function startServer(config: Config): Promise<void> {
  const app = await buildApp({ config });
  if (config.ignoredVars.length > 0) {
    app.log.info({ ignored: config.ignoredVars }, 'ignoring platform variables this service does not use');
  }
  const graceful = closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an unexpected error');
    else app.log.info({ signal }, 'closing');
    await app.close();
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // The app is ready by now (engine watch, database): release it so the process can end,
    // and a supervisor see the failure and restart it, instead of idling without serving.
    graceful.uninstall();
    app.log.fatal({ err }, `failed to listen on ${config.host}:${config.port}`);
    await closeWithin(app, CLOSE_ON_FAILURE_MS);
    throw err;
  }
  // Each engine by its name and its URL as shown (no user info): never key material.
  const several = app.containers.engines.length > 1;
  await Promise.all(
    app.containers.engines.map(async (unit) => {
      const engine = await unit.status.check(true);
      const which = several ? `engine ${unit.name}` : 'engine';
      if (engine.reachable) app.log.info({ engine: engine.info?.version, api: engine.info?.apiVersion }, `${which} reachable at ${unit.url}`);
      else app.log.warn(`Docker ${which} unreachable at ${unit.url}: serving anyway${unit.required ? ', /ready answers 503 until it comes' : ' (not required)'}. ${engine.hint ?? ''}`);
    }),
  );
  if (!allowedHostNames(config.host, config.allowedHosts)) {
    app.log.info(`answering any Host name: HOST=${config.host} is not loopback and ALLOWED_HOSTS is unset (set it to guard against DNS rebinding)`);
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  app.log.info(`gui-docker-manager ready: open http://${shown}:${config.port}/docs`);
}
