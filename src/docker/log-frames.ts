import { StringDecoder } from 'node:string_decoder';

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

const HEADER = 8;

/**
 * Incremental demultiplexer: feed it bytes as they arrive, get whole frames back.
 * A partial frame stays buffered until its remaining bytes come.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(bytes: Buffer): LogChunk[] {
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const chunks: LogChunk[] = [];
    let offset = 0;
    while (this.pending.length - offset >= HEADER) {
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - HEADER < size) break;
      const kind = this.pending[offset];
      const data = this.pending.subarray(offset + HEADER, offset + HEADER + size);
      // 0 (stdin) never appears in logs; anything other than 2 is shown as stdout.
      chunks.push({ stream: kind === 2 ? 'stderr' : 'stdout', data });
      offset += HEADER + size;
    }
    this.pending = this.pending.subarray(offset);
    return chunks;
  }

  /** Bytes of an unfinished frame, if the stream ended mid-frame. */
  get remainder(): number {
    return this.pending.length;
  }
}

/**
 * Splits chunks of one stream into lines, keeping an unterminated tail for the next call
 * per stream so that a line split across frames is joined again.
 */
export class LineSplitter {
  private partial: Record<LogStream, string> = { stdout: '', stderr: '' };
  // A UTF-8 character may straddle two frames or chunks: decode per stream, statefully.
  private readonly decoders: Record<LogStream, StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  push(chunk: LogChunk): { stream: LogStream; line: string }[] {
    const text = this.partial[chunk.stream] + this.decoders[chunk.stream].write(chunk.data);
    const parts = text.split('\n');
    this.partial[chunk.stream] = parts.pop() ?? '';
    return parts.map((line) => ({ stream: chunk.stream, line: line.endsWith('\r') ? line.slice(0, -1) : line }));
  }

  flush(): { stream: LogStream; line: string }[] {
    const out: { stream: LogStream; line: string }[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      this.partial[stream] += this.decoders[stream].end();
      if (this.partial[stream] !== '') out.push({ stream, line: this.partial[stream] });
      this.partial[stream] = '';
    }
    return out;
  }
}

/** Splits a whole logs response into lines, demultiplexing it unless the container has a TTY. */
export function splitLogBuffer(buffer: Buffer, tty: boolean): { stream: LogStream; line: string }[] {
  const splitter = new LineSplitter();
  const chunks = tty ? [{ stream: 'stdout' as const, data: buffer }] : new FrameDecoder().push(buffer);
  const lines = chunks.flatMap((chunk) => splitter.push(chunk));
  return [...lines, ...splitter.flush()];
}
