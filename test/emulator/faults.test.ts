/**
 * Fault injection: per-request faults (status, drop, drop after processing, delay), how rules match and
 * are used up, and the injected fates of the next services and endpoints.
 */
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID, DEFAULT_SERVICE_ACCOUNT, startAtlasEmulator } from '../../local/atlas-emulator';
import { useEmulator } from '../support/emulator';
import { DigestClient, fetchToken, paths, vpceId } from './http';

const P = paths(DEFAULT_PROJECT_ID);
const LIST = P.list('AWS');
const CREATE = { providerName: 'AWS', region: 'us-east-1' };
const env = useEmulator();
let atlas: DigestClient;

beforeAll(() => {
  atlas = new DigestClient(env.emulator.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
});
beforeEach(async () => {
  // A first call so that the client holds a nonce and each later call is one request.
  expect((await atlas.get(LIST)).status).toBe(200);
});

describe('status faults', () => {
  it('429: the recorded live body naming the concrete path, Retry-After 55 by default; nothing is processed', async () => {
    env.emulator.faults.inject({ operation: 'createService' }, { kind: 'status', status: 429 });
    const r = await atlas.post(P.create, CREATE);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('55');
    // The figures are the emulator's bucket: Atlas's documented limit for private endpoint services.
    expect(r.headers['ratelimit-limit']).toBe('4000');
    expect(r.headers['ratelimit-remaining']).toBe('0');
    expect(r.headers['content-type']).toBe('application/json');
    const scope = P.create.slice(1);
    expect(r.json).toEqual({
      detail:
        `Rate limit exceeded for ${scope}. Please retry after 55 seconds. Request capacity: 4000. Refill rate: 2000 per 60 seconds. ` +
        'For more information, see: http://dochub.mongodb.org/core/atlas-api-rate-limit.',
      error: 429,
      errorCode: 'RATE_LIMITED_TOKEN_BUCKET',
      parameters: [scope, 55, 4000, 2000, 60],
      reason: 'Too Many Requests',
    });
    expect(env.emulator.services()).toEqual([]);
    // Used up: the next one goes through.
    expect((await atlas.post(P.create, CREATE)).status).toBe(201);
  });

  it('after N: the first N matching requests pass untouched, then the fault applies, and other rules still apply meanwhile', async () => {
    env.emulator.faults.inject({ operation: 'listServices', after: 2 }, { kind: 'status', status: 429, retryAfterSeconds: 3 });
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 503 });
    expect((await atlas.get(LIST)).status).toBe(503);
    expect((await atlas.get(LIST)).status).toBe(200);
    expect((await atlas.get(LIST)).status).toBe(429);
    expect((await atlas.get(LIST)).status).toBe(200);
    expect(() => env.emulator.faults.inject({ after: -1 }, { kind: 'status', status: 500 })).toThrow(RangeError);
  });

  it('refuse: the recorded 401 for a write the key may not make; nothing is processed', async () => {
    env.emulator.faults.inject({ operation: 'createService' }, { kind: 'refuse' });
    const r = await atlas.post(P.create, CREATE);
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ error: 401, errorCode: 'USER_UNAUTHORIZED' });
    expect(env.emulator.services(DEFAULT_PROJECT_ID)).toHaveLength(0);
    expect((await atlas.post(P.create, CREATE)).status).toBe(201); // once only
  });

  it('429 with another Retry-After', async () => {
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 429, retryAfterSeconds: 3 });
    const r = await atlas.get(LIST);
    expect(r.headers['retry-after']).toBe('3');
    expect(r.json.parameters).toEqual([LIST.slice(1), 3, 4000, 2000, 60]);
  });

  it.each([
    [500, 'UNEXPECTED_ERROR', 'Internal Server Error'],
    [502, 'UNEXPECTED_ERROR', 'Bad Gateway'],
    [503, 'SERVICE_UNAVAILABLE', 'Service Unavailable'],
    [504, 'UNEXPECTED_ERROR', 'Gateway Timeout'],
  ] as const)('%i: the Atlas error shape (%s)', async (status, errorCode, reason) => {
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status });
    const r = await atlas.get(LIST);
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ error: status, errorCode, reason, parameters: [] });
    expect(r.headers['retry-after']).toBeUndefined();
  });

  it('503 may carry Retry-After', async () => {
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 503, retryAfterSeconds: 10 });
    expect((await atlas.get(LIST)).headers['retry-after']).toBe('10');
  });

  it('503 with a body that is not JSON, as recorded', async () => {
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 503, nonJsonBody: true });
    const r = await atlas.get(LIST);
    expect(r.status).toBe(503);
    expect(r.headers['content-type']).toBe('text/html');
    expect(r.text).toMatch(/^<html>/);
    expect(() => JSON.parse(r.text)).toThrow();
    expect(() => env.emulator.faults.inject({}, { kind: 'status', status: 429, nonJsonBody: true })).toThrow(RangeError);
  });

  it('applies to the token endpoint too', async () => {
    env.emulator.faults.inject({ operation: 'token' }, { kind: 'status', status: 503 });
    expect((await fetchToken(env.emulator.baseUrl, DEFAULT_SERVICE_ACCOUNT.clientId, DEFAULT_SERVICE_ACCOUNT.clientSecret)).status).toBe(
      503,
    );
    expect((await fetchToken(env.emulator.baseUrl, DEFAULT_SERVICE_ACCOUNT.clientId, DEFAULT_SERVICE_ACCOUNT.clientSecret)).status).toBe(
      200,
    );
  });
});

