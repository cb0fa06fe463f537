import type { DockerEngine } from '../docker/engine.js';
import { ContainerService } from './containers.js';
import { EngineStatus } from './engine-status.js';
import { LogService } from './logs.js';
import { StatsService } from './stats.js';

/** Everything the routes may call. Routes get this, never the engine itself. */
export interface Services {
  engineStatus: EngineStatus;
  containers: ContainerService;
  logs: LogService;
  stats: StatsService;
}

export function createServices(engine: DockerEngine): Services {
  const engineStatus = new EngineStatus(engine);
  const containers = new ContainerService(engine, engineStatus);
  return {
    engineStatus,
    containers,
    logs: new LogService(engine, containers),
    stats: new StatsService(engine, containers, engineStatus),
  };
}
