import type { Readable } from 'node:stream';
import type { EngineEvent } from './types.js';

/** One container event of the engine's events stream. */
export interface ContainerEvent {
  id: string;
  /** The engine's action; `health_status: healthy` and the like become `health_status`. */
  action: string;
  /** A `die` event's exit code (the engine's exitCode attribute): an inspect after a quick restart shows 0. */
  exitCode?: number;
}

/** Parses one line of the events stream; undefined for anything but a container event. */
export function parseContainerEvent(line: string): ContainerEvent | undefined {
  if (!line.trim()) return undefined;
  let event: EngineEvent;
  try {
    event = JSON.parse(line) as EngineEvent;
  } catch {
    return undefined;
  }
  if (event?.Type !== 'container' || typeof event.Action !== 'string' || typeof event.Actor?.ID !== 'string') return undefined;
  const action = event.Action.startsWith('health_status') ? 'health_status' : event.Action;
  const exitCode = action === 'die' ? Number(event.Actor.Attributes?.['exitCode']) : Number.NaN;
  return Number.isInteger(exitCode) ? { id: event.Actor.ID, action, exitCode } : { id: event.Actor.ID, action };
}

/**
 * Reads the engine's newline-delimited events stream (see DockerEngine.containerEvents),
 * handing each container event to `onEvent`; bad lines are skipped. Resolves when the
 * stream ends, closes or fails.
 */
export function readContainerEvents(stream: Readable, onEvent: (event: ContainerEvent) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const event = parseContainerEvent(line);
        if (event) onEvent(event);
      }
    });
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}
