/**
 * The service ends a stream with `event: error` and `{code: 'UNAUTHORIZED' | 'FORBIDDEN'}`
 * when the right to it goes (logout, disabled or deleted user, expired token, lost group).
 * Such an end is not an outage: the session re-checks who is logged in (the login page
 * follows) instead of reconnecting.
 */
const SESSION_ENDED = 'gdm:session-ended';

export function isAccessEnd(data: unknown): boolean {
  if (typeof data !== 'string' || data === '') return false;
  try {
    const code = (JSON.parse(data) as { code?: unknown }).code;
    return code === 'UNAUTHORIZED' || code === 'FORBIDDEN';
  } catch {
    return false;
  }
}

/** Tells the session that a stream was ended for lack of access, when it was; returns whether. */
export function endSessionIfAccessEnded(event: Event): boolean {
  if (!isAccessEnd((event as MessageEvent<unknown>).data)) return false;
  window.dispatchEvent(new Event(SESSION_ENDED));
  return true;
}

export function onSessionEnded(listener: () => void): () => void {
  window.addEventListener(SESSION_ENDED, listener);
  return () => window.removeEventListener(SESSION_ENDED, listener);
}
