import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ContainersFeature } from '../feature.js';
import { viewerOf } from '../../access/http/viewer.js';
import { ENGINE_LOST_EVENT, openStream, type StreamSettings } from '../../http/sse/open.js';
import { CONTAINER_STATS_STREAM } from '../stream-schemas.js';

/**
 * stats?stream=true: one `stats` event per shared sample while the container runs, then
 * `end`. A slow reader skips samples (only the latest matters) instead of queueing them.
 */
export async function streamContainerStats(
  request: FastifyRequest,
  reply: FastifyReply,
  services: ContainersFeature,
  settings: StreamSettings,
  ref: string,
): Promise<void> {
  const first = await services.stats.sample(ref, viewerOf(request));
  const stream = openStream(request, reply, settings, CONTAINER_STATS_STREAM);
  stream.send('stats', first);
  const { collector } = services.stats;
  const unsubscribe = collector.subscribe((usage) => {
    if (stream.congested) return;
    const u = usage.get(first.id);
    if (u) stream.send('stats', { id: first.id, name: first.name, ...u });
  });
  const onChange = (change: { id: string; kind: string; container?: { state: string } }) => {
    if (change.id !== first.id) return;
    if (change.kind === 'removed' || change.container?.state !== 'running') {
      stream.end('end', { reason: 'container stopped', state: change.container?.state ?? 'removed' });
    }
  };
  const onLost = () => stream.end('error', ENGINE_LOST_EVENT);
  services.store.on('change', onChange);
  services.store.on('lost', onLost);
  stream.onClose(() => {
    unsubscribe();
    services.store.off('change', onChange);
    services.store.off('lost', onLost);
  });
}
