/**
 * Runs `cleanup` before the process leaves on SIGINT/SIGTERM or an unexpected error, so a
 * bench never leaves its containers behind. Returns whether a signal arrived, and a
 * function that removes the handlers.
 */
export function cleanupOnExit(cleanup: () => Promise<void>, log: (message: string) => void): { interrupted: () => boolean; dispose: () => void } {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`${signal}: stopping the service and removing bench containers before exiting`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  // A throw from a timer or stray callback must not skip the clean-up either.
  const onCrash = (err: unknown) => {
    log(`unexpected error, cleaning up: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void cleanup().finally(() => process.exit(1));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  return {
    interrupted: () => interrupted,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    },
  };
}
