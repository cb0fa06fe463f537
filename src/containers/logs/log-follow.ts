import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { DockerEngine } from '../../docker/engine.js';
import { isUnreachable } from '../../docker/engine-errors.js';
import { FrameDecoder, LineSplitter, type SplitLine } from '../../docker/log-frames.js';
import { toLogLine, type LogLine } from './log-read.js';

export type FollowEnd =
  | { reason: 'stopped'; state: string; exitCode: number }
  | { reason: 'engine-lost' }
  | { reason: 'closed' };

interface FollowEvents {
  line: [LogLine];
}

/**
 * A live logs stream of one container: lines as they are written, then one end reason —
 * the container stopped (with its exit code), the engine went away, or we closed it.
 * pause()/resume() push back on the engine's stream for a slow reader, so no line is lost.
 */
export class LogFollow extends EventEmitter<FollowEvents> {
  readonly done: Promise<FollowEnd>;
  private closedByUs = false;

  constructor(
    readonly engine: string,
    readonly id: string,
    readonly name: string,
    readonly tty: boolean,
    private readonly upstream: Readable,
    client: DockerEngine,
    timestamps: boolean,
  ) {
    super();
    const decoder = new FrameDecoder();
    const splitter = new LineSplitter();
    // Decoding and splitting look at each byte once and keep at most one capped line per
    // stream, so a container writing megabytes without a newline costs neither time nor memory.
    const emitLines = (lines: SplitLine[]) => {
      for (const line of lines) this.emit('line', toLogLine(line, timestamps));
    };
    upstream.on('data', (chunk: Buffer) => {
      const chunks = tty ? [{ stream: 'stdout' as const, data: chunk }] : decoder.push(chunk);
      emitLines(chunks.flatMap((c) => splitter.push(c)));
    });
    this.done = new Promise<void>((resolve) => {
      upstream.once('end', resolve);
      upstream.once('close', resolve);
      upstream.once('error', () => resolve());
    }).then(async (): Promise<FollowEnd> => {
      emitLines(splitter.flush());
      if (this.closedByUs) return { reason: 'closed' };
      try {
        const d = await client.inspectContainer(id);
        if (!d.running) return { reason: 'stopped', state: d.state, exitCode: d.exitCode };
        // The engine closed a stream of a running container: it is restarting or going away.
        return { reason: 'engine-lost' };
      } catch (err) {
        return isUnreachable(err) ? { reason: 'engine-lost' } : { reason: 'stopped', state: 'removed', exitCode: -1 };
      }
    });
  }

  pause(): void {
    this.upstream.pause();
  }

  resume(): void {
    this.upstream.resume();
  }

  close(): void {
    this.closedByUs = true;
    this.upstream.destroy();
  }
}
