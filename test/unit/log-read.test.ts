import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { LOG_LINE_MAX_BYTES } from '../../src/docker/log-frames.js';
import { readLogLines } from '../../src/containers/logs/log-read.js';

/** A logs body as the engine sends it to a TTY container's reader, in chunks. */
function body(text: string, chunk = 7): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  return Readable.from(parts);
}

describe('readLogLines: a non-follow read within limits', () => {
  test('reads every line when the log is small', async () => {
    const out = await readLogLines(body('one\ntwo\r\nthree'), true, false);
    assert.deepEqual(out, {
      lines: [
        { stream: 'stdout', text: 'one' },
        { stream: 'stdout', text: 'two' },
        { stream: 'stdout', text: 'three' },
      ],
      truncated: false,
    });
  });

  test('keeps the newest lines within the text budget and says lines were left out', async () => {
    const out = await readLogLines(body('aaaa\nbbbb\ncccc\ndddd\n'), true, false, { maxReadBytes: 1000, maxKeptChars: 9 });
    assert.deepEqual(
      out.lines.map((l) => l.text),
      ['cccc', 'dddd'],
    );
    assert.equal(out.truncated, true);
  });

  test('stops reading at the byte budget, destroys the engine stream and says so', async () => {
    const source = body('line\n'.repeat(1000));
    const out = await readLogLines(source, true, false, { maxReadBytes: 52, maxKeptChars: 1000 });
    assert.equal(out.truncated, true);
    assert.deepEqual(
      out.lines.map((l) => l.text),
      [...Array(10).fill('line'), 'li'],
    );
    assert.equal(out.lines.at(-1)?.truncated, true, 'the line cut by the stop says so');
    assert.equal(out.lines.filter((l) => l.truncated).length, 1);
    assert.equal(source.destroyed, true, 'the rest is not read');
  });

  test('a long line is capped and marked; timestamps are split from the text', async () => {
    const stamp = '2024-05-01T10:00:00.123456789Z';
    const out = await readLogLines(body(`${stamp} ${'x'.repeat(LOG_LINE_MAX_BYTES * 2)}\n${stamp} short\n`, 4096), true, true);
    assert.equal(out.lines.length, 2);
    assert.equal(out.lines[0]?.truncated, true);
    assert.equal(out.lines[0]?.timestamp, stamp);
    assert.equal(out.lines[0]?.text.length, LOG_LINE_MAX_BYTES - stamp.length - 1);
    assert.deepEqual(out.lines[1], { stream: 'stdout', timestamp: stamp, text: 'short' });
    assert.equal(out.truncated, false);
  });
});
