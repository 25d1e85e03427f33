import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID, startAtlasEmulator, type AtlasEmulator } from '../../local/atlas-emulator';
import { DigestClient, paths, vpceId } from '../emulator/http';
import { answerProblems, contractOperations, matchOperation, requestProblems, responseProblems } from './openapi';

// The validator itself must be able to say no; these hold it to the contract README's examples.
describe('OpenAPI contract validator', () => {
  const recordedCreate = {
    cloudProvider: 'AWS',
    endpointServiceName: null,
    errorMessage: null,
    id: '691153e4b3b9fc3bec1bf4a8',
    interfaceEndpoints: [],
    regionName: 'EU_CENTRAL_1',
    status: 'INITIATING',
  };

  it('knows the eight private endpoint operations and the cluster read', () => {
    expect(contractOperations().map((o) => o.operationId).sort()).toEqual([
      'createPrivateEndpoint',
      'createPrivateEndpointService',
      'deletePrivateEndpoint',
      'deletePrivateEndpointService',
      'getCluster',
      'getPrivateEndpoint',
      'getPrivateEndpointService',
      'listPrivateEndpointService',
      'updatePrivateEndpointService',
    ]);
    expect(matchOperation('GET', '/api/atlas/v2/groups/5f1e0a1b2c3d4e5f6a7b8c9d/privateEndpoint/AWS/endpointService/691153e4b3b9fc3bec1bf4a8')).toEqual({
      operationId: 'getPrivateEndpointService',
      params: { groupId: '5f1e0a1b2c3d4e5f6a7b8c9d', cloudProvider: 'AWS', endpointServiceId: '691153e4b3b9fc3bec1bf4a8' },
    });
  });

  it('accepts recorded live answers under the documented allowances', () => {
    expect(responseProblems('createPrivateEndpointService', 201, recordedCreate)).toEqual([]);
    expect(responseProblems('deletePrivateEndpointService', 202, {})).toEqual([]);
    expect(
      responseProblems('createPrivateEndpointService', 409, {
        detail: 'A private endpoint service already exists for AWS region US_EAST_1.',
        error: 409,
        errorCode: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
        parameters: ['AWS', 'US_EAST_1'],
        reason: 'Conflict',
      }),
    ).toEqual([]);
    expect(
      responseProblems('listPrivateEndpointService', 429, {
        detail: 'Rate limit exceeded for api/atlas/v2/orgs. Please retry after 55 seconds. Request capacity: 10. Refill rate: 5 per 60 seconds.',
        error: 429,
        errorCode: 'RATE_LIMITED_TOKEN_BUCKET',
        parameters: ['api/atlas/v2/orgs', 55, 10, 5, 60],
        reason: 'Too Many Requests',
      }),
    ).toEqual([]);
  });

  // Each recorded deviation the contract README lists under "Recorded live behaviour".
  const gcpService = {
    cloudProvider: 'GCP',
    endpointGroupNames: [],
    errorMessage: null,
    id: '691153e4b3b9fc3bec1bf4a8',
    portMappingEnabled: false,
    regionName: 'US_EAST_4',
    status: 'AVAILABLE',
  };
  it('accepts the recorded deviations, each under its allowance, and nothing beside them', () => {
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, supportedRemoteRegions: null })).toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, supportedRemoteRegions: 'US_WEST_2' })).not.toEqual([]);
    const recordedName = 'projects/p-fdeeb3e43b8e733e5ab627b1/regions/us-east4/serviceAttachments/sa-us-east4-5f1e0a1b2c3d4e5f6a7b8c9d-0';
    expect(responseProblems('getPrivateEndpointService', 200, { ...gcpService, serviceAttachmentNames: [recordedName] })).toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...gcpService, serviceAttachmentNames: [`https://www.googleapis.com/compute/v1/${recordedName}`] })).toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...gcpService, serviceAttachmentNames: ['sa-us-east4-0'] })).not.toEqual([]);
    const unauthorized = { error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.' };
    expect(responseProblems('listPrivateEndpointService', 401, unauthorized)).toEqual([]);
    expect(responseProblems('listPrivateEndpointService', 401, { ...unauthorized, errorCode: 'UNEXPECTED_ERROR' })).toEqual([]);
    expect(responseProblems('listPrivateEndpointService', 403, { error: 403, reason: 'Forbidden' })).not.toEqual([]);
    expect(answerProblems('listPrivateEndpointService', 503, '<html><body>503</body></html>')).toEqual([]);
    expect(answerProblems('listPrivateEndpointService', 500, '<html><body>500</body></html>')).not.toEqual([]);
    expect(answerProblems('listPrivateEndpointService', 405, '')).toEqual([]);
    expect(answerProblems('listPrivateEndpointService', 404, '')).not.toEqual([]);
    expect(
      answerProblems('createPrivateEndpointService', 400, JSON.stringify({ detail: 'Reason: No Capacity.', error: 400, errorCode: 'ATLAS_GENERAL_ERROR', parameters: ['No Capacity'], reason: 'Bad Request' })),
    ).toEqual([]);
  });

  it('rejects what the spec forbids', () => {
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, status: 'READY' })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, privateLinkServiceName: 'pls_x' })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, id: 'abc' })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, interfaceEndpoints: ['x'] })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, endpointServiceName: 'vpce-svc-1' })).not.toEqual([]);
    expect(responseProblems('deletePrivateEndpointService', 202, { status: 'DELETING' })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 404, { error: 404 })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 404, { error: 400, errorCode: 'X' })).not.toEqual([]);
  });

  it('checks request bodies per provider', () => {
    expect(requestProblems('createPrivateEndpointService', { providerName: 'AWS', region: 'us-east-1' })).toEqual([]);
    expect(requestProblems('createPrivateEndpointService', { providerName: 'ORACLE', region: 'x' })).not.toEqual([]);
    expect(requestProblems('createPrivateEndpointService', { providerName: 'AWS' })).not.toEqual([]);
    expect(requestProblems('updatePrivateEndpointService', { cloudProvider: 'AWS', supportedRemoteRegions: ['US_WEST_2'] })).toEqual([]);
    expect(requestProblems('updatePrivateEndpointService', { supportedRemoteRegions: [] })).not.toEqual([]);
    const aws = { cloudProvider: 'AWS' };
    expect(requestProblems('createPrivateEndpoint', { id: 'vpce-0123456789abcdef0', ...aws }, aws)).toEqual([]);
    expect(requestProblems('createPrivateEndpoint', { id: 'eni-1', ...aws }, aws)).not.toEqual([]);
    expect(requestProblems('createPrivateEndpoint', { ...aws }, aws)).not.toEqual([]);
  });

  // 2025-06 picks a region config's branch by providerName, and its regionName lists overlap across clouds.
  it("holds a cluster's region configs to their provider", () => {
    const withConfig = (config: object) => ({ name: 'Cluster0', replicationSpecs: [{ regionConfigs: [config], zoneName: 'Zone 1' }] });
    const electableSpecs = { instanceSize: 'M10', nodeCount: 3 };
    const config = (providerName: string, regionName: string) => ({ electableSpecs, priority: 7, providerName, regionName });
    // US_WEST_2 is a region of all three clouds, US_EAST_2 of AWS and Azure.
    for (const p of ['AWS', 'AZURE', 'GCP']) expect(responseProblems('getCluster', 200, withConfig(config(p, 'US_WEST_2')))).toEqual([]);
    expect(responseProblems('getCluster', 200, withConfig(config('AZURE', 'US_EAST_2')))).toEqual([]);
    expect(responseProblems('getCluster', 200, withConfig(config('AWS', 'CENTRAL_US')))).not.toEqual([]);
    expect(responseProblems('getCluster', 200, withConfig(config('GCP', 'US_EAST_1')))).not.toEqual([]);
    expect(responseProblems('getCluster', 200, withConfig(config('AZURE', 'EU_WEST_1')))).not.toEqual([]);
    expect(responseProblems('getCluster', 200, withConfig(config('ORACLE', 'US_EAST_1')))).not.toEqual([]);
    expect(responseProblems('getCluster', 200, withConfig({ ...config('AWS', 'US_EAST_1'), priority: 8 }))).not.toEqual([]);
    expect(responseProblems('getCluster', 200, withConfig({ ...config('AWS', 'US_EAST_1'), electableSpecs: { instanceSize: 'M10', nodeCount: '3' } }))).not.toEqual([]);
    // 2026-08 closes a provider's property list: a tenant's backingProviderName is not an AWS region config's.
    expect(responseProblems('getCluster', 200, withConfig({ ...config('AWS', 'US_EAST_1'), backingProviderName: 'AWS' }))).not.toEqual([]);
  });
});

