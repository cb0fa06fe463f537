/**
 * At most `limit` calls in flight per registry host: a check of hundreds of containers
 * never opens hundreds of requests against one registry (and its rate limits).
 */
export class HostLimit {
  private readonly hosts = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number) {}

  async run<T>(host: string, work: () => Promise<T>): Promise<T> {
    let slot = this.hosts.get(host);
    if (!slot) this.hosts.set(host, (slot = { active: 0, waiting: [] }));
    const s = slot;
    if (s.active >= this.limit) await new Promise<void>((resolve) => s.waiting.push(resolve));
    else s.active++;
    try {
      return await work();
    } finally {
      const next = s.waiting.shift();
      if (next) next();
      else if (--s.active === 0) this.hosts.delete(host);
    }
  }
}
