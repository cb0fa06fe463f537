/** One source of alerts: it raises and clears on its own events, and may look again every second. */
export interface Watcher {
  tick?(now: number): void;
  stop(): void;
}
