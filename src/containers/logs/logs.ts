import type { Readable } from 'node:stream';
import type { LogOptions } from '../../docker/types.js';
import { toAppError } from '../../docker/engine-errors.js';
import type { ContainerService } from '../container-service.js';
import type { Viewer } from '../../access/principal.js';
import { LogFollow } from './log-follow.js';
import { pipeLogs } from './log-stream.js';
import type { LogSink } from '../stream-sink.js';
import type { LogQuery, LogsResult } from '../schemas.js';
import { DEFAULT_READ_LIMITS, readLogLines, type ReadLimits } from './log-read.js';
import { parseTimeParam } from './time-params.js';

export const LOG_TAIL_DEFAULT = 100;
export const LOG_TAIL_MAX = 10_000;

export type { LogLine, LogQuery, LogsResult } from '../schemas.js';
export { splitTimestamp } from './log-read.js';

/** Engine log options from the API's query; since/until accept what the docker CLI accepts. */
export function engineLogOptions(query: LogQuery) {
  return {
    tail: query.tail ?? LOG_TAIL_DEFAULT,
    since: query.since !== undefined ? parseTimeParam('since', query.since) : undefined,
    until: query.until !== undefined ? parseTimeParam('until', query.until) : undefined,
    timestamps: query.timestamps ?? false,
  };
}

/** Reads a container's recent logs, stdout and stderr kept apart (one stream for TTYs). */
export class LogService {
  constructor(
    private readonly containers: ContainerService,
    private readonly limits: ReadLimits = DEFAULT_READ_LIMITS,
  ) {}

  async read(ref: string, query: LogQuery, viewer: Viewer): Promise<LogsResult> {
    const options = engineLogOptions(query);
    const details = await this.containers.details(ref, viewer);
    const body = await this.containers.unitOf(details).engine.containerLogs(details.id, options);
    const { lines, truncated } = await readLogLines(body, details.tty, options.timestamps, this.limits).catch((err: unknown) => {
      throw toAppError(err); // the engine's stream broke mid-read
    });
    return { engine: details.engine, id: details.id, name: details.name, tty: details.tty, lines, truncated };
  }

  /**
   * The engine's logs body of one container the viewer may see (no follow), for a reader
   * that splits it as it streams (log search): nothing is buffered here. Destroy the body to
   * stop the engine's read.
   */
  async body(ref: string, options: LogOptions, viewer: Viewer): Promise<{ engine: string; id: string; name: string; tty: boolean; body: Readable }> {
    const details = await this.containers.details(ref, viewer);
    const body = await this.containers.unitOf(details).engine.containerLogs(details.id, options);
    return { engine: details.engine, id: details.id, name: details.name, tty: details.tty, body };
  }

  /** Opens a live stream: the last `tail` lines, then new lines as they are written. */
  async follow(ref: string, query: LogQuery, viewer: Viewer): Promise<LogFollow> {
    const options = engineLogOptions(query);
    const details = await this.containers.details(ref, viewer);
    const { engine } = this.containers.unitOf(details);
    const upstream = await engine.followLogs(details.id, options);
    return new LogFollow(details.engine, details.id, details.name, details.tty, upstream, engine, options.timestamps);
  }

  /**
   * logs?follow=true: the last `tail` lines, then each new line, into a sink opened once the
   * engine's stream is (a 404 or 503 is still an ordinary JSON error). Resolves when it ends.
   */
  async stream(ref: string, query: LogQuery, viewer: Viewer, open: LogSink): Promise<void> {
    return pipeLogs(await this.follow(ref, query, viewer), open);
  }
}
