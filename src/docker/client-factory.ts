import { Docker } from './lean-dockerode.js';
import { connectionOptions, type ConnectionSettings } from './connection.js';

/** A dockerode client, as the narrow ports below take it (one per engine once there are several). */
export type DockerClient = Docker;

/**
 * Builds a client for one engine from its connection settings (today config.docker). The
 * ports of the features (image-engine.ts, recreate-engine.ts) take a client from here, so a
 * multi-engine set-up hands each engine's client to the same code.
 */
export function dockerClient(settings: ConnectionSettings & { timeoutMs?: number }): DockerClient {
  const options = connectionOptions(settings);
  return new Docker(settings.timeoutMs === undefined ? { ...options } : { ...options, timeout: settings.timeoutMs });
}

/** The same engine without a request timeout, for calls that may run long (pull, stop with grace). */
export function untimedClient(settings: ConnectionSettings): DockerClient {
  return new Docker({ ...connectionOptions(settings) });
}