// The emulator's cluster read, as the connection wait meets it: without and with private-endpoint strings
// (replica set, sharded, two regions), a missing cluster, a wrong version.
describe("the emulator's cluster read against the contract", () => {
  const CLUSTER_MEDIA = 'application/vnd.atlas.2024-08-05+json';
  let emulator: AtlasEmulator;
  let atlas: DigestClient;
  const read = async (name: string, accept = CLUSTER_MEDIA) => {
    const r = await atlas.get(`/api/atlas/v2/groups/${DEFAULT_PROJECT_ID}/clusters/${name}`, { accept });
    const op = matchOperation('GET', `/api/atlas/v2/groups/${DEFAULT_PROJECT_ID}/clusters/${name}`);
    expect(op).toEqual({ operationId: 'getCluster', params: { groupId: DEFAULT_PROJECT_ID, clusterName: name } });
    return { ...r, problems: answerProblems('getCluster', r.status, r.text) };
  };

  beforeAll(async () => {
    emulator = await startAtlasEmulator({
      clusters: [
        { name: 'Cluster0' },
        { name: 'Shards', type: 'SHARDED' },
        { name: 'Spread', regions: ['us-east-1', 'us-west-2'] },
        { name: 'AzureSpread', providerName: 'AZURE', regions: ['eastus2', 'westus2', 'westeurope'] },
        { name: 'GcpShards', providerName: 'GCP', regions: ['us-central1', 'us-west2'], type: 'SHARDED' },
        { name: 'Gcp0', providerName: 'GCP' },
      ],
    });
    atlas = new DigestClient(emulator.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
  });
  afterAll(() => emulator.close());

  it('conforms without and with private-endpoint connection strings', async () => {
    const before = await read('Cluster0');
    expect([before.status, before.json.connectionStrings.privateEndpoint, before.problems]).toEqual([200, undefined, []]);

    const P = paths(DEFAULT_PROJECT_ID);
    for (const region of ['us-east-1', 'us-west-2']) {
      const service = await atlas.post(P.create, { providerName: 'AWS', region });
      emulator.advance(600);
      expect((await atlas.post(P.endpoints('AWS', service.json.id), { id: vpceId() })).status).toBe(201);
    }
    emulator.advance(600);
    for (const name of ['Cluster0', 'Shards', 'Spread']) {
      const r = await read(name);
      expect([name, r.status, r.json.connectionStrings.privateEndpoint?.length, r.problems]).toEqual([name, 200, 1, []]);
    }
    expect((await read('Spread')).json.connectionStrings.privateEndpoint[0].endpoints).toHaveLength(2);
    expect((await read('Shards')).json.connectionStrings.privateEndpoint[0].srvShardOptimizedConnectionString).toBeDefined();
  });

  it("conforms with its replicationSpecs: single-region, multi-region and sharded, on every provider", async () => {
    const shapes: [string, number, number][] = [];
    for (const name of ['Cluster0', 'Shards', 'Spread', 'AzureSpread', 'GcpShards', 'Gcp0']) {
      const r = await read(name);
      expect([name, r.status, r.problems]).toEqual([name, 200, []]);
      const specs = r.json.replicationSpecs as { regionConfigs: unknown[] }[];
      shapes.push([name, specs.length, specs[0].regionConfigs.length]);
    }
    expect(shapes).toEqual([
      ['Cluster0', 1, 1],
      ['Shards', 2, 1],
      ['Spread', 1, 2],
      ['AzureSpread', 1, 3],
      ['GcpShards', 2, 2],
      ['Gcp0', 1, 1],
    ]);
  });

  it('conforms when it says no: a missing cluster, a version the read does not have', async () => {
    const missing = await read('Nope');
    expect([missing.status, missing.json.errorCode, missing.problems]).toEqual([404, 'CLUSTER_NOT_FOUND', []]);
    const wrong = await read('Cluster0', 'application/vnd.atlas.2023-01-01+json');
    expect([wrong.status, wrong.problems]).toEqual([406, []]);
  });

  it('holds the cluster to the schema: the enums, the entry and endpoint shapes', async () => {
    const good = (await read('Cluster0')).json; // with the entry the first test had published
    expect(responseProblems('getCluster', 200, good)).toEqual([]);
    const entry = good.connectionStrings.privateEndpoint[0];
    const withEntry = (e: object) => ({ ...good, connectionStrings: { ...good.connectionStrings, privateEndpoint: [{ ...entry, ...e }] } });
    expect(responseProblems('getCluster', 200, { ...good, stateName: 'READY' })).not.toEqual([]);
    expect(responseProblems('getCluster', 200, { ...good, clusterType: 'SINGLE' })).not.toEqual([]);
    expect(responseProblems('getCluster', 200, { ...good, paused: 'no' })).not.toEqual([]);
    expect(responseProblems('getCluster', 200, withEntry({ type: 'MONGOX' }))).not.toEqual([]);
    expect(responseProblems('getCluster', 200, withEntry({ endpoints: { endpointId: 'vpce-1' } }))).not.toEqual([]);
    expect(responseProblems('getCluster', 200, withEntry({ endpoints: [{ endpointId: 'vpce-1', providerName: 'ORACLE' }] }))).not.toEqual([]);
    expect(responseProblems('getCluster', 404, { error: 404, errorCode: 'CLUSTER_NOT_FOUND', detail: 1 })).not.toEqual([]);
  });
});
