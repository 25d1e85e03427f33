/**
 * Interface endpoints: registration per provider, their status sequences on virtual time, what they do
 * to their service (AVAILABLE, the id lists, deletion of the last one deleting the service) and the
 * conflicts around them.
 */
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID } from '../../local/atlas-emulator';
import { useEmulator } from '../support/emulator';
import { DigestClient, paths, vpceId } from './http';

const P = paths(DEFAULT_PROJECT_ID);
const env = useEmulator();
let atlas: DigestClient;

beforeAll(() => {
  atlas = new DigestClient(env.emulator.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
});

async function readyService(provider: 'AWS' | 'AZURE' | 'GCP', region: string, extra: object = {}): Promise<string> {
  const r = await atlas.post(P.create, { providerName: provider, region, ...extra });
  expect(r.status).toBe(201);
  env.emulator.advance(600);
  return r.json.id;
}

const AZURE_PE =
  '/subscriptions/0f0e0d0c-0b0a-4909-8807-060504030201/resourceGroups/my-rg/providers/Microsoft.Network/privateEndpoints/my-pe';

describe('AWS', () => {
  it('PENDING_ACCEPTANCE 30 s → PENDING 60 s → AVAILABLE; the service lists the vpce id and stays AVAILABLE (recorded)', async () => {
    const id = await readyService('AWS', 'us-east-1');
    const vpce = vpceId();
    const created = await atlas.post(P.endpoints('AWS', id), { id: vpce });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      cloudProvider: 'AWS',
      connectionStatus: 'PENDING_ACCEPTANCE',
      deleteRequested: false,
      errorMessage: null,
      interfaceEndpointId: vpce,
    });
    const service = (await atlas.get(P.service('AWS', id))).json;
    expect(service.interfaceEndpoints).toEqual([vpce]);
    expect(service.status).toBe('AVAILABLE');

    const status = async () => (await atlas.get(P.endpoint('AWS', id, vpce))).json.connectionStatus;
    env.emulator.advance(29);
    expect(await status()).toBe('PENDING_ACCEPTANCE');
    env.emulator.advance(1);
    expect(await status()).toBe('PENDING');
    env.emulator.advance(59);
    expect(await status()).toBe('PENDING');
    env.emulator.advance(1);
    expect(await status()).toBe('AVAILABLE');
    expect((await atlas.get(P.service('AWS', id))).json.status).toBe('AVAILABLE');
  });

  it('refuses a second registration of the same vpce (409), a malformed id (400), and deleting a service with endpoints (409)', async () => {
    const id = await readyService('AWS', 'us-east-1');
    const vpce = vpceId();
    await atlas.post(P.endpoints('AWS', id), { id: vpce });
    const again = await atlas.post(P.endpoints('AWS', id), { id: vpce });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: 409, errorCode: 'PRIVATE_ENDPOINT_ALREADY_EXISTS', parameters: [vpce], reason: 'Conflict' });
    expect((await atlas.post(P.endpoints('AWS', id), { id: 'vpce-123' })).json).toMatchObject({
      error: 400,
      errorCode: 'INVALID_ATTRIBUTE',
    });
    expect((await atlas.post(P.endpoints('AWS', id), {})).json).toMatchObject({
      error: 400,
      errorCode: 'MISSING_ATTRIBUTE',
      parameters: ['id'],
    });
    expect((await atlas.get(P.endpoint('AWS', id, 'vpce-nope'))).status).toBe(400);
    expect((await atlas.get(P.endpoint('AWS', id, vpceId()))).status).toBe(404);

    const refused = await atlas.delete(P.service('AWS', id));
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({
      error: 409,
      errorCode: 'CANNOT_DELETE_PRIVATE_ENDPOINT_SERVICE_WITH_ENDPOINTS',
      parameters: [id],
    });
    expect((await atlas.get(P.service('AWS', id))).json.status).toBe('AVAILABLE');
  });

  it('refuses registration while the service is INITIATING (409), and on an unknown service (404)', async () => {
    const s = (await atlas.post(P.create, { providerName: 'AWS', region: 'us-east-1' })).json;
    const early = await atlas.post(P.endpoints('AWS', s.id), { id: vpceId() });
    expect(early.status).toBe(409);
    expect(early.json).toMatchObject({ errorCode: 'PRIVATE_ENDPOINT_SERVICE_NOT_READY', parameters: [s.id, 'INITIATING'] });
    expect((await atlas.post(P.endpoints('AWS', 'cccccccccccccccccccccccc'), { id: vpceId() })).status).toBe(404);
  });

  it('deleting: deleteRequested, DELETING, gone after 60 s; the last one takes the service with it', async () => {
    const id = await readyService('AWS', 'eu-west-1');
    const [a, b] = [vpceId(), vpceId()];
    await atlas.post(P.endpoints('AWS', id), { id: a });
    await atlas.post(P.endpoints('AWS', id), { id: b });
    env.emulator.advance(90);

    const d = await atlas.delete(P.endpoint('AWS', id, a));
    expect(d.status).toBe(202);
    expect(d.json).toEqual({});
    expect((await atlas.get(P.endpoint('AWS', id, a))).json).toEqual({
      cloudProvider: 'AWS',
      connectionStatus: 'DELETING',
      deleteRequested: true,
      errorMessage: null,
      interfaceEndpointId: a,
    });
    env.emulator.advance(60);
    expect((await atlas.get(P.endpoint('AWS', id, a))).status).toBe(404);
    const service = (await atlas.get(P.service('AWS', id))).json;
    expect(service.interfaceEndpoints).toEqual([b]);
    expect(service.status).toBe('AVAILABLE');

    await atlas.delete(P.endpoint('AWS', id, b));
    // The service still has an endpoint (DELETING) until it is gone.
    expect((await atlas.get(P.service('AWS', id))).json.status).toBe('AVAILABLE');
    expect((await atlas.delete(P.service('AWS', id))).status).toBe(409);
    env.emulator.advance(60);
    const deleting = (await atlas.get(P.service('AWS', id))).json;
    expect(deleting).toMatchObject({ status: 'DELETING', interfaceEndpoints: [] });
    // Deleting the service itself now is accepted and changes nothing.
    expect((await atlas.delete(P.service('AWS', id))).status).toBe(202);
    env.emulator.advance(59);
    expect((await atlas.get(P.service('AWS', id))).status).toBe(200);
    env.emulator.advance(1);
    expect((await atlas.get(P.service('AWS', id))).status).toBe(404);
  });

  it('a jump in time past everything applies each step in order', async () => {
    const id = await readyService('AWS', 'us-west-2');
    const vpce = vpceId();
    await atlas.post(P.endpoints('AWS', id), { id: vpce });
    await atlas.delete(P.endpoint('AWS', id, vpce));
    env.emulator.advance(60 + 60 - 1);
    expect((await atlas.get(P.service('AWS', id))).json.status).toBe('DELETING');
    env.emulator.advance(10_000);
    expect((await atlas.get(P.service('AWS', id))).status).toBe(404);
    expect(env.emulator.services()).toEqual([]);
  });
});

