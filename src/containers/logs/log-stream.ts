import { ENGINE_LOST_EVENT } from '../../http/sse/open.js';
import type { LogSink } from '../stream-sink.js';
import type { LogFollow } from './log-follow.js';

/**
 * Pipes a live logs stream into a sink opened now: an `open` event, each new line as a
 * `log` event, and `end` when the container stops (`error` if the engine goes away). A slow
 * reader pauses the engine's stream for itself only; no line is dropped. Resolves when
 * the stream is over.
 */
export async function pipeLogs(follow: LogFollow, open: LogSink): Promise<void> {
  let stream;
  try {
    stream = open();
  } catch (err) {
    follow.close();
    throw err;
  }
  stream.send('open', { engine: follow.engine, id: follow.id, name: follow.name, tty: follow.tty });
  follow.on('line', (line) => {
    stream.send('log', line);
    if (stream.congested) {
      follow.pause();
      stream.onDrain(() => follow.resume());
    }
  });
  stream.onClose(() => follow.close());
  const end = await follow.done;
  if (end.reason === 'stopped') stream.end('end', { reason: 'container stopped', state: end.state, exitCode: end.exitCode });
  else if (end.reason === 'engine-lost') stream.end('error', ENGINE_LOST_EVENT);
  else stream.end();
}
