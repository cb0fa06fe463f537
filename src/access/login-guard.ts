import type { RateLimitStore } from './rate-limit-store.js';

const WINDOW_MS = 60_000;

export interface LoginRefusal {
  retryAfterSeconds: number;
  message: string;
}

/**
 * Brute-force protection for password logins that nobody else can turn against a user:
 * - per address: LOGIN_RATE_LIMIT_PER_MINUTE attempts a minute, right or wrong;
 * - per user name: only FAILED attempts count. Once a name has that many failures in a
 *   minute it is under attack, and an address that has itself tried that name in the
 *   window (without succeeding) is refused; an address new to it still gets its attempt.
 * So one address guessing gets 429, many addresses guessing one name get one guess each
 * per minute, and the right password from a clean address is never refused because of
 * others' failures (the per-name count used to lock the admin out from everywhere).
 */
export class LoginGuard {
  constructor(
    private readonly store: RateLimitStore,
    private readonly perMinute: number,
  ) {}

  /** Counts the attempt against its address; a refusal when it may not go on. */
  async admit(address: string, username: string): Promise<LoginRefusal | undefined> {
    const byAddress = await this.store.incr(`login-ip:${address}`, WINDOW_MS);
    if (byAddress.current > this.perMinute) {
      return { retryAfterSeconds: seconds(byAddress.ttlMs), message: `Too many login attempts from this address; retry in ${seconds(byAddress.ttlMs)} s` };
    }
    // The pair counts attempts, not only failures: guesses sent in parallel, before any
    // has failed, must not each pass as the address's first one.
    const [byName, byPair] = await Promise.all([this.store.read(nameKey(username)), this.store.incr(pairKey(address, username), WINDOW_MS)]);
    if (byName.current >= this.perMinute && byPair.current > 1) {
      return {
        retryAfterSeconds: seconds(byPair.ttlMs),
        message: `Too many failed logins for this user name; retry from here in ${seconds(byPair.ttlMs)} s`,
      };
    }
    return undefined;
  }

  async failed(_address: string, username: string): Promise<void> {
    await this.store.incr(nameKey(username), WINDOW_MS);
  }

  /** The address proved it knows the password: its own attempts at the name are forgiven. */
  async succeeded(address: string, username: string): Promise<void> {
    await this.store.delete(pairKey(address, username));
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function nameKey(username: string): string {
  return `login-fail:${encodeURIComponent(username.toLowerCase())}`;
}

function pairKey(address: string, username: string): string {
  return `login-fail:${encodeURIComponent(username.toLowerCase())}:${address}`;
}