describe('AZURE', () => {
  it('INITIATING → AVAILABLE; the resource path is the id (URL-encoded in the path) and is listed in privateEndpoints', async () => {
    const id = await readyService('AZURE', 'eastus2');
    const created = await atlas.post(P.endpoints('AZURE', id), { id: AZURE_PE, privateEndpointIPAddress: '10.0.0.4' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      cloudProvider: 'AZURE',
      deleteRequested: false,
      errorMessage: null,
      privateEndpointConnectionName: null,
      privateEndpointIPAddress: '10.0.0.4',
      privateEndpointResourceId: AZURE_PE,
      status: 'INITIATING',
    });
    expect(P.endpoint('AZURE', id, AZURE_PE)).toContain('%2Fsubscriptions%2F');
    expect((await atlas.get(P.service('AZURE', id))).json.privateEndpoints).toEqual([AZURE_PE]);
    env.emulator.advance(89);
    expect((await atlas.get(P.endpoint('AZURE', id, AZURE_PE))).json.status).toBe('INITIATING');
    env.emulator.advance(1);
    const available = (await atlas.get(P.endpoint('AZURE', id, AZURE_PE))).json;
    expect(available.status).toBe('AVAILABLE');
    expect(available.privateEndpointConnectionName).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}%2[fF]([-\w._()]+)%2[fF]([-\w._()]+)/,
    );
    expect((await atlas.get(P.service('AZURE', id))).json.status).toBe('AVAILABLE');

    expect((await atlas.post(P.endpoints('AZURE', id), { id: AZURE_PE, privateEndpointIPAddress: '999.1.1.1' })).status).toBe(400);
    expect((await atlas.post(P.endpoints('AZURE', id), { id: 'my-pe', privateEndpointIPAddress: '10.0.0.5' })).status).toBe(400);

    expect((await atlas.delete(P.endpoint('AZURE', id, AZURE_PE))).status).toBe(202);
    expect((await atlas.get(P.endpoint('AZURE', id, AZURE_PE))).json).toMatchObject({ status: 'DELETING', deleteRequested: true });
    env.emulator.advance(60);
    // Only AWS takes the service along with its last endpoint: this one stays until deleted itself.
    expect((await atlas.get(P.service('AZURE', id))).json).toMatchObject({ status: 'AVAILABLE', privateEndpoints: [] });
    env.emulator.advance(3600);
    expect((await atlas.get(P.service('AZURE', id))).json.status).toBe('AVAILABLE');
    expect((await atlas.delete(P.service('AZURE', id))).status).toBe(202);
    env.emulator.advance(90);
    expect((await atlas.get(P.service('AZURE', id))).status).toBe(404);
  });
});

