/**
 * Atlas's per-project rate limit for the private endpoint operations: one token bucket per project
 * (scope GROUP) shared by all ten private endpoint service operations (one endpoint set).
 *
 * Source: MongoDB's "Atlas Administration API Rate Limits" page (mongodb/docs,
 * content/atlas/source/api/api-rate-limit.txt) and its table of default limits
 * (content/atlas/source/includes/api-rate-limits.rst, "Last updated: April 10, 2026"), endpoint set
 * "Private Endpoint Services": scope GROUP, capacity 4000, refill 2000 per 60 s. MongoDB says the limits
 * are not part of the API contract and may change.
 *
 * How the bucket refills is the emulator's reading of the docs ("adds tokens at a fixed rate (refillRate)
 * at specific intervals (refillDurationSeconds)"): whole `refillRate` batches at the end of each interval,
 * counted from the bucket's first use. The wait Atlas names is rounded down: a recorded live 429 says
 * "Please retry after 0 seconds", and MongoDB warns that waiting exactly `Retry-After` may meet another 429.
 */

export interface RateLimitSettings {
  /** Most tokens a bucket holds; a new bucket starts full. */
  capacity: number;
  /** Tokens added at the end of each interval, up to `capacity`. */
  refillRate: number;
  /** Length of one refill interval in seconds. */
  refillDurationSeconds: number;
}

/** Atlas's documented default for the "Private Endpoint Services" endpoint set. */
export const ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT: Readonly<RateLimitSettings> = Object.freeze({
  capacity: 4000,
  refillRate: 2000,
  refillDurationSeconds: 60,
});

export type RateLimitDecision =
  { allowed: true; limit: number; remaining: number } | { allowed: false; limit: number; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** Emulator-clock epoch ms at which the current refill interval began. */
  intervalStart: number;
}

export function resolveRateLimit(setting: Partial<RateLimitSettings> | false | undefined): RateLimitSettings | undefined {
  if (setting === false) return undefined;
  const out = { ...ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT, ...setting };
  for (const [name, v] of Object.entries(out)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`rateLimit.${name} must be a positive integer, got ${v}`);
  }
  return out;
}

/** One bucket per scope key (a project id), on the emulator's clock. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly settings: Readonly<RateLimitSettings>) {}

  /** Takes one token for `key` at `nowMs`, or says how long until the next refill. */
  take(key: string, nowMs: number): RateLimitDecision {
    const { capacity, refillRate, refillDurationSeconds } = this.settings;
    const periodMs = refillDurationSeconds * 1000;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: capacity, intervalStart: nowMs };
      this.buckets.set(key, bucket);
    }
    const intervals = Math.floor((nowMs - bucket.intervalStart) / periodMs);
    if (intervals > 0) {
      bucket.tokens = Math.min(capacity, bucket.tokens + intervals * refillRate);
      bucket.intervalStart += intervals * periodMs;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, limit: capacity, remaining: bucket.tokens };
    }
    const untilRefillMs = Math.max(0, bucket.intervalStart + periodMs - nowMs);
    return { allowed: false, limit: capacity, retryAfterSeconds: Math.floor(untilRefillMs / 1000) };
  }

  reset(): void {
    this.buckets.clear();
  }
}
