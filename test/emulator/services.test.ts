/**
 * Endpoint service operations over real HTTP: status codes, bodies, headers, validation, and the
 * lifecycle of each provider driven through virtual time.
 */
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID, startAtlasEmulator, SystemClock, VirtualClock } from '../../local/atlas-emulator';
import { useEmulator } from '../support/emulator';
import { ATLAS_JSON, DigestClient, paths, send } from './http';

const P = paths(DEFAULT_PROJECT_ID);
const START = Date.UTC(2025, 10, 10, 12, 0, 0);
const env = useEmulator({ clock: new VirtualClock(START) });
let atlas: DigestClient;

beforeAll(() => {
  atlas = new DigestClient(env.emulator.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
});
beforeEach(() => {
  (env.emulator.clock as VirtualClock).set(START);
});

const SERVICE_PATTERNS = {
  endpointServiceName: /^com\.amazonaws\.vpce\.[a-z-0-9]+\.vpce-svc-[0-9a-f]{17}$/,
  privateLinkServiceName: /^pls_[0-9a-f]{24}$/,
  // The specification's pattern for service attachment URLs (the documented, older shape).
  serviceAttachment:
    /https:\/\/([a-z0-9.]+)+\.[a-z]{2,}(\/[a-z0-9-]+)+\/projects\/p-[a-z0-9]+\/regions\/[a-z\-0-9]+\/serviceAttachments\/[a-z0-9-]+/,
};

describe('create', () => {
  it('answers 201 with the recorded live shape for AWS, in Atlas spelling, supportedRemoteRegions null, ObjectId on the emulator clock', async () => {
    const r = await atlas.post(P.create, { providerName: 'AWS', region: 'eu-central-1' });
    expect(r.status).toBe(201);
    expect(r.headers['content-type']).toBe(`${ATLAS_JSON};charset=utf-8`);
    expect(r.headers['ratelimit-limit']).toBeDefined();
    expect(r.headers['ratelimit-remaining']).toBeDefined();
    expect(Object.keys(r.json)).toEqual([
      'cloudProvider',
      'endpointServiceName',
      'errorMessage',
      'id',
      'interfaceEndpoints',
      'regionName',
      'status',
      'supportedRemoteRegions',
    ]);
    expect(r.json).toEqual({
      cloudProvider: 'AWS',
      endpointServiceName: null,
      errorMessage: null,
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      interfaceEndpoints: [],
      regionName: 'EU_CENTRAL_1',
      status: 'INITIATING',
      supportedRemoteRegions: null,
    });
    expect(parseInt(r.json.id.slice(0, 8), 16)).toBe(START / 1000);
  });

  it('answers the Azure and GCP shapes, null or empty names until ready', async () => {
    const az = await atlas.post(P.create, { providerName: 'AZURE', region: 'US_EAST_2' });
    expect(az.status).toBe(201);
    expect(az.json).toEqual({
      cloudProvider: 'AZURE',
      errorMessage: null,
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      privateEndpoints: [],
      privateLinkServiceName: null,
      privateLinkServiceResourceId: null,
      regionName: 'US_EAST_2',
      status: 'INITIATING',
    });
    const gcp = await atlas.post(P.create, { providerName: 'GCP', region: 'us-central1' });
    expect(gcp.json).toEqual({
      cloudProvider: 'GCP',
      endpointGroupNames: [],
      errorMessage: null,
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      portMappingEnabled: false,
      regionName: 'CENTRAL_US',
      serviceAttachmentNames: [],
      status: 'INITIATING',
    });
  });

  it('echoes supportedRemoteRegions when given, null otherwise (recorded)', async () => {
    const r = await atlas.post(P.create, { providerName: 'AWS', region: 'US_EAST_1', supportedRemoteRegions: ['US_WEST_2'] });
    expect(r.json.supportedRemoteRegions).toEqual(['US_WEST_2']);
    const plain = await atlas.post(P.create, { providerName: 'AWS', region: 'US_EAST_2' });
    expect(plain.json.supportedRemoteRegions).toBeNull();
  });

  it('keeps one service per provider and region, in either spelling, even while DELETING: the exact live 409', async () => {
    const first = await atlas.post(P.create, { providerName: 'AWS', region: 'us-east-1' });
    const again = await atlas.post(P.create, { providerName: 'AWS', region: 'US_EAST_1' });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toBe('application/json');
    expect(again.json).toEqual({
      detail: 'A private endpoint service already exists for AWS region US_EAST_1.',
      error: 409,
      errorCode: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
      parameters: ['AWS', 'US_EAST_1'],
      reason: 'Conflict',
    });
    expect((await atlas.delete(P.service('AWS', first.json.id))).status).toBe(202);
    expect((await atlas.post(P.create, { providerName: 'AWS', region: 'us-east-1' })).status).toBe(409);
    env.emulator.advance(60);
    expect((await atlas.post(P.create, { providerName: 'AWS', region: 'us-east-1' })).status).toBe(201);
    // Same region name, other provider: no clash.
    expect((await atlas.post(P.create, { providerName: 'AZURE', region: 'US_EAST_2' })).status).toBe(201);
    expect((await atlas.post(P.create, { providerName: 'AWS', region: 'US_EAST_2' })).status).toBe(201);
  });

  it.each([
    // The recorded codes and details.
    [
      { providerName: 'ORACLE', region: 'us-east-1' },
      'INVALID_ENUM_VALUE',
      ['ORACLE'],
      'An invalid enumeration value ORACLE was specified.',
    ],
    [
      { providerName: 'AWS', region: 'mars-north-1' },
      'INVALID_ENUM_VALUE',
      ['mars-north-1'],
      'An invalid enumeration value mars-north-1 was specified.',
    ],
    // Well formed but not in the region table: the emulator knows only the table.
    [{ providerName: 'AWS', region: 'US_NORTH_9' }, 'INVALID_ENUM_VALUE', ['US_NORTH_9'], undefined],
    // A region of another provider.
    [{ providerName: 'AWS', region: 'eastus2' }, 'INVALID_ENUM_VALUE', ['eastus2'], undefined],
    [{ region: 'us-east-1' }, 'MISSING_ATTRIBUTE', ['providerName'], 'The required attribute providerName was not specified.'],
    [{ providerName: 'AWS' }, 'MISSING_ATTRIBUTE', ['region'], 'The required attribute region was not specified.'],
    [{ providerName: 'AWS', region: 42 }, 'INVALID_JSON_ATTRIBUTE', ['region'], undefined],
    [
      { providerName: 'GCP', region: 'us-central1', portMappingEnabled: 'yes' },
      'INVALID_JSON_ATTRIBUTE',
      ['portMappingEnabled'],
      undefined,
    ],
    [{ providerName: 'AWS', region: 'us-east-1', colour: 'blue' }, 'INVALID_ATTRIBUTE', ['colour'], undefined],
    [
      { providerName: 'AWS', region: 'us-east-1', supportedRemoteRegions: ['us-west-2'] },
      'INVALID_ATTRIBUTE',
      ['supportedRemoteRegions'],
      undefined,
    ],
    [
      { providerName: 'AWS', region: 'us-east-1', supportedRemoteRegions: ['US_EAST_1'] },
      'CROSS_REGION_PRIVATE_LINK_SELF_REGION',
      ['US_EAST_1'],
      undefined,
    ],
    [
      { providerName: 'AWS', region: 'us-east-1', supportedRemoteRegions: ['MARS_NORTH_1'] },
      'INVALID_ENUM_VALUE',
      ['MARS_NORTH_1'],
      undefined,
    ],
    [{ providerName: 'GCP', region: 'us-central1', supportedRemoteRegions: ['US_EAST_1'] }, 'PROVIDER_UNSUPPORTED', ['GCP'], undefined],
    [{ providerName: 'AZURE', region: 'eastus2', supportedRemoteRegions: ['US_EAST_1'] }, 'PROVIDER_UNSUPPORTED', ['AZURE'], undefined],
    // Emulator's choices.
    [{ providerName: 'AWS', region: 'us-east-1', portMappingEnabled: true }, 'VALIDATION_ERROR', ['portMappingEnabled'], undefined],
  ])('refuses %j with 400 %s', async (body, errorCode, parameters, detail) => {
    const r = await atlas.post(P.create, body);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toMatchObject({ error: 400, errorCode, parameters, reason: 'Bad Request' });
    if (detail) expect(r.json.detail).toBe(detail);
    expect(env.emulator.services()).toEqual([]);
  });

  it('refuses malformed JSON (400 MALFORMED_JSON, as recorded) and a non-JSON content type (415)', async () => {
    const bad = await atlas.post(P.create, '{"providerName":');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      detail: 'Received JSON is malformed.',
      error: 400,
      errorCode: 'MALFORMED_JSON',
      parameters: [],
      reason: 'Bad Request',
    });
    expect((await atlas.post(P.create, '[1]')).json.errorCode).toBe('MALFORMED_JSON');
    const form = await atlas.post(P.create, 'providerName=AWS', { contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.json).toMatchObject({ error: 415, reason: 'Unsupported Media Type' });
    const plainJson = await atlas.post(P.create, { providerName: 'AWS', region: 'us-east-1' }, { contentType: 'application/json' });
    expect(plainJson.status).toBe(201);
  });
});

