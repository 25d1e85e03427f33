/**
 * The emulator's behaviour where the contract is specific: lifecycle timing per provider, one service per
 * provider and region, media type, digest nonces and counts, the token endpoint, and fault injection.
 * (Every response's shape is checked against the OpenAPI schemas in test/contract.)
 */
import { request } from 'undici';
import { AtlasApiError, AtlasClient } from '../../lambda/atlas';
import { DigestSession, parseDigestChallenge } from '../../lambda/atlas/digest';
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID, DEFAULT_SERVICE_ACCOUNT, startAtlasEmulator, SystemClock, type AtlasEmulator } from '../../local/atlas-emulator';

const PROJECT = DEFAULT_PROJECT_ID;
const LIST = `/api/atlas/v2/groups/${PROJECT}/privateEndpoint/AWS/endpointService`;
const ACCEPT = 'application/vnd.atlas.2023-01-01+json';
let emulator: AtlasEmulator;
let atlas: AtlasClient;

beforeAll(async () => {
  emulator = await startAtlasEmulator();
  atlas = new AtlasClient({ baseUrl: emulator.baseUrl, credentials: { kind: 'api-key', ...DEFAULT_API_KEY }, retry: { budgetMs: 0 } });
});
afterAll(async () => {
  await atlas.close();
  await emulator.close();
});
beforeEach(() => emulator.reset());

async function challenge(): Promise<DigestSession> {
  const r = await request(`${emulator.baseUrl}${LIST}`, { headers: { accept: ACCEPT } });
  await r.body.text();
  expect(r.statusCode).toBe(401);
  const s = new DigestSession(DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey, () => 'fixedcnonce');
  s.accept(parseDigestChallenge(r.headers['www-authenticate'])!);
  return s;
}

