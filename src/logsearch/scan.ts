import type { Readable } from 'node:stream';
import { FrameDecoder, LineSplitter } from '../docker/log-frames.js';
import { toLogLine, type LogLine } from '../containers/logs/log-read.js';

/**
 * Reads one logs body (asked with timestamps) line by line as it arrives: the frames are
 * decoded and split by the same byte-wise splitter as every logs read (each byte looked at
 * once, a line capped at 64 KiB), and nothing of the body is kept past its line.
 * `onLine` returns false to stop reading. After each chunk `pace` may hold the read back
 * (a slow client): awaiting it leaves the rest of the body unread in the socket, so the
 * engine is held back too.
 */
export async function scanLogBody(
  body: Readable,
  tty: boolean,
  onLine: (line: LogLine) => boolean,
  pace: () => Promise<void> | undefined,
): Promise<void> {
  const decoder = new FrameDecoder();
  const splitter = new LineSplitter();
  let going = true;
  const each = (lines: ReturnType<LineSplitter['push']>) => {
    for (const split of lines) {
      if (!going) return;
      going = onLine(toLogLine(split, true));
    }
  };
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const chunks = tty ? [{ stream: 'stdout' as const, data: chunk }] : decoder.push(chunk);
    for (const c of chunks) each(splitter.push(c));
    if (!going) return;
    const wait = pace();
    if (wait) await wait;
  }
  each(splitter.flush());
}
