import type { Readable } from 'node:stream';
import { FrameDecoder, LineSplitter, type SplitLine } from '../../docker/log-frames.js';
import type { LogLine } from '../schemas.js';

export type { LogLine };

export interface ReadLimits {
  /** Bytes read from the engine at most; past them the read stops (later lines are left out). */
  maxReadBytes: number;
  /** Characters of line text kept at most; past them the oldest lines are left out. */
  maxKeptChars: number;
}

/**
 * A non-follow read never buffers a whole log: a container may have written gigabytes, or
 * one line of many megabytes. Lines are capped one by one (LineSplitter), the text kept is
 * capped in total (the newest lines win, as `tail` asks), and so are the bytes read.
 */
export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxReadBytes: 64 * 1024 * 1024,
  maxKeptChars: 8 * 1024 * 1024,
};

/** With timestamps the engine prefixes each line: "2024-05-01T10:00:00.123456789Z text". */
export function splitTimestamp(line: string): { timestamp?: string; text: string } {
  const space = line.indexOf(' ');
  if (space > 19 && /^\d{4}-\d{2}-\d{2}T/.test(line)) return { timestamp: line.slice(0, space), text: line.slice(space + 1) };
  return { text: line };
}

/** Our log line from a split one: the timestamp apart when asked for, truncation said. */
export function toLogLine({ stream, line, truncated }: SplitLine, timestamps: boolean): LogLine {
  const out: LogLine = timestamps ? { stream, ...splitTimestamp(line) } : { stream, text: line };
  if (truncated) out.truncated = true;
  return out;
}

/**
 * Reads a logs response (frames, or raw text for a TTY) into lines within `limits`.
 * `truncated` says that lines were left out, by either limit.
 */
export async function readLogLines(
  body: Readable,
  tty: boolean,
  timestamps: boolean,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
): Promise<{ lines: LogLine[]; truncated: boolean }> {
  const decoder = new FrameDecoder();
  const splitter = new LineSplitter();
  const lines: LogLine[] = [];
  let keptChars = 0;
  let readBytes = 0;
  let truncated = false;
  let stopped = false;
  const add = (split: SplitLine[]) => {
    for (const s of split) {
      const line = toLogLine(s, timestamps);
      lines.push(line);
      keptChars += line.text.length;
      while (keptChars > limits.maxKeptChars && lines.length > 0) {
        keptChars -= (lines.shift() as LogLine).text.length;
        truncated = true;
      }
    }
  };
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = limits.maxReadBytes - readBytes;
      const bytes = chunk.length > room ? chunk.subarray(0, room) : chunk;
      readBytes += bytes.length;
      const chunks = tty ? [{ stream: 'stdout' as const, data: bytes }] : decoder.push(bytes);
      for (const c of chunks) add(splitter.push(c));
      if (readBytes >= limits.maxReadBytes) {
        truncated = stopped = true;
        break; // leaving the loop destroys the engine's stream: the rest is never read
      }
    }
  } finally {
    body.destroy();
  }
  // A line cut by the stop is incomplete: say so on it as well.
  add(splitter.flush().map((l) => (stopped ? { ...l, truncated: true as const } : l)));
  return { lines, truncated };
}
