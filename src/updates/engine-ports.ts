import type { Config } from '../config.js';
import { appError } from '../errors.js';
import { dockerClient, untimedClient } from '../docker/client-factory.js';
import { createImageEngine, type ImageEngine } from '../docker/image-engine.js';
import { createRecreateEngine, type RecreateEngine } from '../docker/recreate-engine.js';

/** One engine's image and re-create calls, as the updates feature uses them. */
export interface EnginePorts {
  images: ImageEngine;
  recreate: RecreateEngine;
}

/**
 * The image and re-create calls of every configured engine, by engine name. A container's
 * image is inspected, pulled, tagged and removed on the engine that runs it, and it is
 * re-created there: its `engine` (ContainerSummary) picks the ports. Each engine has two
 * clients, one with its ENGINES_FILE timeout and one without (pulls, stops with grace).
 */
export class UpdateEngines {
  constructor(private readonly ports: ReadonlyMap<string, EnginePorts>) {}

  /** Two clients per engine of config.engines, from each one's connection settings. */
  static fromConfig(engines: Config['engines']): UpdateEngines {
    return new UpdateEngines(
      new Map(
        engines.map((settings) => {
          const api = dockerClient({ ...settings });
          const long = untimedClient(settings);
          return [settings.name, { images: createImageEngine(api, long), recreate: createRecreateEngine(api, long) }];
        }),
      ),
    );
  }

  /** The configured engines, in order. */
  names(): string[] {
    return [...this.ports.keys()];
  }

  images(engine: string): ImageEngine {
    return this.of(engine).images;
  }

  recreate(engine: string): RecreateEngine {
    return this.of(engine).recreate;
  }

  private of(engine: string): EnginePorts {
    const found = this.ports.get(engine);
    // A container's engine comes from the stores, which are made from the same list.
    if (!found) throw appError('INTERNAL_ERROR', `No engine named ${engine} is configured for updates`);
    return found;
  }
}
