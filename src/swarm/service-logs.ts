import type { Readable } from 'node:stream';
import { FrameDecoder, LineSplitter } from '../docker/log-frames.js';
import { readLogLines, toLogLine, type LogLine } from '../containers/logs/log-read.js';
import { parseTimeParam } from '../containers/logs/time-params.js';
import { ENGINE_LOST_EVENT } from '../http/sse/open.js';
import type { SseStream } from '../http/sse/sse.js';
import type { Viewer } from '../access/principal.js';
import type { ServiceLogLine, ServiceLogsQuery, ServiceLogsResult } from './schemas.js';
import type { FoundService, SwarmEngines } from './swarm-engines.js';
import type { SWARM_LOG_STREAM } from './stream-schemas.js';
import type { EventsOf } from '../http/sse/events.js';

export type SwarmLogSink = () => SseStream<EventsOf<(typeof SWARM_LOG_STREAM)['events']>>;

const TASK_KEY = 'com.docker.swarm.task.id';
const NODE_KEY = 'com.docker.swarm.node.id';

/**
 * With details=true the engine puts its log context before each line's text:
 * "com.docker.swarm.node.id=…,com.docker.swarm.service.id=…,com.docker.swarm.task.id=… text"
 * (values query-escaped; the docker CLI reads them the same way in `service logs`).
 */
export function parseDetails(text: string): { details: Record<string, string>; text: string } {
  const space = text.indexOf(' ');
  const head = space === -1 ? text : text.slice(0, space);
  if (!head.includes(`${TASK_KEY}=`) && !head.includes(`${NODE_KEY}=`)) return { details: {}, text };
  const details: Record<string, string> = {};
  for (const part of head.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      details[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      details[part.slice(0, eq)] = part.slice(eq + 1);
    }
  }
  return { details, text: space === -1 ? '' : text.slice(space + 1) };
}

/** Reads and follows the logs of every task of a service, each line with its task and node. */
export class ServiceLogs {
  constructor(private readonly engines: SwarmEngines) {}

  private toLine(found: FoundService, line: LogLine): ServiceLogLine {
    const { details, text } = parseDetails(line.text);
    const taskId = details[TASK_KEY] ?? null;
    const nodeId = details[NODE_KEY] ?? null;
    const store = found.engine.store;
    const task = taskId ? store.tasks(found.record.id).find((t) => t.id === taskId) : undefined;
    const out: ServiceLogLine = {
      stream: line.stream,
      taskId,
      nodeId,
      node: nodeId ? (store.node(nodeId)?.hostname ?? null) : null,
      slot: task?.slot ?? null,
      text,
    };
    if (line.timestamp !== undefined) out.timestamp = line.timestamp;
    if (line.truncated) out.truncated = true;
    return out;
  }

  private async open(ref: string, query: ServiceLogsQuery, viewer: Viewer, follow: boolean): Promise<{ found: FoundService; body: Readable }> {
    const found = await this.engines.findService(ref, query.engine, viewer);
    const since = query.since === undefined ? undefined : Math.floor(parseTimeParam('since', query.since));
    const body = await found.engine.client.serviceLogs(found.record.id, { follow, tail: query.tail, since, timestamps: query.timestamps });
    return { found, body };
  }

  async read(ref: string, query: ServiceLogsQuery, viewer: Viewer): Promise<ServiceLogsResult> {
    const { found, body } = await this.open(ref, query, viewer, false);
    const { lines, truncated } = await readLogLines(body, found.record.tty, query.timestamps);
    return { engine: found.engine.name, id: found.record.id, name: found.record.name, lines: lines.map((l) => this.toLine(found, l)), truncated };
  }

  /**
   * Streams new lines (SSE): `open`, a `log` per line, then `end` when the service is
   * removed or the engine closes the stream, `error` when the engine goes away. A slow
   * reader pauses the engine's stream; no line is dropped.
   */
  async follow(ref: string, query: ServiceLogsQuery, viewer: Viewer, openSink: SwarmLogSink): Promise<void> {
    const { found, body } = await this.open(ref, query, viewer, true);
    let stream;
    try {
      stream = openSink();
    } catch (err) {
      body.destroy();
      throw err;
    }
    const store = found.engine.store;
    stream.send('open', { engine: found.engine.name, id: found.record.id, name: found.record.name });
    const decoder = new FrameDecoder();
    const splitter = new LineSplitter();
    const tty = found.record.tty;
    const emit = (lines: ReturnType<LineSplitter['push']>) => {
      for (const l of lines) stream.send('log', this.toLine(found, toLogLine(l, query.timestamps)));
      if (stream.congested) {
        body.pause();
        stream.onDrain(() => body.resume());
      }
    };
    body.on('data', (chunk: Buffer) => emit((tty ? [{ stream: 'stdout' as const, data: chunk }] : decoder.push(chunk)).flatMap((c) => splitter.push(c))));
    let removed = false;
    const onChange = (change: { kind: string; action: string; id: string }) => {
      if (change.kind === 'service' && change.action === 'removed' && change.id === found.record.id) {
        removed = true;
        body.destroy();
      }
    };
    store.on('change', onChange);
    stream.onClose(() => body.destroy());
    await new Promise<void>((resolve) => {
      body.once('end', resolve);
      body.once('close', resolve);
      body.once('error', () => resolve());
    });
    store.off('change', onChange);
    emit(splitter.flush());
    if (removed || !store.service(found.record.id)) stream.end('end', { reason: 'service removed' });
    else if (!store.isSynced) stream.end('error', ENGINE_LOST_EVENT);
    else stream.end('end', { reason: 'the engine closed the logs stream' });
  }
}
