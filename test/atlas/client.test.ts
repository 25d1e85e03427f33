/**
 * The Atlas client against the emulator over real HTTP: both kinds of authentication, token expiry and
 * renewal, stale nonces, throttling, server errors, dropped connections, and each error's fields.
 */
import { AtlasApiError, AtlasClient, type AtlasClientOptions } from '../../lambda/atlas';
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID, DEFAULT_SERVICE_ACCOUNT } from '../../local/atlas-emulator';
import { useEmulator } from '../support/emulator';

const PROJECT = DEFAULT_PROJECT_ID;
const env = useEmulator({
  credentials: {
    apiKeys: [
      { ...DEFAULT_API_KEY },
      { publicKey: 'readonlykey', privateKey: 'readonly-private', role: 'PROJECT_READ_ONLY' },
      { publicKey: 'blockedkey', privateKey: 'blocked-private', ipAccessListBlocks: true },
    ],
    serviceAccounts: [{ ...DEFAULT_SERVICE_ACCOUNT }],
  },
});
let slept: number[];
const clients: AtlasClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});
beforeEach(() => {
  slept = [];
});

function client(kind: 'api-key' | 'service-account', extra: Partial<AtlasClientOptions> = {}): AtlasClient {
  const c = new AtlasClient({
    baseUrl: env.emulator.baseUrl,
    credentials: kind === 'api-key' ? { kind, ...DEFAULT_API_KEY } : { kind, ...DEFAULT_SERVICE_ACCOUNT },
    now: () => env.emulator.clock.now(),
    sleep: async (ms) => {
      slept.push(ms);
    },
    retry: { budgetMs: 120_000, random: () => 0.5 },
    ...extra,
  });
  clients.push(c);
  return c;
}

const apiCalls = () => env.emulator.requests.filter((r) => r.path.startsWith('/api/atlas/v2/'));
const tokenCalls = () => env.emulator.requests.filter((r) => r.path === '/api/oauth/token');

describe.each(['api-key', 'service-account'] as const)('with %s credentials', (kind) => {
  it('runs every operation of the contract', async () => {
    const c = client(kind);
    const created = await c.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' });
    expect(created).toMatchObject({ cloudProvider: 'AWS', regionName: 'US_EAST_1', status: 'INITIATING', endpointServiceName: null });
    expect(await c.listEndpointServices(PROJECT, 'AWS')).toEqual([created]);
    env.emulator.advance(600);
    const ready = await c.getEndpointService(PROJECT, 'AWS', created.id);
    expect(ready.status).toBe('AVAILABLE'); // recorded live: a new service goes INITIATING → AVAILABLE
    const patched = await c.updateEndpointService(PROJECT, created.id, { cloudProvider: 'AWS', supportedRemoteRegions: ['US_WEST_2'] });
    expect(patched.cloudProvider === 'AWS' && patched.supportedRemoteRegions).toEqual(['US_WEST_2']);
    const endpoint = await c.createInterfaceEndpoint(PROJECT, created.id, { cloudProvider: 'AWS', id: 'vpce-0123456789abcdef0' });
    expect(endpoint).toMatchObject({ cloudProvider: 'AWS', interfaceEndpointId: 'vpce-0123456789abcdef0' });
    expect(await c.getInterfaceEndpoint(PROJECT, 'AWS', created.id, 'vpce-0123456789abcdef0')).toMatchObject({ cloudProvider: 'AWS' });
    await c.deleteInterfaceEndpoint(PROJECT, 'AWS', created.id, 'vpce-0123456789abcdef0');
    env.emulator.advance(600);
    // Deleting the last interface endpoint took the service with it.
    await expect(c.getEndpointService(PROJECT, 'AWS', created.id)).rejects.toMatchObject({
      status: 404,
      errorCode: 'RESOURCE_NOT_FOUND',
      isNotFound: true,
    });
    const gcp = await c.createEndpointService(PROJECT, { providerName: 'GCP', region: 'us-central1', portMappingEnabled: true });
    await c.deleteEndpointService(PROJECT, 'GCP', gcp.id);
    expect((await c.getEndpointService(PROJECT, 'GCP', gcp.id)).status).toBe('DELETING');
    expect(slept).toEqual([]);
  });
});

