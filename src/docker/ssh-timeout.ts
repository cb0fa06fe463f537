import type { Agent } from 'node:http';
import type { Duplex } from 'node:stream';

type AgentFactory = (options: unknown) => Agent;
type Connect = (options: unknown, done: (err: Error | null, stream?: Duplex) => void) => void;

/**
 * docker-modem's ssh transport hands node's http client an ssh2 channel as the socket; a
 * channel has no setTimeout, so any request with a timeout (our `api` client: every short
 * engine call) throws "sock.setTimeout is not a function" out of the event loop. This gives
 * each channel the idle timeout a net.Socket has: 'timeout' after `ms` without data either
 * way, re-armed by traffic, off with 0. The http client then aborts the request as on TCP.
 */
export function withSocketTimeouts(factory: AgentFactory): AgentFactory {
  return (options) => {
    const agent = factory(options);
    const create = (agent as unknown as { createConnection: Connect }).createConnection;
    (agent as unknown as { createConnection: Connect }).createConnection = function (this: unknown, opts, done) {
      create.call(this, opts, (err, stream) => {
        if (stream && typeof (stream as Partial<Duplex & { setTimeout: unknown }>).setTimeout !== 'function') addIdleTimeout(stream);
        done(err, stream);
      });
    };
    return agent;
  };
}

function addIdleTimeout(stream: Duplex): void {
  let ms = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = ms > 0 ? setTimeout(() => stream.emit('timeout'), ms) : undefined;
    timer?.unref();
  };
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args) => {
    arm();
    return write(...args);
  };
  stream.on('data', arm);
  stream.once('close', () => timer && clearTimeout(timer));
  (stream as Duplex & { setTimeout: (msecs: number, cb?: () => void) => Duplex }).setTimeout = (msecs, cb) => {
    ms = msecs;
    if (cb) stream.once('timeout', cb);
    arm();
    return stream;
  };
}
