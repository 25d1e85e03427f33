/**
 * Authentication and authorization: the Digest challenge and its nonces, OAuth client credentials,
 * roles, the IP access list and per-credential projects, and what the request log may hold.
 */
import {
  DEFAULT_API_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_SERVICE_ACCOUNT,
  startAtlasEmulator,
  type AtlasEmulator,
} from '../../local/atlas-emulator';
import { DigestClient, digestAuthorization, fetchToken, parseChallenge, paths, send, type Challenge } from './http';

const OTHER_PROJECT = 'fedcbafedcbafedcbafedcba';
const P = paths(DEFAULT_PROJECT_ID);
const LIST = P.list('AWS');
let emu: AtlasEmulator;

beforeAll(async () => {
  emu = await startAtlasEmulator({
    projectIds: [DEFAULT_PROJECT_ID, OTHER_PROJECT],
    credentials: {
      apiKeys: [
        { ...DEFAULT_API_KEY },
        { publicKey: 'readonly', privateKey: 'readonly-secret', role: 'PROJECT_READ_ONLY' },
        { publicKey: 'blocked', privateKey: 'blocked-secret', ipAccessListBlocks: true },
        { publicKey: 'scoped', privateKey: 'scoped-secret', projects: [OTHER_PROJECT] },
      ],
      serviceAccounts: [
        { ...DEFAULT_SERVICE_ACCOUNT },
        { clientId: 'mdb_sa_id_readonly', clientSecret: 'mdb_sa_sk_readonly', role: 'PROJECT_READ_ONLY' },
        { clientId: 'mdb_sa_id_blocked', clientSecret: 'mdb_sa_sk_blocked', ipAccessListBlocks: true },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function challenge(): Promise<Challenge> {
  const r = await send(emu.baseUrl, 'GET', LIST);
  expect(r.status).toBe(401);
  return parseChallenge(r.headers['www-authenticate']);
}

const answer = (c: Challenge, nc: number, over: Partial<Parameters<typeof digestAuthorization>[0]> = {}) =>
  digestAuthorization({
    username: DEFAULT_API_KEY.publicKey,
    password: DEFAULT_API_KEY.privateKey,
    challenge: c,
    method: 'GET',
    uri: LIST,
    nc,
    ...over,
  });

describe('HTTP Digest', () => {
  it('challenges an anonymous request the way Atlas does: the recorded challenge and pretty-printed 401 body', async () => {
    const r = await send(emu.baseUrl, 'GET', LIST);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(
      /^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/]+={0,2}", algorithm=MD5, qop="auth", stale=false$/,
    );
    expect(r.headers['content-type']).toBe('application/json');
    // Recorded: no errorCode, no parameters, Jackson's pretty printer.
    expect(r.text).toBe('{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource."\n}');
    expect(r.json).toEqual({ error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.' });
    // Every challenge carries a new nonce.
    expect((await challenge()).nonce).not.toBe(parseChallenge(r.headers['www-authenticate']).nonce);
  });

  it('accepts a correct response, and the same nonce with increasing counts', async () => {
    const c = await challenge();
    for (const nc of [1, 2, 7]) expect((await send(emu.baseUrl, 'GET', LIST, { authorization: answer(c, nc) })).status).toBe(200);
  });

  it('refuses a replayed nonce count (stale=false)', async () => {
    const c = await challenge();
    const auth = answer(c, 1, { cnonce: 'fixed' });
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: auth })).status).toBe(200);
    const replay = await send(emu.baseUrl, 'GET', LIST, { authorization: auth });
    expect(replay.status).toBe(401);
    expect(parseChallenge(replay.headers['www-authenticate']).stale).toBe('false');
    // A different cnonce does not make a used count usable again.
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: answer(c, 1, { cnonce: 'other' }) })).status).toBe(401);
  });

  it('answers a correct response with an expired nonce by a fresh nonce and stale=true', async () => {
    const c = await challenge();
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: answer(c, 1) })).status).toBe(200);
    emu.advance(299);
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: answer(c, 2) })).status).toBe(200);
    emu.advance(1);
    const stale = await send(emu.baseUrl, 'GET', LIST, { authorization: answer(c, 3) });
    expect(stale.status).toBe(401);
    const fresh = parseChallenge(stale.headers['www-authenticate']);
    expect(fresh.stale).toBe('true');
    expect(fresh.nonce).not.toBe(c.nonce);
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: answer(fresh, 1) })).status).toBe(200);
  });

  it('says stale=false when the response itself is wrong, even for an expired nonce', async () => {
    const c = await challenge();
    emu.advance(301);
    const r = await send(emu.baseUrl, 'GET', LIST, { authorization: answer(c, 1, { password: 'wrong' }) });
    expect(r.status).toBe(401);
    expect(parseChallenge(r.headers['www-authenticate']).stale).toBe('false');
  });

  it.each([
    ['a wrong private key', { password: 'wrong' }],
    ['an unknown public key', { username: 'nobody' }],
    ["a uri other than the request's", { uri: P.list('AZURE') }],
    ["a method other than the request's", { method: 'DELETE' }],
  ])('refuses %s', async (_what, over) => {
    const c = await challenge();
    const r = await send(emu.baseUrl, 'GET', LIST, { authorization: answer(c, 1, over) });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.' });
  });

  it('requires qop=auth and MD5', async () => {
    const c = await challenge();
    const noQop = answer(c, 1).replace(', qop=auth', '');
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: noQop })).status).toBe(401);
    const sha = answer(c, 2).replace('algorithm=MD5', 'algorithm=SHA-256');
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: sha })).status).toBe(401);
  });

  it('checks the uri with the query string as sent', async () => {
    const c = await challenge();
    const uri = `${LIST}?pretty=true`;
    expect((await send(emu.baseUrl, 'GET', uri, { authorization: answer(c, 1, { uri }) })).status).toBe(200);
    expect((await send(emu.baseUrl, 'GET', uri, { authorization: answer(c, 2) })).status).toBe(401);
  });

  it('refuses Basic on the API', async () => {
    const basic = `Basic ${Buffer.from(`${DEFAULT_API_KEY.publicKey}:${DEFAULT_API_KEY.privateKey}`).toString('base64')}`;
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: basic })).status).toBe(401);
  });

  it('forgets nonces on reset (a correct answer then gets stale=true)', async () => {
    const c = await challenge();
    emu.reset();
    const r = await send(emu.baseUrl, 'GET', LIST, { authorization: answer(c, 1) });
    expect(parseChallenge(r.headers['www-authenticate']).stale).toBe('true');
  });
});