describe('authentication', () => {
  it('digest: one challenge round trip, then the nonce is reused', async () => {
    const c = client('api-key');
    await c.listEndpointServices(PROJECT, 'AWS');
    await c.listEndpointServices(PROJECT, 'AZURE');
    expect(apiCalls().map((r) => r.status)).toEqual([401, 200, 200]);
  });

  it('digest: an expired nonce gets stale=true and is answered again without failing', async () => {
    const c = client('api-key');
    await c.listEndpointServices(PROJECT, 'AWS');
    env.emulator.advance(3600); // past the emulator's nonce lifetime
    await expect(c.listEndpointServices(PROJECT, 'AWS')).resolves.toEqual([]);
    expect(apiCalls().map((r) => r.status)).toEqual([401, 200, 401, 200]);
  });

  it('service account: one token, reused, renewed before it expires', async () => {
    const c = client('service-account');
    await c.listEndpointServices(PROJECT, 'AWS');
    await c.listEndpointServices(PROJECT, 'AWS');
    expect(tokenCalls()).toHaveLength(1);
    env.emulator.advance(3400); // within the renewal margin of the 3600 s token
    await c.listEndpointServices(PROJECT, 'AWS');
    expect(tokenCalls()).toHaveLength(2);
    expect(apiCalls().every((r) => r.status === 200)).toBe(true);
  });

  it('service account: a token Atlas stops honouring is renewed once on the 401', async () => {
    const c = client('service-account');
    await c.listEndpointServices(PROJECT, 'AWS');
    env.emulator.reset(); // forgets every token it issued
    await expect(c.listEndpointServices(PROJECT, 'AWS')).resolves.toEqual([]);
    expect(tokenCalls()).toHaveLength(1);
    expect(apiCalls().map((r) => r.status)).toEqual([401, 200]);
  });

  it('a wrong private key fails with 401, without retrying', async () => {
    const c = client('api-key', {
      credentials: { kind: 'api-key', publicKey: DEFAULT_API_KEY.publicKey, privateKey: 'wrong-private-key' },
    });
    const err = (await c.listEndpointServices(PROJECT, 'AWS').catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toBeInstanceOf(AtlasApiError);
    expect(err).toMatchObject({ status: 401, retryable: false, attempts: 1 });
    expect(err.message).not.toContain('wrong-private-key');
  });

  it('a wrong client secret fails at the token endpoint, naming the service account credentials', async () => {
    const c = client('service-account', {
      credentials: { kind: 'service-account', clientId: DEFAULT_SERVICE_ACCOUNT.clientId, clientSecret: 'mdb_sa_sk_wrong' },
    });
    const err = (await c.listEndpointServices(PROJECT, 'AWS').catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({ operation: 'getAccessToken', status: 401, retryable: false });
    expect(err.message).toMatch(/service account credentials/);
    expect(err.message).not.toContain('mdb_sa_sk_wrong');
  });

  it('401 for a key without the role says which role the operation needs', async () => {
    const c = client('api-key', { credentials: { kind: 'api-key', publicKey: 'readonlykey', privateKey: 'readonly-private' } });
    await expect(c.listEndpointServices(PROJECT, 'AWS')).resolves.toEqual([]);
    const err = (await c
      .createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' })
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(err.message).toMatch(/Project Owner role on project 5f1e0a1b2c3d4e5f6a7b8c9d/);
  });

  it('403 from the IP access list says so', async () => {
    const c = client('api-key', { credentials: { kind: 'api-key', publicKey: 'blockedkey', privateKey: 'blocked-private' } });
    const err = (await c.listEndpointServices(PROJECT, 'AWS').catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({ status: 403, retryable: false });
    expect(err.message).toMatch(/IP access list/);
  });
});

describe('retries', () => {
  it('429: waits at least Retry-After, then succeeds', async () => {
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 429, retryAfterSeconds: 7 });
    await expect(client('api-key').listEndpointServices(PROJECT, 'AWS')).resolves.toEqual([]);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThanOrEqual(7000);
    expect(apiCalls().map((r) => r.status)).toEqual([401, 429, 200]);
  });

  it('429 beyond the caller\'s budget: reports "retry after N seconds" instead of sleeping', async () => {
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 429, retryAfterSeconds: 55 });
    const err = (await client('api-key', { retry: { budgetMs: 5000 } })
      .listEndpointServices(PROJECT, 'AWS')
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({ status: 429, errorCode: 'RATE_LIMITED_TOKEN_BUCKET', retryable: true, attempts: 1 });
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(55);
    expect(err.message).toMatch(/Retry after \d+ seconds/);
    expect(slept).toEqual([]);
  });

  it('503 with Retry-After is honoured the same way', async () => {
    env.emulator.faults.inject({ operation: 'getService' }, { kind: 'status', status: 503, retryAfterSeconds: 3 });
    const c = client('api-key');
    const s = await c.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' });
    await expect(c.getEndpointService(PROJECT, 'AWS', s.id)).resolves.toMatchObject({ id: s.id });
    expect(slept[0]).toBeGreaterThanOrEqual(3000);
  });

  it('500s back off exponentially with jitter, within the attempt limit', async () => {
    env.emulator.faults.inject({ operation: 'listServices', times: 2 }, { kind: 'status', status: 500 });
    await expect(client('api-key').listEndpointServices(PROJECT, 'AWS')).resolves.toEqual([]);
    expect(slept).toEqual([250, 500]); // random 0.5 × 500 ms, × 1000 ms
  });

  it('gives up after the attempt limit with a retryable error', async () => {
    env.emulator.faults.inject({ operation: 'listServices', times: 10 }, { kind: 'status', status: 502 });
    const err = (await client('api-key')
      .listEndpointServices(PROJECT, 'AWS')
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({ status: 502, retryable: true, attempts: 4 });
  });

  it('starts no new attempt once the call has run for maxCallMs', async () => {
    env.emulator.faults.inject({ operation: 'listServices', times: 5 }, { kind: 'status', status: 500 });
    let t = 0;
    const c = client('api-key', { now: () => (t += 20_000), retry: { budgetMs: 120_000, maxCallMs: 45_000, random: () => 0.5 } });
    const err = (await c.listEndpointServices(PROJECT, 'AWS').catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({ status: 500, retryable: true, attempts: 2 });
  });

  it('a dropped connection is retried', async () => {
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'drop' });
    await expect(client('api-key').listEndpointServices(PROJECT, 'AWS')).resolves.toEqual([]);
    expect(slept).toHaveLength(1);
  });

  it("a create whose answer was lost is never taken for someone else's service: the 409 that follows says so", async () => {
    env.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
    const err = (await client('api-key')
      .createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' })
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({
      status: 409,
      errorCode: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
      earlierAttemptMaybeProcessed: true,
      maybeProcessed: true,
      attempts: 2,
    });
    expect(err.existingService).toEqual({ provider: 'AWS', region: 'US_EAST_1' });
    expect(err.message).toMatch(/may be the one it created/);
    expect(env.emulator.services(PROJECT)).toHaveLength(1);
  });

  it("a slow answer past the client's timeout is a retryable TIMEOUT", async () => {
    env.emulator.faults.inject({ operation: 'listServices', times: 5 }, { kind: 'delay', ms: 1500 });
    const err = (await client('api-key', { timeouts: { headersMs: 300 }, retry: { maxAttempts: 2, budgetMs: 10_000 } })
      .listEndpointServices(PROJECT, 'AWS')
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({ errorCode: 'TIMEOUT', status: undefined, retryable: true, attempts: 2 });
  });
});

describe('errors', () => {
  it('404 is distinguishable', async () => {
    const err = (await client('api-key')
      .getEndpointService(PROJECT, 'AWS', 'aaaaaaaaaaaaaaaaaaaaaaaa')
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({ status: 404, isNotFound: true, retryable: false, attempts: 1, operation: 'getEndpointService' });
  });

  it('409 carries the provider and region of the service in the way', async () => {
    const c = client('api-key');
    await c.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' });
    const err = (await c
      .createEndpointService(PROJECT, { providerName: 'AWS', region: 'US_EAST_1' })
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toMatchObject({
      status: 409,
      errorCode: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
      detail: 'A private endpoint service already exists for AWS region US_EAST_1.',
      parameters: ['AWS', 'US_EAST_1'],
      earlierAttemptMaybeProcessed: false,
      retryable: false,
    });
    expect(err.existingService).toEqual({ provider: 'AWS', region: 'US_EAST_1' });
  });

  it('refuses bad ids before any request', async () => {
    await expect(client('api-key').getEndpointService('nope', 'AWS', 'x')).rejects.toThrow(/projectId "nope" is not an Atlas id/);
    expect(env.emulator.requests).toEqual([]);
  });
});
