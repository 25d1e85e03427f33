import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isCertainlyUnprocessed,
  isRetryableStatus,
  nextDelayMs,
  parseRetryAfter,
} from '../../lambda/atlas/retry';

describe('retry policy', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1000, maxDelayMs: 8000 };

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(parseRetryAfter('55', now)).toBe(55);
    expect(parseRetryAfter(['7'], now)).toBe(7);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off with full jitter under a doubling, capped ceiling', () => {
    const top = { ...policy, random: () => 0.999999 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, top))).toEqual([999, 1999, 3999, 7999, 7999]);
    expect(backoffDelayMs(3, { ...policy, random: () => 0 })).toBe(0);
  });

  it('never waits less than Retry-After', () => {
    expect(nextDelayMs(1, 5, { ...policy, random: () => 0 })).toBe(5000);
    expect(nextDelayMs(2, 5, { ...policy, random: () => 0.5 })).toBe(6000);
  });

  it('retries throttling and server errors, not client errors', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 501].some(isRetryableStatus)).toBe(false);
  });
});

describe('isCertainlyUnprocessed', () => {
  it("takes refusals and a 500 carrying Atlas's own error document as not carried out", () => {
    expect(isCertainlyUnprocessed(429)).toBe(true);
    expect(isCertainlyUnprocessed(503)).toBe(true);
    expect(isCertainlyUnprocessed(500, { error: 500, errorCode: 'UNEXPECTED_ERROR', detail: 'Unexpected error.' })).toBe(true);
  });

  it("keeps a 500 without Atlas's error document and a gateway's 502/504 as possibly carried out", () => {
    expect(isCertainlyUnprocessed(500)).toBe(false);
    expect(isCertainlyUnprocessed(500, { detail: 'non-JSON answer (12 bytes)' })).toBe(false);
    expect(isCertainlyUnprocessed(502, { errorCode: 'BAD_GATEWAY' })).toBe(false);
    expect(isCertainlyUnprocessed(504)).toBe(false);
  });
});
