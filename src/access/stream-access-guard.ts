import type { FastifyRequest } from 'fastify';
import type { Authenticator } from './authenticator.js';
import type { Principal } from './principal.js';
import { isAppError } from '../errors.js';
import type { Revocations } from './revocations.js';
import type { UserService } from './users.js';
import type { SseStream } from '../http/sse/sse.js';

/** What says that access may have changed: any user changed, anything was revoked. */
export interface StreamAccessSources {
  users: Pick<UserService, 'on' | 'off'>;
  revocations: Pick<Revocations, 'on' | 'off'>;
}

/** setTimeout cannot wait longer than this (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function sameAccess(a: Principal, b: Principal): boolean {
  const groups = (p: Principal) => [...p.groups].sort().join('\n');
  const engines = (p: Principal) => [...p.engines].sort().join('\n');
  return a.role === b.role && a.seesUngrouped === b.seesUngrouped && groups(a) === groups(b) && engines(a) === engines(b);
}

/**
 * Keeps a long-lived stream tied to the right to read it. A stream captured its caller
 * when it opened; this re-runs authentication with the same token at every heartbeat, as
 * soon as any user changes or anything is revoked, and when the token expires. If the
 * token no longer authenticates the stream ends with `error` {code: UNAUTHORIZED}; if it
 * does but the caller's role or groups differ (what they may see changed) it ends with
 * FORBIDDEN: the client reconnects and gets what it may see now.
 */
export class StreamAccessGuard {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly sources: StreamAccessSources,
    private readonly clockToleranceSeconds: number,
  ) {}

  watch(request: FastifyRequest, stream: SseStream): void {
    const opened = request.principal;
    const credential = request.credential;
    if (!opened || !credential) {
      // Every stream route needs a caller; one without is a bug, so refuse rather than serve.
      stream.end('error', { code: 'UNAUTHORIZED', message: 'Authentication is required' });
      return;
    }
    let running: Promise<void> | undefined;
    let again = false;
    const recheck = async (): Promise<void> => {
      try {
        const now = await this.authenticator.authenticate(credential.token, credential.via);
        if (!sameAccess(opened, now)) stream.end('error', { code: 'FORBIDDEN', message: 'Your role or groups changed; reconnect to see what you may see now' });
      } catch (err) {
        const message = isAppError(err) && err.code === 'UNAUTHORIZED' ? err.message : 'Your access could not be checked';
        stream.end('error', { code: 'UNAUTHORIZED', message });
      }
    };
    // One check at a time; a trigger during a check runs one more afterwards.
    const check = () => {
      if (stream.isClosed) return;
      if (running) {
        again = true;
        return;
      }
      running = recheck().finally(() => {
        running = undefined;
        if (again) {
          again = false;
          check();
        }
      });
    };

    let expiry: NodeJS.Timeout | undefined;
    // jose refuses a token once now >= exp + tolerance (whole seconds).
    const endsAt = (opened.expiresAt + this.clockToleranceSeconds) * 1000 + 10;
    const arm = () => {
      const wait = endsAt - Date.now();
      expiry = setTimeout(wait > MAX_TIMER_MS ? arm : check, Math.max(0, Math.min(wait, MAX_TIMER_MS)));
      expiry.unref();
    };
    arm();

    stream.onHeartbeat(check);
    this.sources.users.on('changed', check);
    this.sources.revocations.on('revoked', check);
    stream.onClose(() => {
      clearTimeout(expiry);
      this.sources.users.off('changed', check);
      this.sources.revocations.off('revoked', check);
    });
  }
}
