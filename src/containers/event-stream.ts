import { canSee, canSeeEngine, withVisibleGroups, type Viewer } from '../access/principal.js';
import { ENGINE_LOST_EVENT } from '../http/sse/open.js';
import type { ChangeFeed, FeedEntry } from './change-feed.js';
import type { ContainerService } from './container-service.js';
import type { EngineTransition } from './engines/merged-store.js';
import type { ContainerReader } from './store-reader.js';
import type { ContainerEventsSink } from './stream-sink.js';

export interface SubscribeOptions {
  /** The client's Last-Event-ID: what it saw last (anything but a positive integer: none). */
  lastEventId?: number;
  /** Start with a `snapshot` event holding the current list. */
  snapshot?: boolean;
  /** Only this engine's containers (changes, snapshot) and its `engine` events. */
  engine?: string;
}

/**
 * Container state changes for one viewer (what /events streams): `container` events
 * numbered by the change feed, replay after Last-Event-ID (or `resync` when too much
 * passed), an optional snapshot, and `resync` for a slow reader whose events were dropped.
 */
export class EventStream {
  constructor(
    private readonly store: ContainerReader,
    private readonly feed: ChangeFeed,
    private readonly containers: ContainerService,
    /** Several engines: one going away is an `engine` event, not the end of the stream. */
    private readonly several = false,
  ) {}

  /** Waits for a synced store (DOCKER_UNAVAILABLE before any stream opens), then streams until the sink closes. */
  async subscribe(viewer: Viewer, { lastEventId, snapshot, engine }: SubscribeOptions, open: ContainerEventsSink): Promise<void> {
    const { store, feed } = this;
    await store.ready();
    const stream = open();
    let missed = false;

    const deliver = (entry: FeedEntry) => {
      // Changes of containers outside the caller's groups do not exist for it.
      if (!canSee(viewer, entry.change)) return;
      if (engine !== undefined && entry.change.engine !== engine) return;
      if (stream.congested) {
        // Never queue without bound for a slow reader: drop, and tell it to refetch once it catches up.
        if (!missed) stream.onDrain(() => stream.send('resync', { reason: 'events were dropped for a slow reader; refetch the list' }, feed.lastSeq));
        missed = true;
        return;
      }
      missed = false;
      stream.send('container', withVisibleGroups(viewer, entry.change), entry.seq);
    };

    if (lastEventId !== undefined && Number.isInteger(lastEventId) && lastEventId > 0) {
      const missedEntries = feed.since(lastEventId);
      if (missedEntries) for (const entry of missedEntries) deliver(entry);
      else stream.send('resync', { reason: 'too many events passed since Last-Event-ID; refetch the list' }, feed.lastSeq);
    } else {
      stream.send('ready', { lastEventId: feed.lastSeq }, feed.lastSeq);
    }
    if (snapshot) {
      const visible = this.containers.visible(viewer);
      stream.send('snapshot', { containers: engine === undefined ? visible : visible.filter((c) => c.engine === engine) }, feed.lastSeq);
    }

    // The stream ends when no engine is left (the one engine, or every one of several).
    const onLost = () => stream.end('error', ENGINE_LOST_EVENT);
    const onEngine = (t: EngineTransition) => {
      if (canSeeEngine(viewer, t.engine) && (engine === undefined || t.engine === engine) && !stream.congested) stream.send('engine', t, feed.lastSeq);
    };
    feed.on('entry', deliver);
    store.on('lost', onLost);
    if (this.several) store.on('engine', onEngine);
    stream.onClose(() => {
      feed.off('entry', deliver);
      store.off('lost', onLost);
      store.off('engine', onEngine);
    });
  }
}
