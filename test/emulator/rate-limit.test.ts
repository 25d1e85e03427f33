/**
 * The per-project token bucket: Atlas's documented default for the private endpoint operations
 * (capacity 4000, refill 2000 per 60 s, scope GROUP), configurable, and a 429 in the shape recorded live.
 */
import {
  ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT,
  DEFAULT_API_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_SERVICE_ACCOUNT,
  startAtlasEmulator,
  VirtualClock,
  type AtlasEmulator,
} from '../../local/atlas-emulator';
import { DigestClient, fetchToken, paths, send } from './http';

const OTHER_PROJECT = '6a0b1c2d3e4f5a6b7c8d9e0f';
const P = paths(DEFAULT_PROJECT_ID);
const LIST = P.list('AWS');
const CREATE = { providerName: 'AWS', region: 'us-east-1' };
const DOC_LINK = 'http://dochub.mongodb.org/core/atlas-api-rate-limit';

describe('the default limit', () => {
  let emu: AtlasEmulator;
  afterEach(() => emu.close());

  it("is on, with Atlas's documented limit for the Private Endpoint Services set", async () => {
    emu = await startAtlasEmulator();
    expect(emu.rateLimit).toEqual({ capacity: 4000, refillRate: 2000, refillDurationSeconds: 60 });
    expect(ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT).toEqual(emu.rateLimit);
    const atlas = new DigestClient(emu.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
    const first = await atlas.get(LIST);
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-limit']).toBe('4000');
    expect(first.headers['ratelimit-remaining']).toBe('3999');
    expect((await atlas.get(LIST)).headers['ratelimit-remaining']).toBe('3998');
  });

  it('can be turned off: no RateLimit headers and no 429 however many calls', async () => {
    emu = await startAtlasEmulator({ rateLimit: false });
    expect(emu.rateLimit).toBeUndefined();
    const atlas = new DigestClient(emu.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
    for (let i = 0; i < 5; i++) {
      const r = await atlas.get(LIST);
      expect(r.status).toBe(200);
      expect(r.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('rejects a bucket that could never answer', async () => {
    await expect(startAtlasEmulator({ rateLimit: { capacity: 0 } })).rejects.toThrow(/rateLimit.capacity must be a positive integer/);
    await expect(startAtlasEmulator({ rateLimit: { refillDurationSeconds: 0.5 } })).rejects.toThrow(/refillDurationSeconds/);
    emu = await startAtlasEmulator({ rateLimit: { capacity: 7 } });
    // Fields not given keep the documented values.
    expect(emu.rateLimit).toEqual({ capacity: 7, refillRate: 2000, refillDurationSeconds: 60 });
  });
});

describe('a small bucket on virtual time', () => {
  let emu: AtlasEmulator;
  let clock: VirtualClock;
  let atlas: DigestClient;

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 10, 29, 12, 0, 0));
    emu = await startAtlasEmulator({
      clock,
      projectIds: [DEFAULT_PROJECT_ID, OTHER_PROJECT],
      rateLimit: { capacity: 3, refillRate: 2, refillDurationSeconds: 60 },
    });
    atlas = new DigestClient(emu.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
  });
  afterEach(() => emu.close());

  it('spends one token per authenticated call; the empty bucket answers the recorded 429 naming the concrete path, and nothing is processed', async () => {
    // The digest challenge leg (no credentials yet) spends nothing: three calls fit.
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const r = await atlas.get(LIST);
      expect(r.status).toBe(200);
      remaining.push(r.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    clock.advance(20);
    const r = await atlas.post(P.create, CREATE);
    expect(r.status).toBe(429);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['retry-after']).toBe('40');
    expect(r.headers['ratelimit-limit']).toBe('3');
    expect(r.headers['ratelimit-remaining']).toBe('0');
    const scope = P.create.slice(1);
    expect(r.json).toEqual({
      detail: `Rate limit exceeded for ${scope}. Please retry after 40 seconds. Request capacity: 3. Refill rate: 2 per 60 seconds. For more information, see: ${DOC_LINK}.`,
      error: 429,
      errorCode: 'RATE_LIMITED_TOKEN_BUCKET',
      parameters: [scope, 40, 3, 2, 60],
      reason: 'Too Many Requests',
    });
    expect(emu.services()).toEqual([]);
    expect(emu.requests.at(-1)).toMatchObject({ status: 429, operation: 'createService', rateLimited: true });
    // Only the bucket's 429 is marked: the calls it let through are not.
    expect(emu.requests.filter((q) => q.rateLimited)).toHaveLength(1);
  });

  it('refills whole batches at the end of each interval; the wait is rounded down, as the recorded "retry after 0 seconds"', async () => {
    for (let i = 0; i < 3; i++) await atlas.get(LIST);
    clock.advance(59.5);
    const almost = await atlas.get(LIST);
    expect(almost.status).toBe(429);
    expect(almost.headers['retry-after']).toBe('0');
    expect(almost.json.detail).toContain('Please retry after 0 seconds.');

    clock.advance(0.5);
    const refilled = [];
    for (let i = 0; i < 3; i++) refilled.push((await atlas.get(LIST)).status);
    expect(refilled).toEqual([200, 200, 429]);

    // Never more than the capacity, however long the pause.
    clock.advance(3600);
    const after = [];
    for (let i = 0; i < 4; i++) after.push((await atlas.get(LIST)).status);
    expect(after).toEqual([200, 200, 200, 429]);
  });

  it('keeps one bucket per project, shared by every private endpoint operation', async () => {
    await atlas.get(LIST);
    await atlas.post(P.create, CREATE);
    await atlas.get(P.list('GCP'));
    expect((await atlas.get(P.list('AZURE'))).status).toBe(429);
    const other = await atlas.get(paths(OTHER_PROJECT).list('AWS'));
    expect(other.status).toBe(200);
    expect(other.headers['ratelimit-remaining']).toBe('2');
  });

  it('spends no token on the token endpoint, a refused credential, an unknown project or a path outside the API', async () => {
    for (let i = 0; i < 3; i++)
      expect((await fetchToken(emu.baseUrl, DEFAULT_SERVICE_ACCOUNT.clientId, DEFAULT_SERVICE_ACCOUNT.clientSecret)).status).toBe(200);
    const intruder = new DigestClient(emu.baseUrl, DEFAULT_API_KEY.publicKey, 'wrong-private-key');
    const refused = await intruder.get(LIST);
    expect(refused.status).toBe(401);
    expect(refused.headers['ratelimit-limit']).toBeUndefined();
    expect((await atlas.get(paths('0123456789abcdef01234567').list('AWS'))).status).toBe(404);
    expect((await atlas.get('/api/atlas/v2/groups/nothing-here')).status).toBe(404);
    expect((await send(emu.baseUrl, 'GET', '/')).status).toBe(404);
    expect((await atlas.get(LIST)).headers['ratelimit-remaining']).toBe('2');
  });

  it('reset() refills every bucket', async () => {
    for (let i = 0; i < 3; i++) await atlas.get(LIST);
    expect((await atlas.get(LIST)).status).toBe(429);
    emu.reset();
    expect((await atlas.get(LIST)).headers['ratelimit-remaining']).toBe('2');
  });

  it("an injected 429 has the same shape and the configured bucket's figures, and spends no token", async () => {
    emu.faults.inject({ operation: 'deleteService' }, { kind: 'status', status: 429, retryAfterSeconds: 7 });
    const path = P.service('AWS', '0123456789abcdef01234567');
    const r = await atlas.delete(path);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('7');
    expect(r.json.parameters).toEqual([path.slice(1), 7, 3, 2, 60]);
    expect(emu.requests.at(-1)).toMatchObject({ status: 429, fault: 'status' });
    expect(emu.requests.at(-1)?.rateLimited).toBeUndefined();
    expect(r.json.detail).toMatch(
      new RegExp(
        `^Rate limit exceeded for ${path.slice(1)}\\. Please retry after 7 seconds\\..* For more information, see: ${DOC_LINK.replace(/\./g, '\\.')}\\.$`,
      ),
    );
    expect((await atlas.get(LIST)).headers['ratelimit-remaining']).toBe('2');
  });
});
