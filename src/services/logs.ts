import type { DockerEngine } from '../docker/engine.js';
import { splitLogBuffer, type LogStream } from '../docker/log-frames.js';
import type { ContainerService, Viewer } from './containers.js';
import { LogFollow } from './log-follow.js';
import { parseTimeParam } from './time-params.js';

export const LOG_TAIL_DEFAULT = 100;
export const LOG_TAIL_MAX = 10_000;

export interface LogQuery {
  tail?: number;
  since?: string;
  until?: string;
  timestamps?: boolean;
}

export interface LogLine {
  stream: LogStream;
  timestamp?: string;
  text: string;
}

export interface LogsResult {
  id: string;
  name: string;
  tty: boolean;
  lines: LogLine[];
}

/** With timestamps the engine prefixes each line: "2024-05-01T10:00:00.123456789Z text". */
export function splitTimestamp(line: string): { timestamp?: string; text: string } {
  const space = line.indexOf(' ');
  if (space > 19 && /^\d{4}-\d{2}-\d{2}T/.test(line)) return { timestamp: line.slice(0, space), text: line.slice(space + 1) };
  return { text: line };
}

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
    private readonly engine: DockerEngine,
    private readonly containers: ContainerService,
  ) {}

  async read(ref: string, query: LogQuery, viewer?: Viewer): Promise<LogsResult> {
    const options = engineLogOptions(query);
    const details = await this.containers.details(ref, viewer);
    const body = await this.engine.containerLogs(details.id, options);
    const lines = splitLogBuffer(body, details.tty).map(({ stream, line }) =>
      options.timestamps ? { stream, ...splitTimestamp(line) } : { stream, text: line },
    );
    return { id: details.id, name: details.name, tty: details.tty, lines };
  }

  /** Opens a live stream: the last `tail` lines, then new lines as they are written. */
  async follow(ref: string, query: LogQuery, viewer?: Viewer): Promise<LogFollow> {
    const options = engineLogOptions(query);
    const details = await this.containers.details(ref, viewer);
    const upstream = await this.engine.followLogs(details.id, options);
    return new LogFollow(details.id, details.name, details.tty, upstream, this.engine, options.timestamps);
  }
}
