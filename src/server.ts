import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import type { Config } from './config.js';

/** Listens on HOST:PORT and closes gracefully on SIGTERM/SIGINT (in-flight requests finish). */
export async function startServer(config: Config): Promise<void> {
  const app = await buildApp({ config });
  if (config.ignoredVars.length > 0) {
    app.log.info({ ignored: config.ignoredVars }, 'ignoring platform variables this service does not use');
  }
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an unexpected error');
    else app.log.info({ signal }, 'closing');
    await app.close();
  });
  await app.listen({ port: config.port, host: config.host });
  const engine = await app.services.engineStatus.check(true);
  if (engine.reachable) {
    app.log.info({ engine: engine.info?.version, api: engine.info?.apiVersion }, `engine reachable at ${config.docker.host}`);
  } else {
    app.log.warn(`Docker engine unreachable at ${config.docker.host}: serving anyway, /ready answers 503 until it comes. ${engine.hint ?? ''}`);
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  app.log.info(`gui-docker-manager ready: open http://${shown}:${config.port}/docs`);
}