describe('read', () => {
  it("lists a provider's services as a plain array, and gets one; other providers and unknown ids are 404", async () => {
    expect((await atlas.get(P.list('AWS'))).json).toEqual([]);
    const aws = (await atlas.post(P.create, { providerName: 'AWS', region: 'us-east-1' })).json;
    await atlas.post(P.create, { providerName: 'AZURE', region: 'eastus' });
    const list = await atlas.get(P.list('AWS'));
    expect(list.status).toBe(200);
    expect(list.json).toEqual([aws]);
    expect((await atlas.get(P.list('AZURE'))).json).toHaveLength(1);
    expect((await atlas.get(P.list('GCP'))).json).toEqual([]);

    const one = await atlas.get(P.service('AWS', aws.id));
    expect(one.status).toBe(200);
    expect(one.json).toEqual(aws);

    const wrongProvider = await atlas.get(P.service('AZURE', aws.id));
    expect(wrongProvider.status).toBe(404);
    const missing = await atlas.get(P.service('AWS', 'aaaaaaaaaaaaaaaaaaaaaaaa'));
    expect(missing.json).toEqual({
      detail: `Cannot find resource ${P.service('AWS', 'aaaaaaaaaaaaaaaaaaaaaaaa')}.`,
      error: 404,
      errorCode: 'RESOURCE_NOT_FOUND',
      parameters: [P.service('AWS', 'aaaaaaaaaaaaaaaaaaaaaaaa')],
      reason: 'Not Found',
    });
  });

  it('refuses a malformed service id (400), an unknown provider (400), a malformed or unknown group', async () => {
    expect((await atlas.get(P.service('AWS', 'not-an-id'))).json).toMatchObject({ error: 400, errorCode: 'INVALID_ATTRIBUTE' });
    expect((await atlas.get(P.list('aws'))).json).toMatchObject({ error: 400, errorCode: 'INVALID_ENUM_VALUE', parameters: ['aws'] });
    const badGroup = await atlas.get(paths('XYZ').list('AWS'));
    expect(badGroup.json).toMatchObject({ error: 400, errorCode: 'INVALID_GROUP_ID' });
    const unknown = await atlas.get(paths('0123456789abcdef01234567').list('AWS'));
    expect(unknown.json).toEqual({
      detail: 'No group with ID 0123456789abcdef01234567 exists.',
      error: 404,
      errorCode: 'GROUP_NOT_FOUND',
      parameters: ['0123456789abcdef01234567'],
      reason: 'Not Found',
    });
  });

  it('answers 404 for paths it does not emulate and 405 for a wrong method: no body, as recorded, and an Allow header', async () => {
    expect((await atlas.get(`/api/atlas/v2/groups/${DEFAULT_PROJECT_ID}/clusters`)).status).toBe(404);
    const wrong = await atlas.call('PUT', P.list('AWS'), {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
    expect(wrong.headers['content-length']).toBe('0');
    expect(wrong.text).toBe('');
  });

  it('answers 410 VERSION_GONE for a version date configured as sunset, 406 for any other', async () => {
    const sunset = await startAtlasEmulator({ sunsetVersions: ['2023-02-01'] });
    try {
      const c = new DigestClient(sunset.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      const gone = await c.get(P.list('AWS'), { accept: 'application/vnd.atlas.2023-02-01+json' });
      expect(gone.status).toBe(410);
      expect(gone.headers['content-type']).toBe('application/json');
      expect(gone.json).toMatchObject({ error: 410, errorCode: 'VERSION_GONE', reason: 'Gone', parameters: ['2023-02-01'] });
      expect((await c.get(P.list('AWS'), { accept: 'application/vnd.atlas.2024-05-30+json' })).status).toBe(406);
      expect((await c.get(P.list('AWS'))).status).toBe(200);
    } finally {
      await sunset.close();
    }
  });

  it('answers 406 with the live body without the versioned Accept, whatever else it lists', async () => {
    for (const accept of [null, 'application/json', 'application/vnd.atlas.2024-05-30+json', '*/*']) {
      const r = await atlas.get(P.list('AWS'), { accept });
      expect(r.status).toBe(406);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.json).toEqual({
        detail: 'Invalid accept header or version date.',
        error: 406,
        errorCode: 'INVALID_VERSION_DATE',
        parameters: [],
        reason: 'Not Acceptable',
      });
    }
    const several = await atlas.get(P.list('AWS'), { accept: `application/json, ${ATLAS_JSON};q=0.9` });
    expect(several.status).toBe(200);
  });
});

describe('update', () => {
  it("replaces supportedRemoteRegions (Atlas spelling only); the body's provider picks the service", async () => {
    const s = (await atlas.post(P.create, { providerName: 'AWS', region: 'us-east-1' })).json;
    const r = await atlas.patch(P.update(s.id), { cloudProvider: 'AWS', supportedRemoteRegions: ['US_WEST_2', 'EU_WEST_1'] });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ...s, supportedRemoteRegions: ['US_WEST_2', 'EU_WEST_1'] });
    expect((await atlas.get(P.service('AWS', s.id))).json.supportedRemoteRegions).toEqual(['US_WEST_2', 'EU_WEST_1']);

    const lower = await atlas.patch(P.update(s.id), { cloudProvider: 'AWS', supportedRemoteRegions: ['us-west-2'] });
    expect(lower.status).toBe(400);
    expect(lower.json).toMatchObject({ errorCode: 'INVALID_ATTRIBUTE', parameters: ['supportedRemoteRegions'] });
    const own = await atlas.patch(P.update(s.id), { cloudProvider: 'AWS', supportedRemoteRegions: ['US_WEST_2', 'US_EAST_1'] });
    expect(own.json).toMatchObject({ error: 400, errorCode: 'CROSS_REGION_PRIVATE_LINK_SELF_REGION', parameters: ['US_EAST_1'] });
    expect((await atlas.get(P.service('AWS', s.id))).json.supportedRemoteRegions).toEqual(['US_WEST_2', 'EU_WEST_1']);
    expect((await atlas.patch(P.update(s.id), { cloudProvider: 'AZURE', supportedRemoteRegions: [] })).status).toBe(404);
    expect((await atlas.patch(P.update(s.id), { supportedRemoteRegions: [] })).json.errorCode).toBe('MISSING_ATTRIBUTE');
    const tooMany = Array.from({ length: 36 }, () => 'US_WEST_2');
    expect((await atlas.patch(P.update(s.id), { cloudProvider: 'AWS', supportedRemoteRegions: tooMany })).status).toBe(400);
    expect((await atlas.patch(P.update('bbbbbbbbbbbbbbbbbbbbbbbb'), { cloudProvider: 'AWS' })).status).toBe(404);
  });
});