describe('lifecycle on virtual time', () => {
  it.each([
    ['AWS', 'eu-central-1', 180, 60],
    ['AZURE', 'eastus2', 240, 90],
    ['GCP', 'us-central1', 600, 120],
  ] as const)('%s: INITIATING for its create time, then ready; DELETING for its delete time, then 404', async (provider, region, createS, deleteS) => {
    const s = await atlas.createEndpointService(PROJECT, { providerName: provider, region });
    expect(s.status).toBe('INITIATING');
    emulator.advance(createS - 1);
    expect((await atlas.getEndpointService(PROJECT, provider, s.id)).status).toBe('INITIATING');
    emulator.advance(1);
    const ready = await atlas.getEndpointService(PROJECT, provider, s.id);
    expect(ready.status).toBe('WAITING_FOR_USER');
    if (ready.cloudProvider === 'AWS') expect(ready.endpointServiceName).toMatch(/^com\.amazonaws\.vpce\.eu-central-1\.vpce-svc-[0-9a-f]{17}$/);
    if (ready.cloudProvider === 'GCP') expect(ready.serviceAttachmentNames).toHaveLength(50);
    await atlas.deleteEndpointService(PROJECT, provider, s.id);
    emulator.advance(deleteS - 1);
    expect((await atlas.getEndpointService(PROJECT, provider, s.id)).status).toBe('DELETING');
    emulator.advance(1);
    await expect(atlas.getEndpointService(PROJECT, provider, s.id)).rejects.toMatchObject({ status: 404 });
  });

  it('answers in Atlas spelling whatever spelling the create used, and keeps one service per provider and region', async () => {
    const s = await atlas.createEndpointService(PROJECT, { providerName: 'GCP', region: 'us-east4' });
    expect(s.regionName).toBe('US_EAST_4');
    const dup = (await atlas.createEndpointService(PROJECT, { providerName: 'GCP', region: 'US_EAST_4' }).catch((e: unknown) => e)) as AtlasApiError;
    expect(dup).toMatchObject({ status: 409, parameters: ['GCP', 'US_EAST_4'], detail: 'A private endpoint service already exists for GCP region US_EAST_4.' });
    await expect(atlas.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east4' })).rejects.toMatchObject({ status: 400, errorCode: 'INVALID_ENUMERATION_VALUE' });
  });

  it('refuses supportedRemoteRegions outside Atlas spelling', async () => {
    await expect(atlas.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1', supportedRemoteRegions: ['us-west-2'] })).rejects.toMatchObject({ status: 400 });
  });

  it('keeps a service FAILED, INITIATING or DELETING forever when told to', async () => {
    emulator.faults.nextService({ outcome: 'FAILED', errorMessage: 'boom' });
    emulator.faults.nextService({ provider: 'AZURE', outcome: 'STUCK_INITIATING' });
    emulator.faults.nextService({ provider: 'GCP', outcome: 'STUCK_DELETING' });
    const aws = await atlas.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' });
    const azure = await atlas.createEndpointService(PROJECT, { providerName: 'AZURE', region: 'eastus2' });
    const gcp = await atlas.createEndpointService(PROJECT, { providerName: 'GCP', region: 'us-central1' });
    emulator.advance(10_000);
    expect(await atlas.getEndpointService(PROJECT, 'AWS', aws.id)).toMatchObject({ status: 'FAILED', errorMessage: 'boom' });
    expect((await atlas.getEndpointService(PROJECT, 'AZURE', azure.id)).status).toBe('INITIATING');
    await atlas.deleteEndpointService(PROJECT, 'GCP', gcp.id);
    emulator.advance(10_000);
    expect((await atlas.getEndpointService(PROJECT, 'GCP', gcp.id)).status).toBe('DELETING');
  });

  it('moves an AWS interface endpoint PENDING_ACCEPTANCE → PENDING → AVAILABLE, or REJECTED when told', async () => {
    const s = await atlas.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' });
    emulator.advance(180);
    const id = 'vpce-0123456789abcdef0';
    await atlas.createInterfaceEndpoint(PROJECT, s.id, { cloudProvider: 'AWS', id });
    const seen: string[] = [];
    for (const step of [0, 30, 60]) {
      emulator.advance(step);
      const e = await atlas.getInterfaceEndpoint(PROJECT, 'AWS', s.id, id);
      seen.push(e.cloudProvider === 'AWS' ? e.connectionStatus : '');
    }
    expect(seen).toEqual(['PENDING_ACCEPTANCE', 'PENDING', 'AVAILABLE']);
    expect((await atlas.getEndpointService(PROJECT, 'AWS', s.id)).status).toBe('AVAILABLE');
    emulator.faults.nextEndpoint({ outcome: 'REJECTED', errorMessage: 'not allowed' });
    await atlas.createInterfaceEndpoint(PROJECT, s.id, { cloudProvider: 'AWS', id: 'vpce-0000000000000000f' });
    emulator.advance(100);
    expect(await atlas.getInterfaceEndpoint(PROJECT, 'AWS', s.id, 'vpce-0000000000000000f')).toMatchObject({ connectionStatus: 'REJECTED', errorMessage: 'not allowed' });
  });
});

describe('protocol', () => {
  it('answers 406 without the versioned media type', async () => {
    const s = await challenge();
    const r = await request(`${emulator.baseUrl}${LIST}`, { headers: { accept: 'application/json', authorization: s.authorization('GET', LIST)! } });
    expect(r.statusCode).toBe(406);
    expect(await r.body.json()).toEqual({ detail: 'Invalid accept header or version date.', error: 406, errorCode: 'INVALID_VERSION_DATE', parameters: [], reason: 'Not Acceptable' });
  });

  it('serves success as the versioned media type and refuses a replayed nonce count', async () => {
    const s = await challenge();
    const auth = s.authorization('GET', LIST)!;
    const ok = await request(`${emulator.baseUrl}${LIST}`, { headers: { accept: ACCEPT, authorization: auth } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('application/vnd.atlas.2023-01-01+json;charset=utf-8');
    expect(await ok.body.json()).toEqual([]);
    const replay = await request(`${emulator.baseUrl}${LIST}`, { headers: { accept: ACCEPT, authorization: auth } });
    await replay.body.text();
    expect(replay.statusCode).toBe(401);
    expect(replay.headers['www-authenticate']).toMatch(/stale=false/);
  });

  it('issues expiring bearer tokens and refuses bad token requests', async () => {
    const basic = Buffer.from(`${DEFAULT_SERVICE_ACCOUNT.clientId}:${DEFAULT_SERVICE_ACCOUNT.clientSecret}`).toString('base64');
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` };
    const wrongGrant = await request(`${emulator.baseUrl}/api/oauth/token`, { method: 'POST', headers: form, body: 'grant_type=password' });
    expect([wrongGrant.statusCode, await wrongGrant.body.json()]).toEqual([400, expect.objectContaining({ error: 'unsupported_grant_type' })]);
    const bad = await request(`${emulator.baseUrl}/api/oauth/token`, { method: 'POST', headers: { ...form, authorization: 'Basic eDp5' }, body: 'grant_type=client_credentials' });
    expect([bad.statusCode, await bad.body.json()]).toEqual([401, expect.objectContaining({ error: 'invalid_client' })]);
    const good = await request(`${emulator.baseUrl}/api/oauth/token`, { method: 'POST', headers: form, body: 'grant_type=client_credentials' });
    const token = (await good.body.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const use = async () => {
      const r = await request(`${emulator.baseUrl}${LIST}`, { headers: { accept: ACCEPT, authorization: `Bearer ${token.access_token}` } });
      await r.body.text();
      return r.statusCode;
    };
    expect(await use()).toBe(200);
    emulator.advance(3600);
    expect(await use()).toBe(401);
  });

  it('drops a connection before or after doing the work, as asked', async () => {
    emulator.faults.inject({ operation: 'createService' }, { kind: 'drop' });
    const quick = new AtlasClient({ baseUrl: emulator.baseUrl, credentials: { kind: 'api-key', ...DEFAULT_API_KEY }, retry: { maxAttempts: 1 } });
    await expect(quick.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' })).rejects.toMatchObject({ errorCode: 'NETWORK_ERROR' });
    expect(emulator.services(PROJECT)).toHaveLength(0);
    emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
    await expect(quick.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' })).rejects.toMatchObject({ errorCode: 'NETWORK_ERROR' });
    expect(emulator.services(PROJECT)).toHaveLength(1);
    await quick.close();
  });

  it('runs on a real clock, faster when asked', async () => {
    const fast = await startAtlasEmulator({ clock: new SystemClock(3600) });
    const c = new AtlasClient({ baseUrl: fast.baseUrl, credentials: { kind: 'api-key', ...DEFAULT_API_KEY } });
    const s = await c.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' });
    await new Promise((r) => setTimeout(r, 250)); // 15 emulated minutes
    expect((await c.getEndpointService(PROJECT, 'AWS', s.id)).status).toBe('WAITING_FOR_USER');
    expect(() => fast.advance(1)).toThrow(/VirtualClock/);
    await c.close();
    await fast.close();
  });
});
