/**
 * Holds both sides to MongoDB's OpenAPI contract: drives the emulator through every state of every
 * provider (and every error it produces) with the project's client, through a recording proxy, then
 * validates each recorded request body against the request schemas and each response against the
 * response schemas, under the allowances written down in `openapi.ts`.
 */
import { request } from 'undici';
import { AtlasClient } from '../../lambda/atlas/client';
import type { CloudProvider } from '../../lambda/model/provider';
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID, DEFAULT_SERVICE_ACCOUNT, startAtlasEmulator, type AtlasEmulator } from '../../local/atlas-emulator';
import { LocalRunner } from '../../local/runner/runner';
import { RecordingProxy } from '../support/recording-proxy';
import { answerProblems, matchOperation, requestProblems } from './openapi';

const PROJECT = DEFAULT_PROJECT_ID;
const AZURE_ENDPOINT = '/subscriptions/cba6d9c6-1d3f-3c11-03cb-c705d895e636/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-atlas';

let emulator: AtlasEmulator;
let proxy: RecordingProxy;
let api: AtlasClient;
let sa: AtlasClient;
// The older shapes users may still meet (WAITING_FOR_USER, 50 https:// attachment URLs, the mid-2026 401).
let older: AtlasEmulator;
let olderProxy: RecordingProxy;
const exchanges = () => [...proxy.exchanges, ...olderProxy.exchanges];

const swallow = (p: Promise<unknown>) => p.catch(() => undefined);

beforeAll(async () => {
  emulator = await startAtlasEmulator({
    credentials: {
      apiKeys: [{ ...DEFAULT_API_KEY }, { publicKey: 'ro', privateKey: 'ro-private', role: 'PROJECT_READ_ONLY' }, { publicKey: 'ip', privateKey: 'ip-private', ipAccessListBlocks: true }],
      serviceAccounts: [{ ...DEFAULT_SERVICE_ACCOUNT }],
    },
  });
  proxy = await new RecordingProxy(emulator.baseUrl).start();
  const options = { baseUrl: proxy.url, now: () => emulator.clock.now(), sleep: async () => undefined, retry: { budgetMs: 600_000, maxCallMs: 600_000 } };
  api = new AtlasClient({ ...options, credentials: { kind: 'api-key', ...DEFAULT_API_KEY } });
  sa = new AtlasClient({ ...options, credentials: { kind: 'service-account', ...DEFAULT_SERVICE_ACCOUNT } });
  older = await startAtlasEmulator({ shapes: { readyStatus: 'WAITING_FOR_USER', gcpServiceAttachments: 'documented', unauthorized: 'unexpected-error', unknownInterfaceEndpoint: 'older' } });
  olderProxy = await new RecordingProxy(older.baseUrl).start();
});
afterAll(async () => {
  await api.close();
  await sa.close();
  await proxy.stop();
  await emulator.close();
  await olderProxy.stop();
  await older.close();
});

async function walkProvider(client: AtlasClient, provider: CloudProvider, region: string, portMapping?: boolean) {
  const s = await client.createEndpointService(PROJECT, { providerName: provider, region, ...(portMapping !== undefined ? { portMappingEnabled: portMapping } : {}) });
  await client.getEndpointService(PROJECT, provider, s.id);
  await client.listEndpointServices(PROJECT, provider);
  emulator.advance(900);
  await client.getEndpointService(PROJECT, provider, s.id);
  if (provider === 'AWS') await client.updateEndpointService(PROJECT, s.id, { cloudProvider: 'AWS', supportedRemoteRegions: ['US_WEST_2', 'EU_WEST_1'] });
  const endpoint =
    provider === 'AWS'
      ? { cloudProvider: 'AWS' as const, id: 'vpce-0a1b2c3d4e5f67890' }
      : provider === 'AZURE'
        ? { cloudProvider: 'AZURE' as const, id: AZURE_ENDPOINT, privateEndpointIPAddress: '10.0.0.4' }
        : { cloudProvider: 'GCP' as const, endpointGroupName: 'atlas-group', gcpProjectId: 'p-fdeeb3e43b8e733e5ab627b1', endpoints: [{ endpointName: 'atlas-ep-0', ipAddress: '10.0.0.5' }] };
  // A port-mapped registration is known by its one forwarding rule's name (the contract's endpointGroupName).
  const endpointId = provider === 'AWS' ? 'vpce-0a1b2c3d4e5f67890' : provider === 'AZURE' ? AZURE_ENDPOINT : portMapping ? 'atlas-ep-0' : 'atlas-group';
  await client.createInterfaceEndpoint(PROJECT, s.id, endpoint);
  for (const seconds of [0, 40, 60, 60]) {
    emulator.advance(seconds);
    await client.getInterfaceEndpoint(PROJECT, provider, s.id, endpointId);
    await client.getEndpointService(PROJECT, provider, s.id);
  }
  await swallow(client.createInterfaceEndpoint(PROJECT, s.id, endpoint)); // 409
  await swallow(client.deleteEndpointService(PROJECT, provider, s.id)); // refused: an endpoint is registered
  await client.deleteInterfaceEndpoint(PROJECT, provider, s.id, endpointId);
  await client.getInterfaceEndpoint(PROJECT, provider, s.id, endpointId);
  emulator.advance(61);
  await swallow(client.getInterfaceEndpoint(PROJECT, provider, s.id, endpointId)); // 404
  // AWS: DELETING, the last endpoint took it along. Azure and GCP: still AVAILABLE until deleted.
  if (provider !== 'AWS') {
    await client.getEndpointService(PROJECT, provider, s.id);
    await client.deleteEndpointService(PROJECT, provider, s.id);
  }
  await client.getEndpointService(PROJECT, provider, s.id); // DELETING
  emulator.advance(200);
  await swallow(client.getEndpointService(PROJECT, provider, s.id)); // 404
}

