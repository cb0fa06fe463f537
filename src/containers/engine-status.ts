import type { DockerEngine } from '../docker/engine.js';
import { isAppError } from '../errors.js';
import { isUnreachable, sshFailure, toAppError, type SshFailure } from '../docker/engine-errors.js';
import type { EngineInfo } from '../docker/engine.js';

export interface EngineState {
  reachable: boolean;
  checkedAt: string | null;
  info: EngineInfo | null;
  /** What to do about it, when unreachable. */
  hint?: string;
  /** The last failure (our code and text, and the system's error code such as ECONNREFUSED; never the engine's own message). */
  lastError?: { code: string; message: string; cause?: string; at: string };
  /** How long the last successful ping took. */
  latencyMs?: number;
}

/** The system error code of a failure (ECONNREFUSED, ENOENT, CERT_…, or ours for ssh: SSH_AUTH_FAILED…), safe to show: no path, no secret. */
function causeOf(err: unknown): string | undefined {
  const ssh = sshFailure(err);
  if (ssh) return ssh.cause;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) && !(isAppError(err))) return code;
  // A coded error keeps the client's text for the log only: take just the system code out of it.
  const internal = isAppError(err) ? err.internal : undefined;
  const match = typeof internal === 'string' ? /\b(E[A-Z]{3,}|ERR_[A-Z_]+|SSH_[A-Z_]+|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\b/.exec(internal) : null;
  return match?.[1] ?? (internal === 'timeout' ? 'TIMEOUT' : undefined);
}

const HINT = 'Start the Docker engine (or run scripts/setup-engine.sh) and check DOCKER_HOST; the service reconnects by itself.';

/** What to do about an ssh failure, by its cause: these are fixed on our side, not by starting the engine. */
const SSH_HINTS = new Map<string, string>([
  [
    'SSH_HOST_KEY_REFUSED',
    "Add the host's key to the engine's known_hosts file (ssh.knownHosts in ENGINES_FILE, else SSH_KNOWN_HOSTS or ~/.ssh/known_hosts of the service's user), e.g. from ssh-keyscan after checking its fingerprint; it is read again on each connection.",
  ],
  ['SSH_AUTH_FAILED', "Check the user in the engine's URL and its ssh.key (an unencrypted private key that user's authorized_keys accepts) or the agent at SSH_AUTH_SOCK."],
  ['SSH_AGENT_FAILED', 'Check that the SSH agent at SSH_AUTH_SOCK runs and holds a key the host accepts.'],
] satisfies [SshFailure['cause'], string][]);

/**
 * Knows whether the engine answers. Probes are cached briefly so that a busy /ready or
 * /metrics endpoint does not turn into a ping storm against the engine.
 */
export class EngineStatus {
  private state: EngineState = { reachable: false, checkedAt: null, info: null, hint: HINT };
  private lastCheck = 0;
  private inFlight: Promise<EngineState> | undefined;
  private readonly listeners = new Set<(reachable: boolean) => void>();

  constructor(
    private readonly engine: DockerEngine,
    private readonly cacheMs = 1000,
    /** What to do when it is unreachable (names the engine when there are several). */
    private readonly hint = HINT,
  ) {
    this.state.hint = hint;
  }

  get current(): EngineState {
    return this.state;
  }

  /** Engine API version as a number (e.g. 1.41), or undefined before the first contact. */
  get apiVersion(): number | undefined {
    return this.state.info ? Number(this.state.info.apiVersion) : undefined;
  }

  onChange(listener: (reachable: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Probes the engine unless a probe younger than the cache period answered. */
  async check(force = false): Promise<EngineState> {
    if (!force && Date.now() - this.lastCheck < this.cacheMs) return this.state;
    this.inFlight ??= this.probe().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * check(), but answering with the last known state when the probe takes longer than
   * `ms`: a slow engine must not hold up an answer about every engine (the probe goes on).
   */
  async checkWithin(ms: number): Promise<EngineState> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<EngineState>((resolve) => {
      timer = setTimeout(() => resolve(this.state), ms);
    });
    return Promise.race([this.check(), late]).finally(() => clearTimeout(timer));
  }

  /** Records what an ordinary engine call just learned, without a probe of its own. */
  observe(err: unknown): void {
    if (err === undefined) {
      if (!this.state.reachable) void this.check(true);
    } else if (isUnreachable(err)) {
      this.set({ reachable: false, info: this.state.info, ...this.failureOf(err) });
    }
  }

  /** The failure as the state shows it, and the engine's hint unless its cause says more precisely what to fix. */
  private failureOf(err: unknown): Pick<EngineState, 'lastError' | 'hint'> {
    const coded = toAppError(err);
    const cause = causeOf(err);
    const hint = (cause !== undefined ? SSH_HINTS.get(cause) : undefined) ?? this.hint;
    return { hint, lastError: { code: coded.code, message: coded.message, ...(cause ? { cause } : {}), at: new Date().toISOString() } };
  }

  private async probe(): Promise<EngineState> {
    const started = performance.now();
    try {
      await this.engine.ping();
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const info = this.state.info && this.state.reachable ? this.state.info : await this.engine.info();
      this.set({ reachable: true, info, latencyMs, ...(this.state.lastError ? { lastError: this.state.lastError } : {}) });
    } catch (err) {
      this.set({ reachable: false, info: this.state.info, ...this.failureOf(err) });
    }
    this.lastCheck = Date.now();
    return this.state;
  }

  private set(next: Omit<EngineState, 'checkedAt'>): void {
    const changed = next.reachable !== this.state.reachable;
    this.state = { ...next, checkedAt: new Date().toISOString() };
    if (changed) for (const listener of this.listeners) listener(next.reachable);
  }
}