describe('OAuth client credentials', () => {
  it('issues an opaque Bearer token that works until its lifetime is over', async () => {
    const t = await fetchToken(emu.baseUrl, DEFAULT_SERVICE_ACCOUNT.clientId, DEFAULT_SERVICE_ACCOUNT.clientSecret);
    expect(t.status).toBe(200);
    expect(t.headers['content-type']).toBe('application/json');
    expect(t.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    expect(t.json.access_token.length).toBeGreaterThanOrEqual(32);
    const bearer = `Bearer ${t.json.access_token}`;
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: bearer })).status).toBe(200);
    emu.advance(3599);
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: bearer })).status).toBe(200);
    emu.advance(1);
    const expired = await send(emu.baseUrl, 'GET', LIST, { authorization: bearer });
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({ error: 401, reason: 'Unauthorized' });
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: 'Bearer made-up' })).status).toBe(401);
  });

  it('refuses a bad client (401 invalid_client), another grant (400 unsupported_grant_type), a non-form body (400)', async () => {
    const bad = await fetchToken(emu.baseUrl, DEFAULT_SERVICE_ACCOUNT.clientId, 'wrong');
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ error: 'invalid_client' });
    expect((await fetchToken(emu.baseUrl, 'mdb_sa_id_nobody', 'x')).json).toEqual({ error: 'invalid_client' });
    const basic = `Basic ${Buffer.from(`${DEFAULT_SERVICE_ACCOUNT.clientId}:${DEFAULT_SERVICE_ACCOUNT.clientSecret}`).toString('base64')}`;
    const grant = await send(emu.baseUrl, 'POST', '/api/oauth/token', {
      accept: 'application/json',
      authorization: basic,
      body: 'grant_type=password',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(grant.status).toBe(400);
    expect(grant.json).toEqual({ error: 'unsupported_grant_type' });
    const json = await send(emu.baseUrl, 'POST', '/api/oauth/token', {
      authorization: basic,
      body: { grant_type: 'client_credentials' },
      contentType: 'application/json',
    });
    expect(json.status).toBe(400);
    expect(json.json).toEqual({ error: 'invalid_request' });
    expect((await send(emu.baseUrl, 'GET', '/api/oauth/token')).status).toBe(405);
  });

  it('honours a configured token lifetime', async () => {
    const short = await startAtlasEmulator({ timings: { tokenLifetime: 60, nonceLifetime: 10 } });
    try {
      const t = await fetchToken(short.baseUrl, DEFAULT_SERVICE_ACCOUNT.clientId, DEFAULT_SERVICE_ACCOUNT.clientSecret);
      expect(t.json.expires_in).toBe(60);
      short.advance(60);
      expect((await send(short.baseUrl, 'GET', LIST, { authorization: `Bearer ${t.json.access_token}` })).status).toBe(401);
    } finally {
      await short.close();
    }
  });
});

