import type { BenchSettings } from '../lib/args.js';
import type { ContainerFixture } from '../lib/fixture.js';
import type { HttpClient } from '../lib/http-client.js';
import type { ServiceProcess } from '../lib/service-process.js';

/** What every scenario gets: the settings, a client per side, the service process and the containers. */
export interface BenchContext {
  settings: BenchSettings;
  /** The engine's own API, on its unix socket. */
  engine: HttpClient;
  /** Our service (a separate process), over TCP on 127.0.0.1. */
  ours: HttpClient;
  /** The bearer header our service wants (streams open their own connections). */
  auth: Record<string, string>;
  /** The bearer header of a developer token limited to the bench's groups (RBAC on). */
  developer: Record<string, string>;
  service: ServiceProcess;
  fixture: ContainerFixture;
  log: (message: string) => void;
}

export function warmupCount(iterations: number): number {
  return Math.min(50, Math.max(5, Math.ceil(iterations / 10)));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
