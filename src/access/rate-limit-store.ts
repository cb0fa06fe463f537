import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Metrics } from '../http/metrics.js';
import type { RateLimitStatus } from './schemas.js';

/** A fixed-window counter: how many hits in the current window, and when it ends. */
export interface WindowCount {
  current: number;
  ttlMs: number;
}

/**
 * shared: counters live in Redis, one budget for all replicas.
 * local: counted in this process only (no REDIS_URL, or Redis does not answer).
 * connecting: REDIS_URL is set and Redis has not answered yet; counted locally meanwhile.
 */
export type RateLimitStoreState = RateLimitStatus['state'];
export type RateLimitStoreStatus = RateLimitStatus;

/** Entries kept in memory before expired ones are swept (and, past the cap, the oldest dropped). */
const SWEEP_AT = 10_000;
const CAP = 100_000;

class MemoryCounters {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  incr(key: string, windowMs: number): WindowCount {
    const now = Date.now();
    let entry = this.windows.get(key);
    if (!entry || entry.resetAt <= now) {
      if (this.windows.size >= SWEEP_AT) this.sweep(now);
      entry = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, entry);
    }
    entry.count += 1;
    return { current: entry.count, ttlMs: entry.resetAt - now };
  }

  read(key: string): WindowCount {
    const now = Date.now();
    const entry = this.windows.get(key);
    return entry && entry.resetAt > now ? { current: entry.count, ttlMs: entry.resetAt - now } : { current: 0, ttlMs: 0 };
  }

  delete(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.windows) if (entry.resetAt <= now) this.windows.delete(key);
    // A flood of distinct keys must not grow the process without bound: drop the oldest.
    for (const key of this.windows.keys()) {
      if (this.windows.size < CAP) break;
      this.windows.delete(key);
    }
  }
}

const INCR = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if current == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}`;

const READ = `
local current = redis.call('GET', KEYS[1])
if not current then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(current), ttl}`;

type RedisWithScripts = Redis & {
  gdmRateIncr(key: string, windowMs: number): Promise<[number, number]>;
  gdmRateRead(key: string): Promise<[number, number]>;
};

/** A command that takes longer is treated as Redis being away (the request goes on). */
const COMMAND_TIMEOUT_MS = 300;
/** While Redis accepts connections but did not answer, ask it this often whether it is back. */
const PROBE_EVERY_MS = 1000;

/**
 * Rate-limit counters, shared through Redis when REDIS_URL is set, and always also counted
 * in this process. While Redis does not answer, the per-process counts decide: a request
 * never fails or waits long because Redis is away (it may be the platform's own container
 * that this service stops and starts). One warning when Redis is lost, one line when it
 * returns; the state is on /health, gdm_rate_limit_store_up and the 'state' event.
 */
export class RateLimitStore extends EventEmitter<{ state: [RateLimitStoreStatus] }> {
  private readonly memory = new MemoryCounters();
  private readonly redis: RedisWithScripts | undefined;
  private state: RateLimitStoreState;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    redisUrl: string | undefined,
    private readonly log: FastifyBaseLogger,
    private readonly metrics: Pick<Metrics, 'rateLimitStoreUp' | 'rateLimitStoreFallbacks'>,
    private readonly prefix = 'gdm-rl:',
  ) {
    super();
    this.state = redisUrl ? 'connecting' : 'local';
    metrics.rateLimitStoreUp.set(redisUrl ? 0 : 1);
    if (!redisUrl) return;
    // Loaded only with REDIS_URL: without it the client library is dead weight (issue 13, RSS).
    const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
    this.redis = new RedisClient(redisUrl, {
      // Fail fast: a command for an absent Redis is refused at once, never queued.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      // Keep trying to reconnect, at most a second apart, for as long as we run.
      retryStrategy: (times) => Math.min(100 * times, 1000),
    }) as RedisWithScripts;
    this.redis.defineCommand('gdmRateIncr', { numberOfKeys: 1, lua: INCR });
    this.redis.defineCommand('gdmRateRead', { numberOfKeys: 1, lua: READ });
    this.redis.on('ready', () => this.setState('shared'));
    this.redis.on('close', () => this.lost('the connection closed'));
    // Each reconnection attempt fails with an error: worth a debug line, not a warning each.
    this.redis.on('error', (err: Error) => this.log.debug({ err: err.message }, 'redis (rate limits) error'));
  }

  status(): RateLimitStoreStatus {
    return { store: this.redis ? 'redis' : 'memory', state: this.state, shared: this.state === 'shared' };
  }

  /** Counts one hit on `key` and returns the count of its window (shared when Redis answers). */
  async incr(key: string, windowMs: number): Promise<WindowCount> {
    const local = this.memory.incr(key, windowMs);
    const shared = await this.shared(async (redis) => {
      const [current, ttlMs] = await redis.gdmRateIncr(this.prefix + key, windowMs);
      return { current, ttlMs };
    });
    return shared ?? local;
  }

  /** The count of `key`'s window, without counting. */
  async read(key: string): Promise<WindowCount> {
    const shared = await this.shared(async (redis) => {
      const [current, ttlMs] = await redis.gdmRateRead(this.prefix + key);
      return { current, ttlMs };
    });
    return shared ?? this.memory.read(key);
  }

  async delete(key: string): Promise<void> {
    this.memory.delete(key);
    await this.shared((redis) => redis.del(this.prefix + key));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probe);
    if (!this.redis) return;
    this.redis.removeAllListeners('close');
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }

  /** Runs `op` on Redis if it is in use; undefined (count locally) if it is away or fails. */
  private async shared<T>(op: (redis: RedisWithScripts) => Promise<T>): Promise<T | undefined> {
    if (!this.redis || this.state !== 'shared') return undefined;
    try {
      return await op(this.redis);
    } catch (err) {
      this.lost((err as Error).message);
      return undefined;
    }
  }

  private lost(reason: string): void {
    if (this.closed || this.state === 'local') return;
    const wasShared = this.state === 'shared';
    this.log.warn(
      { reason },
      wasShared
        ? 'redis (rate limits) unavailable: counting per process until it answers again'
        : 'redis (rate limits) not reachable: counting per process until it answers',
    );
    if (wasShared) this.metrics.rateLimitStoreFallbacks.inc();
    this.setState('local');
    // A connection that is open but silent sends no 'ready' when it heals: ask it.
    if (this.redis?.status === 'ready') this.startProbe();
  }

  private startProbe(): void {
    if (this.probe) return;
    this.probe = setInterval(() => {
      if (this.state !== 'local' || this.redis?.status !== 'ready') return;
      this.redis.ping().then(
        () => this.setState('shared'),
        () => undefined,
      );
    }, PROBE_EVERY_MS);
    this.probe.unref();
  }

  private setState(state: RateLimitStoreState): void {
    if (this.closed || state === this.state) return;
    if (state === 'shared') {
      clearInterval(this.probe);
      this.probe = undefined;
      this.log.info('redis (rate limits) answers: counters are shared between replicas');
    }
    this.state = state;
    this.metrics.rateLimitStoreUp.set(state === 'shared' ? 1 : 0);
    this.emit('state', this.status());
  }
}