describe('traffic between the client and the emulator conforms to the OpenAPI contract', () => {
  it('drives every state and every error', async () => {
    await walkProvider(api, 'AWS', 'us-east-1');
    await walkProvider(sa, 'AZURE', 'eastus2');
    await walkProvider(api, 'GCP', 'us-central1');
    await walkProvider(sa, 'GCP', 'us-east4', true);

    for (const provider of ['AWS', 'AZURE', 'GCP'] as const) {
      const region = { AWS: 'eu-west-1', AZURE: 'westeurope', GCP: 'europe-west1' }[provider];
      emulator.faults.nextService({ outcome: 'FAILED', errorMessage: 'Quota exceeded' });
      const failed = await api.createEndpointService(PROJECT, { providerName: provider, region });
      emulator.advance(900);
      await api.getEndpointService(PROJECT, provider, failed.id); // FAILED
      await swallow(api.createEndpointService(PROJECT, { providerName: provider, region })); // 409
      await api.deleteEndpointService(PROJECT, provider, failed.id);
      await api.getEndpointService(PROJECT, provider, failed.id); // DELETING
    }

    const svc = await api.createEndpointService(PROJECT, { providerName: 'AWS', region: 'ap-south-1' });
    emulator.advance(600);
    emulator.faults.nextEndpoint({ outcome: 'REJECTED', errorMessage: 'The VPC endpoint was rejected.' });
    await api.createInterfaceEndpoint(PROJECT, svc.id, { cloudProvider: 'AWS', id: 'vpce-0fffffffffffffff0' });
    emulator.advance(120);
    await api.getInterfaceEndpoint(PROJECT, 'AWS', svc.id, 'vpce-0fffffffffffffff0'); // REJECTED

    // Errors: bad input, missing things, refusals, throttling, outages.
    await swallow(api.createEndpointService(PROJECT, { providerName: 'AWS', region: 'mars-north-1' }));
    await swallow(api.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-2', supportedRemoteRegions: ['us-west-2'] }));
    await expect(api.createInterfaceEndpoint(PROJECT, svc.id, { cloudProvider: 'AWS', id: 'eni-123' })).rejects.toThrow(/not an AWS VPC endpoint id/);
    await swallow(api.getEndpointService(PROJECT, 'AWS', 'aaaaaaaaaaaaaaaaaaaaaaaa'));
    await swallow(api.listEndpointServices('bbbbbbbbbbbbbbbbbbbbbbbb', 'AWS'));
    await swallow(new AtlasClient({ baseUrl: proxy.url, credentials: { kind: 'api-key', publicKey: 'ro', privateKey: 'ro-private' } }).createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-west-1' }));
    await swallow(new AtlasClient({ baseUrl: proxy.url, credentials: { kind: 'api-key', publicKey: 'ip', privateKey: 'ip-private' } }).listEndpointServices(PROJECT, 'AWS'));
    await swallow(new AtlasClient({ baseUrl: proxy.url, credentials: { kind: 'api-key', publicKey: 'ghost', privateKey: 'x' } }).listEndpointServices(PROJECT, 'AWS'));
    for (const status of [429, 500, 502, 503, 504] as const) {
      emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status, ...(status === 503 ? { retryAfterSeconds: 10 } : {}) });
      await api.listEndpointServices(PROJECT, 'GCP');
    }
    // The recorded ones: a 503 page that is not JSON, "No Capacity", an interface endpoint AWS does not know.
    emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 503, nonJsonBody: true });
    await api.listEndpointServices(PROJECT, 'GCP');
    emulator.faults.nextService({ outcome: 'NO_CAPACITY' });
    await swallow(api.createEndpointService(PROJECT, { providerName: 'AZURE', region: 'eastus' }));
    emulator.faults.nextEndpoint({ outcome: 'UNKNOWN_IN_CLOUD' });
    await api.createInterfaceEndpoint(PROJECT, svc.id, { cloudProvider: 'AWS', id: 'vpce-0eeeeeeeeeeeeeee0' });
    emulator.advance(60);
    await api.getInterfaceEndpoint(PROJECT, 'AWS', svc.id, 'vpce-0eeeeeeeeeeeeeee0'); // REJECTED, Atlas's message
    await request(`${proxy.url}/api/atlas/v2/groups/${PROJECT}/privateEndpoint/AWS/endpointService`, { headers: { accept: 'application/json' } }).then((r) => r.body.text()); // 401 challenge
    // 406: authenticated, without the versioned media type (the client always sends it, so this is done by hand).
    const challenge = await request(`${emulator.baseUrl}/api/atlas/v2/groups/${PROJECT}/privateEndpoint/AWS/endpointService`);
    await challenge.body.text();
    const { DigestSession, parseDigestChallenge } = await import('../../lambda/atlas/digest');
    const digest = new DigestSession(DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
    digest.accept(parseDigestChallenge(challenge.headers['www-authenticate'])!);
    const path = `/api/atlas/v2/groups/${PROJECT}/privateEndpoint/AWS/endpointService`;
    await request(`${proxy.url}${path}`, { headers: { accept: 'application/json', authorization: digest.authorization('GET', path)! } }).then((r) => r.body.text());

    // The older shapes, through a second emulator.
    const olderOptions = { baseUrl: olderProxy.url, now: () => older.clock.now(), sleep: async () => undefined };
    const olderApi = new AtlasClient({ ...olderOptions, credentials: { kind: 'api-key', ...DEFAULT_API_KEY } });
    for (const [provider, region] of [['AWS', 'us-east-1'], ['AZURE', 'eastus2'], ['GCP', 'us-east4']] as const) {
      const s = await olderApi.createEndpointService(PROJECT, { providerName: provider, region });
      older.advance(900);
      await olderApi.getEndpointService(PROJECT, provider, s.id); // WAITING_FOR_USER
    }
    await swallow(new AtlasClient({ baseUrl: olderProxy.url, credentials: { kind: 'api-key', publicKey: 'ghost', privateKey: 'x' } }).listEndpointServices(PROJECT, 'AWS'));
    await olderApi.close();

    // And the provider's own traffic through a whole lifecycle.
    const runner = await LocalRunner.start({ emulator, atlasBaseUrl: proxy.url });
    const props = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'ca-central-1', SupportedRemoteRegions: ['us-east-1'] };
    const { create } = await runner.create(props);
    await runner.update({ physicalResourceId: create.physicalResourceId, properties: props }, { ...props, SupportedRemoteRegions: ['us-west-2'] });
    await runner.delete({ physicalResourceId: create.physicalResourceId, properties: props });
    await runner.stop();
    // Four providers' lifecycles, two emulators and the provider's own run: more than the default 30 s on a busy machine.
  }, 180_000);

  it('every request body the client sent validates against the request schemas', () => {
    const sent = exchanges().filter((x) => x.path.startsWith('/api/atlas/v2/') && x.requestBody !== '');
    expect(sent.length).toBeGreaterThan(20);
    for (const x of sent) {
      const op = matchOperation(x.method, x.path);
      expect(op).toBeDefined();
      expect([x.method, x.path, requestProblems(op!.operationId, JSON.parse(x.requestBody), op!.params)]).toEqual([x.method, x.path, []]);
      expect(x.requestHeaders['content-type']).toBe('application/vnd.atlas.2023-01-01+json');
    }
  });

  it('every response the emulator produced validates against the response schemas', () => {
    const answered = exchanges().filter((x) => x.path.startsWith('/api/atlas/v2/') && x.status !== undefined);
    expect(answered.length).toBeGreaterThan(100);
    for (const x of answered) {
      const op = matchOperation(x.method, x.path);
      expect(op).toBeDefined();
      expect([x.method, x.path, x.status, answerProblems(op!.operationId, x.status!, x.responseBody)]).toEqual([x.method, x.path, x.status, []]);
    }
  });

  it('covered every status code and every state the contract names', () => {
    const answered = exchanges().filter((x) => x.path.startsWith('/api/atlas/v2/') && x.status !== undefined);
    const codes = new Set(answered.map((x) => x.status));
    for (const code of [200, 201, 202, 400, 401, 403, 404, 406, 409, 429, 500, 502, 503, 504]) expect([code, codes.has(code)]).toEqual([code, true]);
    const bodies = answered.flatMap((x) => {
      let b: unknown;
      try {
        b = x.responseBody ? (JSON.parse(x.responseBody) as unknown) : undefined;
      } catch {
        b = undefined; // the recorded non-JSON 503
      }
      return Array.isArray(b) ? b : [b];
    }) as { cloudProvider?: string; status?: string; connectionStatus?: string }[];
    for (const provider of ['AWS', 'AZURE', 'GCP']) {
      const statuses = new Set(bodies.filter((b) => b?.cloudProvider === provider && 'regionName' in (b as object)).map((b) => b.status));
      for (const s of ['INITIATING', 'WAITING_FOR_USER', 'AVAILABLE', 'FAILED', 'DELETING']) expect([provider, s, statuses.has(s)]).toEqual([provider, s, true]);
    }
    const aws = new Set(bodies.map((b) => b?.connectionStatus).filter(Boolean));
    for (const s of ['PENDING_ACCEPTANCE', 'PENDING', 'AVAILABLE', 'REJECTED', 'DELETING']) expect([s, aws.has(s)]).toEqual([s, true]);
  });
});
