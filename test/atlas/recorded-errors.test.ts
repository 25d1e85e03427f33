/**
 * Every error shape recorded from live Atlas, served by the emulator over real HTTP, turned by the client
 * into one AtlasApiError with its status kept: a 401 without errorCode (pretty-printed, and its mid-2026
 * variant), a 503 page that is not JSON, an empty 405, the recorded 400 codes, 410, a rate-limit 429 naming
 * the path, and ATLAS_GENERAL_ERROR "No Capacity" as a failure with a reason a person can act on.
 */
import { DigestAuthenticator } from '../../lambda/atlas/auth';
import { AtlasClient } from '../../lambda/atlas/client';
import { AtlasApiError } from '../../lambda/atlas/errors';
import { AtlasHttp } from '../../lambda/atlas/http';
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID, startAtlasEmulator, type AtlasEmulator } from '../../local/atlas-emulator';

const PROJECT = DEFAULT_PROJECT_ID;
const LIST = `/api/atlas/v2/groups/${PROJECT}/privateEndpoint/AWS/endpointService`;
const noSleep = async () => undefined;

let emu: AtlasEmulator;
let client: AtlasClient;

async function failure(p: Promise<unknown>): Promise<AtlasApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AtlasApiError);
  return err as AtlasApiError;
}

beforeAll(async () => {
  emu = await startAtlasEmulator({
    credentials: { apiKeys: [{ ...DEFAULT_API_KEY }, { publicKey: 'elsewhere', privateKey: 'elsewhere-private', projects: [] }] },
  });
  client = new AtlasClient({
    baseUrl: emu.baseUrl,
    credentials: { kind: 'api-key', ...DEFAULT_API_KEY },
    sleep: noSleep,
    retry: { budgetMs: 0 },
  });
});
afterAll(async () => {
  await client.close();
  await emu.close();
});
beforeEach(() => emu.reset());

describe('401 without errorCode', () => {
  it.each([
    ['a wrong private key', { publicKey: DEFAULT_API_KEY.publicKey, privateKey: 'wrong' }],
    ['a key that cannot see the project', { publicKey: 'elsewhere', privateKey: 'elsewhere-private' }],
  ])("%s: status 401 kept, Atlas's detail kept, not retryable, advice on roles and access list", async (_what, key) => {
    const c = new AtlasClient({ baseUrl: emu.baseUrl, credentials: { kind: 'api-key', ...key }, sleep: noSleep });
    try {
      const err = await failure(c.listEndpointServices(PROJECT, 'AWS'));
      expect(err.status).toBe(401);
      expect(err.errorCode).toBe('HTTP_401');
      expect(err.detail).toBe('You are not authorized for this resource.');
      expect(err.retryable).toBe(false);
      expect(err.isUnauthorized).toBe(true);
      expect(err.message).toContain('HTTP 401');
      expect(err.message).toMatch(/Project Read Only .* role on project/);
    } finally {
      await c.close();
    }
  });

  it('the mid-2026 variant with UNEXPECTED_ERROR is the same failure, with its code', async () => {
    const newer = await startAtlasEmulator({ shapes: { unauthorized: 'unexpected-error' } });
    const c = new AtlasClient({
      baseUrl: newer.baseUrl,
      credentials: { kind: 'api-key', publicKey: DEFAULT_API_KEY.publicKey, privateKey: 'wrong' },
      sleep: noSleep,
    });
    try {
      const err = await failure(c.listEndpointServices(PROJECT, 'AWS'));
      expect([err.status, err.errorCode, err.detail, err.retryable]).toEqual([
        401,
        'UNEXPECTED_ERROR',
        'You are not authorized for this resource.',
        false,
      ]);
      expect(err.isUnauthorized).toBe(true);
    } finally {
      await c.close();
      await newer.close();
    }
  });
});