describe('lifecycle on virtual time', () => {
  it.each([
    // The recorded times in INITIATING: about 2.5 min AWS, 1 min Azure, 4.3 min GCP.
    ['AWS', 'us-east-1', 150, 60],
    ['AZURE', 'westeurope', 60, 90],
    ['GCP', 'europe-west1', 260, 120],
  ] as const)(
    '%s (%s): INITIATING %is → AVAILABLE with no endpoint (recorded); delete → 202 {} → DELETING %is → 404',
    async (provider, region, create, del) => {
      const s = (await atlas.post(P.create, { providerName: provider, region })).json;
      env.emulator.advance(create - 1);
      expect((await atlas.get(P.service(provider, s.id))).json.status).toBe('INITIATING');
      env.emulator.advance(1);
      const ready = (await atlas.get(P.service(provider, s.id))).json;
      expect(ready.status).toBe('AVAILABLE');
      expect(ready.errorMessage).toBeNull();

      const d = await atlas.delete(P.service(provider, s.id));
      expect(d.status).toBe(202);
      expect(d.json).toEqual({});
      expect(d.headers['content-type']).toBe(`${ATLAS_JSON};charset=utf-8`);
      // Deleting again while DELETING changes nothing.
      expect((await atlas.delete(P.service(provider, s.id))).status).toBe(202);
      const deleting = (await atlas.get(P.service(provider, s.id))).json;
      expect(deleting.status).toBe('DELETING');
      env.emulator.advance(del - 1);
      expect((await atlas.get(P.service(provider, s.id))).json.status).toBe('DELETING');
      env.emulator.advance(1);
      expect((await atlas.get(P.service(provider, s.id))).status).toBe(404);
      expect((await atlas.delete(P.service(provider, s.id))).status).toBe(404);
      expect((await atlas.get(P.list(provider))).json).toEqual([]);
    },
  );

  it("names the service once ready, in the clouds' shapes", async () => {
    const aws = (await atlas.post(P.create, { providerName: 'AWS', region: 'eu-central-1' })).json;
    const az = (await atlas.post(P.create, { providerName: 'AZURE', region: 'eastus2' })).json;
    const gcp = (await atlas.post(P.create, { providerName: 'GCP', region: 'us-east4' })).json;
    const mapped = (await atlas.post(P.create, { providerName: 'GCP', region: 'us-west1', portMappingEnabled: true })).json;
    expect(mapped.portMappingEnabled).toBe(true);
    env.emulator.advance(600);

    const a = (await atlas.get(P.service('AWS', aws.id))).json;
    expect(a.endpointServiceName).toMatch(/^com\.amazonaws\.vpce\.eu-central-1\.vpce-svc-[0-9a-f]{17}$/);
    expect(a.endpointServiceName).toMatch(SERVICE_PATTERNS.endpointServiceName);

    const z = (await atlas.get(P.service('AZURE', az.id))).json;
    expect(z.privateLinkServiceName).toMatch(SERVICE_PATTERNS.privateLinkServiceName);
    expect(z.privateLinkServiceResourceId).toMatch(
      new RegExp(
        `^/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/resourceGroups/rg_[0-9a-f]{24}_[0-9a-f]{8}/providers/Microsoft\\.Network/privateLinkServices/${z.privateLinkServiceName}$`,
      ),
    );

    // Recorded live: 6 names without a scheme, numbered by the project (group) id.
    const g = (await atlas.get(P.service('GCP', gcp.id))).json;
    expect(g.serviceAttachmentNames).toHaveLength(6);
    g.serviceAttachmentNames.forEach((name: string, n: number) => {
      expect(name).toMatch(
        new RegExp(`^projects/p-[a-z0-9]{24}/regions/us-east4/serviceAttachments/sa-us-east4-${DEFAULT_PROJECT_ID}-${n}$`),
      );
    });
    expect((await atlas.get(P.service('GCP', mapped.id))).json.serviceAttachmentNames).toHaveLength(1);

    // The names stay the same on every read.
    expect((await atlas.get(P.service('AWS', aws.id))).json.endpointServiceName).toBe(a.endpointServiceName);
    // The snapshot agrees with GET.
    expect(env.emulator.services().find((s) => s.id === aws.id)).toEqual(a);
  });

  it('shows the older shapes when asked: WAITING_FOR_USER until an endpoint is available, 50 https:// attachment URLs', async () => {
    const older = await startAtlasEmulator({ shapes: { readyStatus: 'WAITING_FOR_USER', gcpServiceAttachments: 'documented' } });
    try {
      const c = new DigestClient(older.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      const s = (await c.post(P.create, { providerName: 'GCP', region: 'us-east4' })).json;
      older.advance(260);
      const g = (await c.get(P.service('GCP', s.id))).json;
      expect(g.status).toBe('WAITING_FOR_USER');
      expect(g.serviceAttachmentNames).toHaveLength(50);
      g.serviceAttachmentNames.forEach((url: string, n: number) => {
        expect(url).toMatch(SERVICE_PATTERNS.serviceAttachment);
        expect(url).toMatch(
          new RegExp(
            `^https://www\\.googleapis\\.com/compute/v1/projects/p-[a-z0-9]{24}/regions/us-east4/serviceAttachments/sa-us-east4-${DEFAULT_PROJECT_ID}-${n}$`,
          ),
        );
      });
    } finally {
      await older.close();
    }
    await expect(startAtlasEmulator({ shapes: { readyStatus: 'READY' as 'AVAILABLE' } })).rejects.toThrow(
      /shapes.readyStatus must be one of/,
    );
  });

  it('takes its durations and attachment count from the options', async () => {
    const fast = await startAtlasEmulator({ timings: { GCP: { serviceCreate: 5, serviceDelete: 1 } }, gcpServiceAttachmentCount: 3 });
    try {
      const c = new DigestClient(fast.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      const s = (await c.post(P.create, { providerName: 'GCP', region: 'us-central1' })).json;
      fast.advance(5);
      const ready = (await c.get(P.service('GCP', s.id))).json;
      expect(ready.status).toBe('AVAILABLE');
      expect(ready.serviceAttachmentNames).toHaveLength(3);
      await c.delete(P.service('GCP', s.id));
      fast.advance(1);
      expect((await c.get(P.service('GCP', s.id))).status).toBe(404);
    } finally {
      await fast.close();
    }
  });

  it('runs on a system clock too, where advance() is refused', async () => {
    const real = await startAtlasEmulator({ clock: new SystemClock(1000), timings: { AWS: { serviceCreate: 100 } } });
    try {
      const c = new DigestClient(real.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      const s = (await c.post(P.create, { providerName: 'AWS', region: 'us-east-1' })).json;
      expect(() => real.advance(1)).toThrow(/VirtualClock/);
      await new Promise((r) => setTimeout(r, 150));
      expect((await c.get(P.service('AWS', s.id))).json.status).toBe('AVAILABLE');
    } finally {
      await real.close();
    }
  });

  it('serves several projects, each with its own services', async () => {
    const other = 'abcdefabcdefabcdefabcdef';
    const multi = await startAtlasEmulator({ projectIds: [DEFAULT_PROJECT_ID, other] });
    try {
      const c = new DigestClient(multi.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      expect((await c.post(P.create, { providerName: 'AWS', region: 'us-east-1' })).status).toBe(201);
      expect((await c.post(paths(other).create, { providerName: 'AWS', region: 'us-east-1' })).status).toBe(201);
      expect(multi.services()).toHaveLength(1);
      expect(multi.services(other)).toHaveLength(1);
    } finally {
      await multi.close();
    }
  });
});

describe('clocks', () => {
  it('VirtualClock moves only when told; SystemClock scales real time', async () => {
    const v = new VirtualClock(1000);
    v.advance(2.5);
    expect(v.now()).toBe(3500);
    v.set(10);
    expect(v.now()).toBe(10);
    expect(() => v.advance(-1)).toThrow(RangeError);
    const s = new SystemClock(100);
    const before = s.now();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.now() - before).toBeGreaterThanOrEqual(1000);
    expect(() => new SystemClock(0)).toThrow(RangeError);
  });
});

it('answers plain JSON 404s outside the API without asking for credentials', async () => {
  const r = await send(env.emulator.baseUrl, 'GET', '/');
  expect(r.status).toBe(404);
  expect(r.headers['www-authenticate']).toBeUndefined();
});
