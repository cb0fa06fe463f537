interface Emitter {
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * Resolves true on the first `ok` event, false on the first `fail` event or when
 * `timeoutMs` passes; removes both listeners either way. A store's ready() waits so for its
 * first full sync (synced) or the failed attempt that says it cannot have one (failed).
 */
export function firstEvent(emitter: Emitter, ok: string, fail: string, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const settle = (value: boolean) => {
      clearTimeout(timer);
      emitter.off(ok, onOk);
      emitter.off(fail, onFail);
      resolve(value);
    };
    const onOk = () => settle(true);
    const onFail = () => settle(false);
    const timer = setTimeout(onFail, timeoutMs);
    emitter.once(ok, onOk);
    emitter.once(fail, onFail);
  });
}