describe('answers that are not an Atlas error body', () => {
  it('a 503 page that is not JSON: status 503 kept, retryable, certainly not processed', async () => {
    emu.faults.inject({ operation: 'createService' }, { kind: 'status', status: 503, nonJsonBody: true });
    const err = await failure(client.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' }));
    expect(err.status).toBe(503);
    expect(err.errorCode).toBe('HTTP_503');
    expect(err.detail).toMatch(/^non-JSON answer \(\d+ bytes\)$/);
    expect(err.retryable).toBe(true);
    expect(err.maybeProcessed).toBe(false);
    expect(emu.services()).toEqual([]);
  });

  it('a 503 page that is not JSON, then a good answer: the client retries within its budget', async () => {
    const patient = new AtlasClient({ baseUrl: emu.baseUrl, credentials: { kind: 'api-key', ...DEFAULT_API_KEY }, sleep: noSleep });
    try {
      emu.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 503, nonJsonBody: true });
      expect(await patient.listEndpointServices(PROJECT, 'AWS')).toEqual([]);
    } finally {
      await patient.close();
    }
  });

  it('an empty 405 with an Allow header: status 405 kept, not retryable', async () => {
    const http = new AtlasHttp({ baseUrl: emu.baseUrl, sleep: noSleep });
    try {
      const auth = new DigestAuthenticator(DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      const err = await failure(http.call({ operation: 'listEndpointServices', method: 'PUT', path: LIST, json: {}, auth }));
      expect([err.status, err.errorCode, err.detail, err.retryable, err.attempts]).toEqual([405, 'HTTP_405', undefined, false, 1]);
    } finally {
      await http.close();
    }
  });

  it('410 VERSION_GONE for a sunset version date: status and code kept, not retryable', async () => {
    const sunset = await startAtlasEmulator({ sunsetVersions: ['2023-02-01'] });
    const http = new AtlasHttp({ baseUrl: sunset.baseUrl, sleep: noSleep });
    try {
      const auth = new DigestAuthenticator(DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      const err = await failure(
        http.call({ operation: 'listEndpointServices', method: 'GET', path: LIST, auth, accept: 'application/vnd.atlas.2023-02-01+json' }),
      );
      expect([err.status, err.errorCode, err.retryable]).toEqual([410, 'VERSION_GONE', false]);
    } finally {
      await http.close();
      await sunset.close();
    }
  });
});

describe('recorded 400 codes reach the caller unchanged', () => {
  it.each([
    [{ providerName: 'AWS', region: 'US_NORTH_9' }, 'INVALID_ENUM_VALUE'],
    [{ providerName: 'AWS', region: 'us-east-1', supportedRemoteRegions: ['US_EAST_1'] }, 'CROSS_REGION_PRIVATE_LINK_SELF_REGION'],
    [{ providerName: 'GCP', region: 'us-central1', supportedRemoteRegions: ['US_EAST_1'] }, 'PROVIDER_UNSUPPORTED'],
  ] as const)('%j → %s', async (request, code) => {
    const err = await failure(client.createEndpointService(PROJECT, request as Parameters<AtlasClient['createEndpointService']>[1]));
    expect([err.status, err.errorCode, err.retryable]).toEqual([400, code, false]);
  });
});

describe('429 from the per-project token bucket', () => {
  it('names the concrete path; the client reports it retryable after at least Retry-After', async () => {
    const tight = await startAtlasEmulator({ rateLimit: { capacity: 1, refillRate: 1, refillDurationSeconds: 60 } });
    const c = new AtlasClient({
      baseUrl: tight.baseUrl,
      credentials: { kind: 'api-key', ...DEFAULT_API_KEY },
      sleep: noSleep,
      retry: { budgetMs: 0 },
      now: () => tight.clock.now(),
    });
    try {
      await c.listEndpointServices(PROJECT, 'AWS');
      tight.advance(20);
      const err = await failure(c.listEndpointServices(PROJECT, 'AWS'));
      expect([err.status, err.errorCode, err.retryable]).toEqual([429, 'RATE_LIMITED_TOKEN_BUCKET', true]);
      expect(err.parameters).toEqual([LIST.slice(1), 40, 1, 1, 60]);
      expect(err.detail).toContain('http://dochub.mongodb.org/core/atlas-api-rate-limit');
      expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(40);
    } finally {
      await c.close();
      await tight.close();
    }
  });
});

describe('ATLAS_GENERAL_ERROR "No Capacity"', () => {
  it('is a failure at once, not a transient: one attempt, and a reason that says what to do', async () => {
    const patient = new AtlasClient({ baseUrl: emu.baseUrl, credentials: { kind: 'api-key', ...DEFAULT_API_KEY }, sleep: noSleep });
    try {
      emu.faults.nextService({ outcome: 'NO_CAPACITY' });
      const err = await failure(patient.createEndpointService(PROJECT, { providerName: 'AZURE', region: 'eastus2' }));
      expect([err.status, err.errorCode, err.detail, err.retryable, err.attempts]).toEqual([
        400,
        'ATLAS_GENERAL_ERROR',
        'Reason: No Capacity.',
        false,
        1,
      ]);
      expect(err.parameters).toEqual(['No Capacity']);
      expect(err.isNoCapacity).toBe(true);
      expect(err.message).toMatch(/no capacity .* right now: retry the deployment later, or choose another region\./);
      expect(emu.requests.filter((r) => r.operation === 'createService' && r.authKind === 'digest')).toHaveLength(1);
    } finally {
      await patient.close();
    }
  });

  it('another ATLAS_GENERAL_ERROR is not called a capacity problem', () => {
    const other = new AtlasApiError({
      operation: 'createEndpointService',
      status: 400,
      errorCode: 'ATLAS_GENERAL_ERROR',
      detail: 'Reason: Something else.',
      retryable: false,
      attempts: 1,
    });
    expect(other.isNoCapacity).toBe(false);
    expect(other.message).not.toMatch(/capacity/);
  });
});