describe('authorization', () => {
  const create = { providerName: 'AWS', region: 'us-east-1' };

  it('a read-only key may read but not write: 401 USER_UNAUTHORIZED', async () => {
    const ro = new DigestClient(emu.baseUrl, 'readonly', 'readonly-secret');
    expect((await ro.get(LIST)).status).toBe(200);
    const refused = await ro.post(P.create, create);
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({
      detail: 'Current user is not authorized to perform this action.',
      error: 401,
      errorCode: 'USER_UNAUTHORIZED',
      parameters: [],
      reason: 'Unauthorized',
    });
    expect(refused.headers['www-authenticate']).toBeUndefined();
    const owner = new DigestClient(emu.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
    const id = (await owner.post(P.create, create)).json.id;
    expect((await ro.patch(P.update(id), { cloudProvider: 'AWS', supportedRemoteRegions: [] })).status).toBe(401);
    expect((await ro.delete(P.service('AWS', id))).status).toBe(401);
    expect(emu.services()).toHaveLength(1);
  });

  it('a read-only service account likewise', async () => {
    const t = (await fetchToken(emu.baseUrl, 'mdb_sa_id_readonly', 'mdb_sa_sk_readonly')).json.access_token;
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: `Bearer ${t}` })).status).toBe(200);
    expect((await send(emu.baseUrl, 'POST', P.create, { authorization: `Bearer ${t}`, body: create })).json.errorCode).toBe(
      'USER_UNAUTHORIZED',
    );
  });

  it('the IP access list refuses every call (403), though a token can still be had', async () => {
    const blocked = new DigestClient(emu.baseUrl, 'blocked', 'blocked-secret');
    const r = await blocked.get(LIST);
    expect(r.status).toBe(403);
    expect(r.json).toEqual({
      detail: 'IP address 127.0.0.1 is not allowed to access this resource.',
      error: 403,
      errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST',
      parameters: ['127.0.0.1'],
      reason: 'Forbidden',
    });
    const t = await fetchToken(emu.baseUrl, 'mdb_sa_id_blocked', 'mdb_sa_sk_blocked');
    expect(t.status).toBe(200);
    expect((await send(emu.baseUrl, 'GET', LIST, { authorization: `Bearer ${t.json.access_token}` })).status).toBe(403);
  });

  it('a key limited to some projects gets the recorded 401 elsewhere (NOT_IN_GROUP is in the docs only)', async () => {
    const scoped = new DigestClient(emu.baseUrl, 'scoped', 'scoped-secret');
    expect((await scoped.get(paths(OTHER_PROJECT).list('AWS'))).status).toBe(200);
    const r = await scoped.get(LIST);
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toEqual({ error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.' });
  });

  it('shows the mid-2026 401 variant with errorCode UNEXPECTED_ERROR when asked', async () => {
    const newer = await startAtlasEmulator({ shapes: { unauthorized: 'unexpected-error' } });
    try {
      const r = await send(newer.baseUrl, 'GET', LIST);
      expect(r.status).toBe(401);
      expect(r.text).toContain('"errorCode" : "UNEXPECTED_ERROR"');
      expect(r.json).toEqual({
        error: 401,
        errorCode: 'UNEXPECTED_ERROR',
        reason: 'Unauthorized',
        detail: 'You are not authorized for this resource.',
      });
    } finally {
      await newer.close();
    }
  });
});

describe('the request log', () => {
  it('records method, path, status, time and auth kind, never secrets', async () => {
    const atlas = new DigestClient(emu.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
    await atlas.get(`${LIST}?pretty=true`);
    const token = (await fetchToken(emu.baseUrl, DEFAULT_SERVICE_ACCOUNT.clientId, DEFAULT_SERVICE_ACCOUNT.clientSecret)).json.access_token;
    await send(emu.baseUrl, 'POST', P.create, { authorization: `Bearer ${token}`, body: { providerName: 'AWS', region: 'us-east-1' } });
    expect(emu.requests.map(({ method, path, status, authKind, operation }) => ({ method, path, status, authKind, operation }))).toEqual([
      { method: 'GET', path: LIST, status: 401, authKind: 'none', operation: 'listServices' },
      { method: 'GET', path: LIST, status: 200, authKind: 'digest', operation: 'listServices' },
      { method: 'POST', path: '/api/oauth/token', status: 200, authKind: 'basic', operation: 'token' },
      { method: 'POST', path: P.create, status: 201, authKind: 'bearer', operation: 'createService' },
    ]);
    expect(emu.requests.every((r) => r.at === emu.clock.now())).toBe(true);
    const log = JSON.stringify(emu.requests);
    for (const secret of [DEFAULT_API_KEY.privateKey, DEFAULT_SERVICE_ACCOUNT.clientSecret, token]) expect(log).not.toContain(secret);
  });
});
