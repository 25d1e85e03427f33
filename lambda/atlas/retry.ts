/**
 * When to try an Atlas call again, and how long to wait first. Pure functions; the HTTP layer applies them.
 *
 * The client may sleep only within a caller-given budget. A Lambda step gets a small budget and reports
 * "retry after N seconds" to the Step Functions wait loop, which does the long waiting for free.
 */
import { ATLAS_BACKOFF_BASE_MS, ATLAS_BACKOFF_MAX_MS, ATLAS_CALL_MAX_MS, ATLAS_MAX_ATTEMPTS, ATLAS_RETRY_BUDGET_MS } from '../model/timing';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** First backoff ceiling for 5xx and connection errors; doubles per attempt. */
  readonly baseDelayMs: number;
  /** Largest backoff ceiling. */
  readonly maxDelayMs: number;
  /** Most time the client may spend sleeping between attempts of one call. */
  readonly budgetMs: number;
  /**
   * No new attempt starts once this long has passed since the call began, so that a call (each attempt
   * bounded by the transport's timeouts) ends well within its Lambda step's timeout.
   */
  readonly maxCallMs: number;
  /** In [0, 1); injectable so tests are deterministic. */
  readonly random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: ATLAS_MAX_ATTEMPTS,
  baseDelayMs: ATLAS_BACKOFF_BASE_MS,
  maxDelayMs: ATLAS_BACKOFF_MAX_MS,
  budgetMs: ATLAS_RETRY_BUDGET_MS,
  maxCallMs: ATLAS_CALL_MAX_MS,
  random: Math.random,
};

/**
 * Seconds from a `Retry-After` header: delta-seconds or an HTTP-date. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** "Full jitter" exponential backoff: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * The wait before the next attempt after a retryable failure. Atlas's `Retry-After` is a floor (MongoDB: wait
 * at least that long, then back off); without one, jittered exponential backoff.
 */
export function nextDelayMs(attempt: number, retryAfterSeconds: number | undefined, policy: RetryPolicy): number {
  const backoff = backoffDelayMs(attempt, policy);
  return retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 + backoff : backoff;
}

/** HTTP statuses worth another attempt. 501 and 505 are not: they will not change. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * True when Atlas cannot have acted on the request: it was refused (429, or 503 whose `Retry-After` says the
 * service turned it away), or Atlas's application answered a 500 with its own error document (`errorCode`):
 * the request was handled and failed as a whole. Anything else that failed after the request went out (a
 * gateway's 502 or 504, a 500 without Atlas's error document, a reset, a timeout) may have been carried out,
 * which matters for a non-idempotent create. The limit that remains: a 500 Atlas sends after it did write
 * is taken as "not done" (Atlas has no idempotency key to ask with).
 */
export function isCertainlyUnprocessed(status: number, body?: unknown): boolean {
  if (status === 429 || status === 503) return true;
  const errorCode = (body as { errorCode?: unknown } | undefined)?.errorCode;
  return status === 500 && typeof errorCode === 'string' && errorCode !== '';
}
