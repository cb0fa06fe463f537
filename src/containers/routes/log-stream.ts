import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogQuery } from '../logs/logs.js';
import type { ContainersFeature } from '../feature.js';
import { viewerOf } from '../../access/http/viewer.js';
import { ENGINE_LOST_EVENT, openStream, type StreamSettings } from '../../http/sse/open.js';
import { LOG_STREAM } from '../stream-schemas.js';

/**
 * logs?follow=true: the last `tail` lines, then each new line as an SSE `log` event, and
 * an `end` event when the container stops (`error` if the engine goes away). A slow reader
 * pauses the engine's stream for itself only; no line is dropped.
 */
export async function streamLogs(
  request: FastifyRequest,
  reply: FastifyReply,
  services: ContainersFeature,
  settings: StreamSettings,
  ref: string,
  query: LogQuery,
): Promise<void> {
  // Open the engine side first: a 404 or 503 is still an ordinary JSON error.
  const follow = await services.logs.follow(ref, query, viewerOf(request));
  let stream;
  try {
    stream = openStream(request, reply, settings, LOG_STREAM);
  } catch (err) {
    follow.close();
    throw err;
  }
  stream.send('open', { id: follow.id, name: follow.name, tty: follow.tty });
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
