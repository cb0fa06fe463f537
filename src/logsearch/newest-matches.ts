/**
 * The `capacity` newest items seen so far, by a sortable key (a min-heap: the oldest kept
 * item is at the top and is the one dropped). A window of a newest-first search can hold
 * millions of matching lines; only the ones that can still be shown are kept, so memory is
 * bounded by the search's limit whatever the logs hold.
 */
export class NewestMatches<T extends { key: string }> {
  private readonly heap: T[] = [];
  /** Items dropped because `capacity` newer ones were kept. */
  dropped = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.heap.length;
  }

  push(item: T): void {
    if (this.capacity <= 0) {
      this.dropped++;
      return;
    }
    if (this.heap.length < this.capacity) {
      this.heap.push(item);
      this.up(this.heap.length - 1);
      return;
    }
    this.dropped++;
    // Not newer than the oldest kept: it would be dropped at once.
    if (item.key <= (this.heap[0] as T).key) return;
    this.heap[0] = item;
    this.down(0);
  }

  /** Everything kept, newest first (ties keep no particular order); empties the heap. */
  takeNewestFirst(): T[] {
    const out = this.heap.splice(0);
    return out.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as T).key <= (h[i] as T).key) return;
      [h[parent], h[i]] = [h[i] as T, h[parent] as T];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < h.length && (h[l] as T).key < (h[least] as T).key) least = l;
      if (r < h.length && (h[r] as T).key < (h[least] as T).key) least = r;
      if (least === i) return;
      [h[least], h[i]] = [h[i] as T, h[least] as T];
      i = least;
    }
  }
}
