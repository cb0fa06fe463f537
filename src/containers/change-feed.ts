import { EventEmitter } from 'node:events';
import type { ContainerChange } from './container-store.js';

export interface FeedEntry {
  seq: number;
  change: ContainerChange;
}

interface FeedEvents {
  entry: [FeedEntry];
}

/**
 * Numbers the store's changes and keeps the last ones, so that a client reconnecting
 * with Last-Event-ID gets what it missed instead of silently skipping it.
 */
export class ChangeFeed extends EventEmitter<FeedEvents> {
  private readonly buffer: FeedEntry[] = [];
  private seq = 0;

  constructor(
    store: { on(event: 'change', listener: (change: ContainerChange) => void): unknown },
    private readonly capacity = 1000,
  ) {
    super();
    this.setMaxListeners(0);
    store.on('change', (change) => {
      const entry = { seq: ++this.seq, change };
      this.buffer.push(entry);
      if (this.buffer.length > this.capacity) this.buffer.shift();
      this.emit('entry', entry);
    });
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Entries after `seq`, or undefined when some of them are no longer kept. */
  since(seq: number): FeedEntry[] | undefined {
    if (seq >= this.seq) return [];
    const oldest = this.buffer[0]?.seq ?? this.seq + 1;
    if (seq < oldest - 1) return undefined;
    return this.buffer.filter((e) => e.seq > seq);
  }
}
