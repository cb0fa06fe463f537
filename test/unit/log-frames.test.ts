import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameDecoder, LineSplitter, LOG_LINE_MAX_BYTES, splitLogBuffer, utf8Boundary, type LogChunk } from '../../src/docker/log-frames.js';

/** One multiplexed frame as the engine writes it: [stream, 0, 0, 0, size BE] + payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function decoded(chunks: LogChunk[]): { stream: string; text: string }[] {
  return chunks.map((c) => ({ stream: c.stream, text: c.data.toString('utf8') }));
}

describe('FrameDecoder', () => {
  test('decodes whole frames and tells stderr (2) from stdout (1)', () => {
    const decoder = new FrameDecoder();
    const out = decoder.push(Buffer.concat([frame(1, 'out one\n'), frame(2, 'err one\n'), frame(1, 'out two\n')]));
    assert.deepEqual(decoded(out), [
      { stream: 'stdout', text: 'out one\n' },
      { stream: 'stderr', text: 'err one\n' },
      { stream: 'stdout', text: 'out two\n' },
    ]);
    assert.equal(decoder.remainder, 0);
  });

  test('a header split across pushes waits for the rest', () => {
    const bytes = frame(2, 'hello\n');
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(bytes.subarray(0, 3)), []);
    assert.equal(decoder.remainder, 3);
    assert.deepEqual(decoded(decoder.push(bytes.subarray(3))), [{ stream: 'stderr', text: 'hello\n' }]);
    assert.equal(decoder.remainder, 0);
  });

  test('a payload split across pushes comes out as it arrives, not held until the frame ends', () => {
    const bytes = frame(1, 'a longer payload\n');
    const decoder = new FrameDecoder();
    assert.deepEqual(decoded(decoder.push(bytes.subarray(0, 12))), [{ stream: 'stdout', text: 'a lo' }]);
    assert.equal(decoder.remainder, 12);
    assert.deepEqual(decoded(decoder.push(bytes.subarray(12))), [{ stream: 'stdout', text: 'nger payload\n' }]);
    assert.equal(decoder.remainder, 0);
  });

  test('a frame claiming a huge size is not buffered: its bytes pass through as they come', () => {
    const header = Buffer.alloc(8);
    header[0] = 2;
    header.writeUInt32BE(0xffffffff, 4);
    const decoder = new FrameDecoder();
    const out = decoder.push(Buffer.concat([header, Buffer.alloc(1000, 0x61)]));
    assert.equal(out.length, 1);
    assert.equal(out[0]?.stream, 'stderr');
    assert.equal(out[0]?.data.length, 1000);
  });

  test('gives the same bytes per stream whatever the byte boundaries', () => {
    const stream = Buffer.concat([frame(1, 'first\n'), frame(2, 'second\n'), frame(1, ''), frame(1, 'third, with ünïcödé\n')]);
    const joined = (chunks: LogChunk[]) => ({
      stdout: Buffer.concat(chunks.filter((c) => c.stream === 'stdout').map((c) => c.data)).toString('utf8'),
      stderr: Buffer.concat(chunks.filter((c) => c.stream === 'stderr').map((c) => c.data)).toString('utf8'),
    });
    const expected = joined(new FrameDecoder().push(stream));
    assert.deepEqual(expected, { stdout: 'first\nthird, with ünïcödé\n', stderr: 'second\n' });
    for (const step of [1, 2, 3, 5, 7, 8, 9, 13]) {
      const decoder = new FrameDecoder();
      const got: LogChunk[] = [];
      for (let i = 0; i < stream.length; i += step) got.push(...decoder.push(stream.subarray(i, i + step)));
      assert.deepEqual(joined(got), expected, `step ${step}`);
      assert.equal(decoder.remainder, 0, `step ${step}`);
    }
  });

  test('several frames and a partial one in a single push', () => {
    const third = frame(2, 'third\n');
    const decoder = new FrameDecoder();
    const out = decoder.push(Buffer.concat([frame(1, 'a\n'), frame(1, 'b\n'), third.subarray(0, 10)]));
    assert.deepEqual(decoded(out), [
      { stream: 'stdout', text: 'a\n' },
      { stream: 'stdout', text: 'b\n' },
      { stream: 'stderr', text: 'th' },
    ]);
    assert.equal(decoder.remainder, 10);
    assert.deepEqual(decoded(decoder.push(third.subarray(10))), [{ stream: 'stderr', text: 'ird\n' }]);
    assert.equal(decoder.remainder, 0);
  });
});

describe('LineSplitter', () => {
  const chunk = (stream: 'stdout' | 'stderr', text: string): LogChunk => ({ stream, data: Buffer.from(text) });

  test('joins a line split across two chunks', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push(chunk('stdout', 'hello wo')), []);
    assert.deepEqual(splitter.push(chunk('stdout', 'rld\nnext')), [{ stream: 'stdout', line: 'hello world' }]);
    assert.deepEqual(splitter.flush(), [{ stream: 'stdout', line: 'next' }]);
    assert.deepEqual(splitter.flush(), [], 'flush empties the partials');
  });

  test('keeps the partial lines of stdout and stderr apart', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push(chunk('stdout', 'out-')), []);
    assert.deepEqual(splitter.push(chunk('stderr', 'err-')), []);
    assert.deepEqual(splitter.push(chunk('stderr', 'tail\n')), [{ stream: 'stderr', line: 'err-tail' }]);
    assert.deepEqual(splitter.push(chunk('stdout', 'tail\n')), [{ stream: 'stdout', line: 'out-tail' }]);
  });

  test('strips the \\r of \\r\\n line ends, keeps inner \\r and empty lines', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push(chunk('stdout', 'one\r\ntwo\r\n\r\nthree\rstill three\n')), [
      { stream: 'stdout', line: 'one' },
      { stream: 'stdout', line: 'two' },
      { stream: 'stdout', line: '' },
      { stream: 'stdout', line: 'three\rstill three' },
    ]);
  });

  test('a \\r\\n split between chunks is still stripped', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push(chunk('stdout', 'line\r')), []);
    assert.deepEqual(splitter.push(chunk('stdout', '\n')), [{ stream: 'stdout', line: 'line' }]);
  });

  test('flush reports unterminated tails of both streams', () => {
    const splitter = new LineSplitter();
    splitter.push(chunk('stderr', 'err tail'));
    splitter.push(chunk('stdout', 'out tail'));
    assert.deepEqual(splitter.flush(), [
      { stream: 'stdout', line: 'out tail' },
      { stream: 'stderr', line: 'err tail' },
    ]);
  });
});

describe('splitLogBuffer', () => {
  test('demultiplexes a non-TTY logs response into lines per stream', () => {
    const buffer = Buffer.concat([frame(1, 'starting\nlisten'), frame(1, 'ing on 80\n'), frame(2, 'warning: x\n'), frame(1, 'no newline')]);
    assert.deepEqual(splitLogBuffer(buffer, false), [
      { stream: 'stdout', line: 'starting' },
      { stream: 'stdout', line: 'listening on 80' },
      { stream: 'stderr', line: 'warning: x' },
      { stream: 'stdout', line: 'no newline' },
    ]);
  });

  test('a TTY response is raw text on stdout, not demultiplexed', () => {
    // Bytes that would be a frame header are just text for a TTY container.
    const raw = Buffer.from('\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0003abc\r\nsecond\r\n', 'latin1');
    assert.deepEqual(splitLogBuffer(raw, true), [
      { stream: 'stdout', line: '\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0003abc' },
      { stream: 'stdout', line: 'second' },
    ]);
    assert.deepEqual(splitLogBuffer(Buffer.from('plain\nlines'), true), [
      { stream: 'stdout', line: 'plain' },
      { stream: 'stdout', line: 'lines' },
    ]);
  });

  test('the same bytes read as TTY and non-TTY differ', () => {
    const buffer = frame(2, 'oops\n');
    assert.deepEqual(splitLogBuffer(buffer, false), [{ stream: 'stderr', line: 'oops' }]);
    const asTty = splitLogBuffer(buffer, true);
    assert.equal(asTty.length, 1);
    assert.equal(asTty[0]?.stream, 'stdout');
    assert.ok(asTty[0]?.line.endsWith('oops'));
    assert.notEqual(asTty[0]?.line, 'oops');
  });

  test('an empty response has no lines', () => {
    assert.deepEqual(splitLogBuffer(Buffer.alloc(0), false), []);
    assert.deepEqual(splitLogBuffer(Buffer.alloc(0), true), []);
  });
});

describe('UTF-8 across chunk boundaries', () => {
  test('a character split between two chunks is decoded whole', () => {
    const bytes = Buffer.from('é\n', 'utf8');
    const splitter = new LineSplitter();
    const first = splitter.push({ stream: 'stdout', data: bytes.subarray(0, 1) });
    const second = splitter.push({ stream: 'stdout', data: bytes.subarray(1) });
    assert.deepEqual([...first, ...second], [{ stream: 'stdout', line: 'é' }]);
  });
});

describe('long lines: capped, and linear in their length', () => {
  const MAX = LOG_LINE_MAX_BYTES;

  test('a line over the cap is cut at the cap, marked truncated, and the rest dropped until its newline', () => {
    const splitter = new LineSplitter();
    const out = [
      ...splitter.push({ stream: 'stdout', data: Buffer.alloc(MAX - 10, 0x61) }),
      ...splitter.push({ stream: 'stdout', data: Buffer.alloc(100, 0x62) }),
      ...splitter.push({ stream: 'stdout', data: Buffer.alloc(MAX * 3, 0x63) }),
      ...splitter.push({ stream: 'stdout', data: Buffer.from('ccc\nnext line\n') }),
    ];
    assert.equal(out.length, 2);
    assert.equal(out[0]?.truncated, true);
    assert.equal(out[0]?.line.length, MAX);
    assert.equal(out[0]?.line, 'a'.repeat(MAX - 10) + 'b'.repeat(10));
    assert.deepEqual(out[1], { stream: 'stdout', line: 'next line' });
    assert.deepEqual(splitter.flush(), []);
  });

  test('a line of exactly the cap is whole, not truncated', () => {
    const lines = splitLogBuffer(Buffer.concat([Buffer.alloc(MAX, 0x61), Buffer.from('\n')]), true);
    assert.deepEqual(lines, [{ stream: 'stdout', line: 'a'.repeat(MAX) }]);
  });

  test('the cut never splits a UTF-8 character', () => {
    // 'é' is 2 bytes: with 1 byte of room left, the cut falls before it.
    const lines = splitLogBuffer(Buffer.from('x' + 'é'.repeat(10) + '\n'), true, 4);
    assert.deepEqual(lines, [{ stream: 'stdout', line: 'xé', truncated: true }]);
    assert.equal(utf8Boundary(Buffer.from('ab€', 'utf8').subarray(0, 4)), 2);
    assert.equal(utf8Boundary(Buffer.from('ab€', 'utf8')), 5);
  });

  test('the two streams are capped apart: a long stdout line does not cut stderr', () => {
    const splitter = new LineSplitter(8);
    const out = [
      ...splitter.push({ stream: 'stdout', data: Buffer.from('0123456789') }),
      ...splitter.push({ stream: 'stderr', data: Buffer.from('err\n') }),
      ...splitter.push({ stream: 'stdout', data: Buffer.from('more\nok\n') }),
    ];
    assert.deepEqual(out, [
      { stream: 'stdout', line: '01234567', truncated: true },
      { stream: 'stderr', line: 'err' },
      { stream: 'stdout', line: 'ok' },
    ]);
  });

  /** Feeds one newline-free line of `bytes` in 16 KiB frames (the engine's size) through decoder and splitter. */
  function feedLongLine(bytes: number): { ms: number; lines: number; truncated: number } {
    const payload = Buffer.alloc(16 * 1024, 0x61);
    const framed = frame(1, payload.toString('latin1'));
    const decoder = new FrameDecoder();
    const splitter = new LineSplitter();
    let lines = 0;
    let truncated = 0;
    const started = performance.now();
    for (let sent = 0; sent < bytes; sent += payload.length) {
      for (const chunk of decoder.push(framed)) {
        for (const l of splitter.push(chunk)) {
          lines++;
          if (l.truncated) truncated++;
        }
      }
    }
    lines += splitter.flush().length;
    return { ms: performance.now() - started, lines, truncated };
  }

  test('one 16 MB line in 16 KiB chunks: work grows linearly (8 MB vs 16 MB), one truncated line', () => {
    feedLongLine(1024 * 1024); // warm-up
    // The fastest of three runs each: a shared machine adds noise, never speed.
    const fastest = (bytes: number) => [1, 2, 3].map(() => feedLongLine(bytes)).reduce((a, b) => (b.ms < a.ms ? b : a));
    const small = fastest(8 * 1024 * 1024);
    const big = fastest(16 * 1024 * 1024);
    console.log(`long line split: 8 MB in ${small.ms.toFixed(1)} ms, 16 MB in ${big.ms.toFixed(1)} ms`);
    assert.deepEqual({ lines: big.lines, truncated: big.truncated }, { lines: 1, truncated: 1 });
    // Quadratic re-splitting took seconds here and four times as long for twice the bytes.
    assert.ok(big.ms < 500, `16 MB took ${big.ms} ms`);
    assert.ok(big.ms < small.ms * 3 + 50, `twice the bytes took ${(big.ms / small.ms).toFixed(1)}× the time`);
  });
});
