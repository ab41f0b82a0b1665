/** The wait before retry number `attempt` (1 = after the first failed attempt): 1 s doubling to 5 min. */
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 5 * 60_000;

export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempt - 1, 20)));
}

/**
 * When to try again after `attempt` failed at `nowMs`, or null when the
 * retry window (from the entry's time) is over and the event is dead. The
 * last retry is pulled in to the window's end rather than skipped, so a
 * window shorter than a backoff step still gets its try at the end.
 */
export function nextAttemptAt(attempt: number, nowMs: number, windowEndMs: number): number | null {
  if (nowMs >= windowEndMs) return null;
  return Math.min(nowMs + retryDelayMs(attempt), windowEndMs);
}