describe('GCP', () => {
  it('INITIATING → VERIFIED → AVAILABLE; the group name is listed in endpointGroupNames', async () => {
    const id = await readyService('GCP', 'us-central1');
    const body = {
      endpointGroupName: 'my-group',
      gcpProjectId: 'my-gcp-project',
      endpoints: [
        { endpointName: 'ep-0', ipAddress: '10.1.0.2' },
        { endpointName: 'ep-1', ipAddress: '10.1.0.3' },
      ],
    };
    const created = await atlas.post(P.endpoints('GCP', id), body);
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      cloudProvider: 'GCP',
      deleteRequested: false,
      endpointGroupName: 'my-group',
      endpoints: [
        { endpointName: 'ep-0', ipAddress: '10.1.0.2', status: 'INITIATING' },
        { endpointName: 'ep-1', ipAddress: '10.1.0.3', status: 'INITIATING' },
      ],
      errorMessage: null,
      gcpProjectId: 'my-gcp-project',
      portMappingEnabled: false,
      status: 'INITIATING',
    });
    expect((await atlas.get(P.service('GCP', id))).json.endpointGroupNames).toEqual(['my-group']);
    env.emulator.advance(30);
    expect((await atlas.get(P.endpoint('GCP', id, 'my-group'))).json.status).toBe('VERIFIED');
    env.emulator.advance(60);
    const available = (await atlas.get(P.endpoint('GCP', id, 'my-group'))).json;
    expect(available.status).toBe('AVAILABLE');
    expect(available.endpoints.map((e: { status: string }) => e.status)).toEqual(['AVAILABLE', 'AVAILABLE']);
    expect((await atlas.get(P.service('GCP', id))).json.status).toBe('AVAILABLE');
    expect((await atlas.post(P.endpoints('GCP', id), { endpointGroupName: 'g2' })).json.errorCode).toBe('MISSING_ATTRIBUTE');

    // Deleting the last endpoint group leaves the GCP service in place.
    await atlas.delete(P.endpoint('GCP', id, 'my-group'));
    env.emulator.advance(600);
    expect((await atlas.get(P.service('GCP', id))).json).toMatchObject({ status: 'AVAILABLE', endpointGroupNames: [] });
  });

  it('a port-mapped service takes one endpoint per group', async () => {
    const id = await readyService('GCP', 'us-east4', { portMappingEnabled: true });
    const two = [
      { endpointName: 'a', ipAddress: '10.0.0.1' },
      { endpointName: 'b', ipAddress: '10.0.0.2' },
    ];
    expect((await atlas.post(P.endpoints('GCP', id), { endpointGroupName: 'g', gcpProjectId: 'proj-123456', endpoints: two })).status).toBe(
      400,
    );
    const one = await atlas.post(P.endpoints('GCP', id), {
      endpointGroupName: 'g',
      gcpProjectId: 'proj-123456',
      endpoints: two.slice(0, 1),
    });
    expect(one.status).toBe(201);
    expect(one.json.portMappingEnabled).toBe(true);
    // The contract: the group name is required but ignored; the registration is known by its forwarding rule's name.
    expect(one.json.endpointGroupName).toBe('a');
    expect((await atlas.get(P.endpoint('GCP', id, 'a'))).status).toBe(200);
    expect((await atlas.get(P.service('GCP', id))).json.endpointGroupNames).toEqual(['a']);
    expect((await atlas.post(P.endpoints('GCP', id), { endpointGroupName: 'h', gcpProjectId: 'proj-123456', endpoints: [] })).status).toBe(
      400,
    );
  });
});
