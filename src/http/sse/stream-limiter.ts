import { appError } from '../../errors.js';

/** Caps the streams one caller keeps open at once: streams hold engine connections. */
export class StreamLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly perClient: number) {}

  /** Takes a slot for `caller` or throws 429; call the returned function to give it back. */
  acquire(caller: string): () => void {
    const count = this.open.get(caller) ?? 0;
    if (count >= this.perClient) {
      throw appError('TOO_MANY_STREAMS', `At most ${this.perClient} streams may be open at once per client; close one first`);
    }
    this.open.set(caller, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(caller) ?? 1) - 1;
      if (left <= 0) this.open.delete(caller);
      else this.open.set(caller, left);
    };
  }

  count(caller: string): number {
    return this.open.get(caller) ?? 0;
  }

  get total(): number {
    let n = 0;
    for (const v of this.open.values()) n += v;
    return n;
  }
}