describe('connection faults', () => {
  it('drop: the connection closes unanswered and nothing happens', async () => {
    env.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop' });
    await expect(atlas.post(P.create, CREATE)).rejects.toThrow();
    expect(env.emulator.services()).toEqual([]);
    expect(env.emulator.requests.at(-1)).toMatchObject({ operation: 'createService', status: 0, fault: 'drop' });
  });

  it('drop-after-processing: the connection closes unanswered but the service exists', async () => {
    env.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
    await expect(atlas.post(P.create, CREATE)).rejects.toThrow();
    expect(env.emulator.services()).toMatchObject([{ cloudProvider: 'AWS', regionName: 'US_EAST_1', status: 'INITIATING' }]);
    expect(env.emulator.requests.at(-1)).toMatchObject({ status: 0, fault: 'drop-after-processing' });
    // The client's retry then meets the 409.
    expect((await atlas.post(P.create, CREATE)).status).toBe(409);
  });

  it('delay: a client that gives up still leaves the request to be processed', async () => {
    env.emulator.faults.inject({ operation: 'createService' }, { kind: 'delay', ms: 300 });
    await expect(atlas.post(P.create, CREATE, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    expect(env.emulator.services()).toEqual([]);
    await new Promise((r) => setTimeout(r, 400));
    expect(env.emulator.services()).toHaveLength(1);
  });

  it('delay: a patient client gets the answer late', async () => {
    env.emulator.faults.inject({ operation: 'listServices' }, { kind: 'delay', ms: 150 });
    const started = Date.now();
    expect((await atlas.get(LIST)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('matching', () => {
  it('by method, path substring, RegExp; times; the challenge leg of Digest uses none up', async () => {
    env.emulator.faults.inject({ method: 'get', path: '/AZURE/', times: 2 }, { kind: 'status', status: 500 });
    env.emulator.faults.inject({ path: /\/GCP\/endpointService$/ }, { kind: 'status', status: 502 });
    // A fresh client: its first request is refused with a challenge, which is not the faulted request.
    const fresh = new DigestClient(env.emulator.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
    expect((await fresh.get(P.list('AZURE'))).status).toBe(500);
    expect((await fresh.get(P.list('AZURE'))).status).toBe(500);
    expect((await fresh.get(P.list('AZURE'))).status).toBe(200);
    expect((await fresh.get(LIST)).status).toBe(200);
    expect((await fresh.get(P.list('GCP'))).status).toBe(502);
    expect((await fresh.get(P.list('GCP'))).status).toBe(200);
  });

  it('clear() forgets rules and queued outcomes', async () => {
    env.emulator.faults.inject({}, { kind: 'status', status: 500 });
    env.emulator.faults.nextService({ outcome: 'FAILED' });
    env.emulator.faults.clear();
    expect((await atlas.post(P.create, CREATE)).status).toBe(201);
    env.emulator.advance(150);
    expect(env.emulator.services()[0].status).toBe('AVAILABLE');
  });
});

describe('next service and endpoint', () => {
  it('FAILED: INITIATING, then FAILED with the message and no names; it can still be deleted', async () => {
    env.emulator.faults.nextService({ outcome: 'FAILED', errorMessage: 'Quota exceeded' });
    const s = (await atlas.post(P.create, CREATE)).json;
    expect(s).toMatchObject({ status: 'INITIATING', errorMessage: null });
    env.emulator.advance(180);
    const failed = (await atlas.get(P.service('AWS', s.id))).json;
    expect(failed).toMatchObject({ status: 'FAILED', errorMessage: 'Quota exceeded', endpointServiceName: null });
    expect((await atlas.post(P.endpoints('AWS', s.id), { id: vpceId() })).status).toBe(409);
    expect((await atlas.delete(P.service('AWS', s.id))).status).toBe(202);
    env.emulator.advance(60);
    expect((await atlas.get(P.service('AWS', s.id))).status).toBe(404);
  });

  it('STUCK_INITIATING and STUCK_DELETING never move on; outcomes apply only to the provider and region named', async () => {
    env.emulator.faults.nextService({ provider: 'AZURE', outcome: 'STUCK_INITIATING' });
    env.emulator.faults.nextService({ provider: 'AWS', region: 'eu-west-1', outcome: 'STUCK_DELETING' });
    const plain = (await atlas.post(P.create, CREATE)).json;
    const stuck = (await atlas.post(P.create, { providerName: 'AZURE', region: 'eastus' })).json;
    const lingering = (await atlas.post(P.create, { providerName: 'AWS', region: 'EU_WEST_1' })).json;
    env.emulator.advance(100_000);
    expect((await atlas.get(P.service('AWS', plain.id))).json.status).toBe('AVAILABLE');
    expect((await atlas.get(P.service('AZURE', stuck.id))).json).toMatchObject({ status: 'INITIATING', privateLinkServiceName: null });
    expect((await atlas.get(P.service('AWS', lingering.id))).json.status).toBe('AVAILABLE');
    await atlas.delete(P.service('AWS', lingering.id));
    env.emulator.advance(100_000);
    expect((await atlas.get(P.service('AWS', lingering.id))).json.status).toBe('DELETING');
  });

  it('DELETE_LAGS: the delete is accepted, reads show AVAILABLE for the lag, then DELETING for the delete duration, then 404', async () => {
    env.emulator.faults.nextService({ outcome: 'DELETE_LAGS', lagSeconds: 300 });
    const s = (await atlas.post(P.create, CREATE)).json;
    env.emulator.advance(150);
    const before = (await atlas.get(P.service('AWS', s.id))).json;
    expect(before.status).toBe('AVAILABLE');
    const del = await atlas.delete(P.service('AWS', s.id));
    expect(del.status).toBe(202);
    expect(del.json).toEqual({});
    // Every read, GET and list alike, shows the service exactly as before the delete for the whole lag.
    expect((await atlas.get(P.service('AWS', s.id))).json).toEqual(before);
    env.emulator.advance(299);
    expect((await atlas.get(P.service('AWS', s.id))).json).toEqual(before);
    expect((await atlas.get(LIST)).json).toEqual([before]);
    expect(env.emulator.services()).toEqual([before]);
    // The region stays taken, and asking again is accepted without restarting anything.
    expect((await atlas.post(P.create, CREATE)).status).toBe(409);
    expect((await atlas.delete(P.service('AWS', s.id))).status).toBe(202);
    env.emulator.advance(1);
    expect((await atlas.get(P.service('AWS', s.id))).json.status).toBe('DELETING');
    expect((await atlas.get(LIST)).json.map((x: { status: string }) => x.status)).toEqual(['DELETING']);
    // AWS takes 60 s to delete by default, counted from the end of the lag.
    env.emulator.advance(59);
    expect((await atlas.get(P.service('AWS', s.id))).json.status).toBe('DELETING');
    env.emulator.advance(1);
    expect((await atlas.get(P.service('AWS', s.id))).status).toBe(404);
    expect((await atlas.get(LIST)).json).toEqual([]);
    expect((await atlas.post(P.create, CREATE)).status).toBe(201);
  });

  it('DELETE_LAGS applies to the one service it was queued for, and a delete during creation shows INITIATING for the lag', async () => {
    env.emulator.faults.nextService({ provider: 'GCP', outcome: 'DELETE_LAGS', lagSeconds: 30 });
    const plain = (await atlas.post(P.create, CREATE)).json;
    const lagging = (await atlas.post(P.create, { providerName: 'GCP', region: 'us-central1' })).json;
    await atlas.delete(P.service('AWS', plain.id));
    await atlas.delete(P.service('GCP', lagging.id));
    expect((await atlas.get(P.service('AWS', plain.id))).json.status).toBe('DELETING');
    expect((await atlas.get(P.service('GCP', lagging.id))).json.status).toBe('INITIATING');
    env.emulator.advance(30);
    expect((await atlas.get(P.service('GCP', lagging.id))).json.status).toBe('DELETING');
    env.emulator.advance(120);
    expect((await atlas.get(P.service('GCP', lagging.id))).status).toBe(404);
  });

  it('DELETE_LAGS needs a non-negative lag', () => {
    expect(() => env.emulator.faults.nextService({ outcome: 'DELETE_LAGS', lagSeconds: -1 })).toThrow(RangeError);
    expect(() => env.emulator.faults.nextService({ outcome: 'DELETE_LAGS', lagSeconds: Number.NaN })).toThrow(RangeError);
  });

  it('REJECTED endpoint: PENDING_ACCEPTANCE then REJECTED with the message; the service stays AVAILABLE', async () => {
    const s = (await atlas.post(P.create, CREATE)).json;
    env.emulator.advance(180);
    env.emulator.faults.nextEndpoint({ outcome: 'REJECTED', errorMessage: 'The VPC endpoint was rejected.' });
    const vpce = vpceId();
    expect((await atlas.post(P.endpoints('AWS', s.id), { id: vpce })).json.connectionStatus).toBe('PENDING_ACCEPTANCE');
    env.emulator.advance(30);
    expect((await atlas.get(P.endpoint('AWS', s.id, vpce))).json).toEqual({
      cloudProvider: 'AWS',
      connectionStatus: 'REJECTED',
      deleteRequested: false,
      errorMessage: 'The VPC endpoint was rejected.',
      interfaceEndpointId: vpce,
    });
    env.emulator.advance(1000);
    expect((await atlas.get(P.service('AWS', s.id))).json.status).toBe('AVAILABLE');
  });

  it.each([
    ['current', 'Verify endpoint ID and accepted regions, then retry your connection.'],
    ['older', undefined],
  ] as const)('UNKNOWN_IN_CLOUD endpoint (%s shape): accepted, then REJECTED with the recorded message', async (shape, message) => {
    const own = await startAtlasEmulator({ shapes: { unknownInterfaceEndpoint: shape } });
    try {
      const c = new DigestClient(own.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      const s = (await c.post(P.create, CREATE)).json;
      own.advance(150);
      own.faults.nextEndpoint({ outcome: 'UNKNOWN_IN_CLOUD' });
      const vpce = vpceId();
      const accepted = await c.post(P.endpoints('AWS', s.id), { id: vpce });
      expect(accepted.status).toBe(201);
      expect(accepted.json).toMatchObject({ connectionStatus: 'PENDING_ACCEPTANCE', errorMessage: null });
      own.advance(30);
      expect((await c.get(P.endpoint('AWS', s.id, vpce))).json).toMatchObject({
        connectionStatus: 'REJECTED',
        errorMessage: message ?? `Interface endpoint ${vpce} was not found.`,
      });
    } finally {
      await own.close();
    }
  });

  it('NO_CAPACITY: the create gets the recorded 400 ATLAS_GENERAL_ERROR and nothing is created; only the region named', async () => {
    env.emulator.faults.nextService({ region: 'us-east-1', outcome: 'NO_CAPACITY' });
    expect((await atlas.post(P.create, { providerName: 'AWS', region: 'us-west-2' })).status).toBe(201);
    const r = await atlas.post(P.create, CREATE);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toEqual({
      detail: 'Reason: No Capacity.',
      error: 400,
      errorCode: 'ATLAS_GENERAL_ERROR',
      parameters: ['No Capacity'],
      reason: 'Bad Request',
    });
    expect(env.emulator.services().map((s) => s.regionName)).toEqual(['US_WEST_2']);
    expect((await atlas.post(P.create, CREATE)).status).toBe(201);
  });

  it('STUCK_PENDING endpoint: PENDING for ever', async () => {
    const s = (await atlas.post(P.create, CREATE)).json;
    env.emulator.advance(180);
    env.emulator.faults.nextEndpoint({ outcome: 'STUCK_PENDING' });
    const vpce = vpceId();
    await atlas.post(P.endpoints('AWS', s.id), { id: vpce });
    env.emulator.advance(100_000);
    expect((await atlas.get(P.endpoint('AWS', s.id, vpce))).json.connectionStatus).toBe('PENDING');
  });

  it('a refused create uses up no outcome', async () => {
    await atlas.post(P.create, CREATE);
    env.emulator.faults.nextService({ outcome: 'FAILED' });
    expect((await atlas.post(P.create, CREATE)).status).toBe(409);
    const next = (await atlas.post(P.create, { providerName: 'AWS', region: 'us-west-2' })).json;
    env.emulator.advance(180);
    expect((await atlas.get(P.service('AWS', next.id))).json.status).toBe('FAILED');
  });
});
