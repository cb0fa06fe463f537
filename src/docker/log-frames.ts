/**
 * The engine multiplexes stdout and stderr of a non-TTY container into frames:
 * an 8-byte header [stream, 0, 0, 0, size(uint32 BE)] then `size` bytes.
 * https://docs.docker.com/engine/api/v1.41/#operation/ContainerAttach
 */
export type LogStream = 'stdout' | 'stderr';

export interface LogChunk {
  stream: LogStream;
  data: Buffer;
}

/** One line of one stream; `truncated` when it was longer than the cap and cut. */
export interface SplitLine {
  stream: LogStream;
  line: string;
  truncated?: true;
}

/**
 * The longest line we keep, in bytes. A container may write megabytes without a newline:
 * the first LOG_LINE_MAX_BYTES are reported (marked truncated), the rest of that line is
 * dropped until its newline, so neither memory nor work grows with the line's length.
 */
export const LOG_LINE_MAX_BYTES = 64 * 1024;

const HEADER = 8;
const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Incremental demultiplexer: feed it bytes as they arrive, get each frame's payload back
 * as it arrives. Only a partial header is ever held, so a huge frame costs no memory here
 * (a frame's size comes from the engine: it is not ours to trust with a buffer).
 */
export class FrameDecoder {
  private readonly header = Buffer.alloc(HEADER);
  private headerBytes = 0;
  private frameSize = 0;
  /** Payload bytes of the current frame still to come. */
  private left = 0;
  private stream: LogStream = 'stdout';

  push(bytes: Buffer): LogChunk[] {
    const chunks: LogChunk[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      if (this.left > 0) {
        const take = Math.min(this.left, bytes.length - offset);
        chunks.push({ stream: this.stream, data: bytes.subarray(offset, offset + take) });
        offset += take;
        this.left -= take;
        continue;
      }
      const take = Math.min(HEADER - this.headerBytes, bytes.length - offset);
      bytes.copy(this.header, this.headerBytes, offset, offset + take);
      this.headerBytes += take;
      offset += take;
      if (this.headerBytes === HEADER) {
        // 0 (stdin) never appears in logs; anything other than 2 is shown as stdout.
        this.stream = this.header[0] === 2 ? 'stderr' : 'stdout';
        this.frameSize = this.header.readUInt32BE(4);
        this.left = this.frameSize;
        this.headerBytes = 0;
      }
    }
    return chunks;
  }

  /** Bytes of an unfinished frame received so far, if the stream ended mid-frame. */
  get remainder(): number {
    if (this.headerBytes > 0) return this.headerBytes;
    return this.left > 0 ? HEADER + this.frameSize - this.left : 0;
  }
}

interface PartialLine {
  parts: Buffer[];
  bytes: number;
  /** The line went over the cap and was reported: skip its bytes until the newline. */
  dropping: boolean;
}

/**
 * Splits chunks of one stream into lines, keeping an unterminated tail per stream so that
 * a line split across frames is joined again. Work is linear: each byte is looked at once
 * (the tail is never re-scanned), and a line is kept only up to `maxLineBytes`.
 * Splitting on the newline byte before decoding is safe: 0x0A never occurs inside a
 * multi-byte UTF-8 character, so a character split across chunks is decoded whole.
 */
export class LineSplitter {
  private readonly partial: Record<LogStream, PartialLine> = { stdout: emptyPartial(), stderr: emptyPartial() };

  constructor(private readonly maxLineBytes = LOG_LINE_MAX_BYTES) {}

  push(chunk: LogChunk): SplitLine[] {
    const out: SplitLine[] = [];
    const p = this.partial[chunk.stream];
    const data = chunk.data;
    let start = 0;
    while (start < data.length) {
      const newline = data.indexOf(NEWLINE, start);
      const end = newline === -1 ? data.length : newline;
      if (!p.dropping && end > start) {
        // A piece that outlives this call is copied: a small slice must not pin a big chunk.
        const piece = newline === -1 ? Buffer.from(data.subarray(start, end)) : data.subarray(start, end);
        this.keep(p, piece, chunk.stream, out);
      }
      if (newline === -1) break;
      if (p.dropping) p.dropping = false;
      else out.push(finish(p, chunk.stream, false));
      start = newline + 1;
    }
    return out;
  }

  /** The unterminated tails, as lines (the stream ended). */
  flush(): SplitLine[] {
    const out: SplitLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.partial[stream];
      if (!p.dropping && p.bytes > 0) out.push(finish(p, stream, false));
      p.dropping = false;
      p.parts = [];
      p.bytes = 0;
    }
    return out;
  }

  private keep(p: PartialLine, piece: Buffer, stream: LogStream, out: SplitLine[]): void {
    if (p.bytes + piece.length <= this.maxLineBytes) {
      p.parts.push(piece);
      p.bytes += piece.length;
      return;
    }
    // Over the cap: report what fits now (a follower sees it without waiting for a newline
    // that may never come) and drop the rest of this line.
    const room = this.maxLineBytes - p.bytes;
    p.parts.push(piece.subarray(0, room));
    p.bytes += room;
    out.push(finish(p, stream, true));
    p.dropping = true;
  }
}

function emptyPartial(): PartialLine {
  return { parts: [], bytes: 0, dropping: false };
}

function finish(p: PartialLine, stream: LogStream, truncated: boolean): SplitLine {
  const bytes = p.parts.length === 1 ? (p.parts[0] as Buffer) : Buffer.concat(p.parts, p.bytes);
  p.parts = [];
  p.bytes = 0;
  if (truncated) return { stream, line: bytes.toString('utf8', 0, utf8Boundary(bytes)), truncated: true };
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  return { stream, line: bytes.toString('utf8', 0, end) };
}

/** Where to cut `bytes` so that no UTF-8 character is split (a cut line ends whole). */
export function utf8Boundary(bytes: Buffer): number {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((bytes[i] as number) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return bytes.length;
  const lead = bytes[i] as number;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return length > continuation + 1 ? i : bytes.length;
}

/** Splits a whole logs response into lines, demultiplexing it unless the container has a TTY. */
export function splitLogBuffer(buffer: Buffer, tty: boolean, maxLineBytes = LOG_LINE_MAX_BYTES): SplitLine[] {
  const splitter = new LineSplitter(maxLineBytes);
  const chunks = tty ? [{ stream: 'stdout' as const, data: buffer }] : new FrameDecoder().push(buffer);
  const lines = chunks.flatMap((chunk) => splitter.push(chunk));
  return [...lines, ...splitter.flush()];
}
