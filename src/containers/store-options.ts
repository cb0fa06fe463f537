export interface StoreOptions {
  /** Full resync period: catches anything the events stream missed. */
  resyncIntervalMs: number;
  /** Parallel inspects during a full sync. */
  inspectConcurrency: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = { resyncIntervalMs: 60_000, inspectConcurrency: 8, reconnectMinMs: 250, reconnectMaxMs: 2_000 };

/** Engine actions that change what we show; exec_*, attach, resize, top… do not. */
export const STATE_ACTIONS = new Set(['create', 'start', 'restart', 'stop', 'die', 'kill', 'oom', 'pause', 'unpause', 'rename', 'update', 'destroy']);
