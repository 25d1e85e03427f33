/**
 * Clusters: the cluster read (`getCluster`, media type 2024-08-05) through the project's own client, and the
 * private-endpoint connection strings a cluster publishes for the AVAILABLE interface endpoints of its provider
 * and regions, `connectionStringPublish` after AVAILABLE and only while IDLE.
 */
import { AtlasClient } from '../../lambda/atlas/client';
import { AtlasApiError } from '../../lambda/atlas/errors';
import type { Cluster, ClusterPrivateEndpointStrings } from '../../lambda/atlas/models';
import type { CloudProvider } from '../../lambda/model/provider';
import {
  DEFAULT_API_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_SERVICE_ACCOUNT,
  DEFAULT_TIMINGS,
  startAtlasEmulator,
  type EmulatorCluster,
} from '../../local/atlas-emulator';
import { useEmulator } from '../support/emulator';
import { DigestClient, paths, vpceId } from './http';

const PROJECT = DEFAULT_PROJECT_ID;
const OTHER_PROJECT = '6a0b1c2d3e4f5a6b7c8d9e0f';
const RO = { publicKey: 'reader', privateKey: 'reader-private-key', role: 'PROJECT_READ_ONLY' as const };
const CLUSTER_MEDIA = 'application/vnd.atlas.2024-08-05+json';
const CLUSTERS: EmulatorCluster[] = [
  { name: 'Cluster0' },
  { name: 'West', regions: ['us-west-2'] },
  { name: 'Ohio', regions: ['US_EAST_2'] },
  { name: 'Azure0', providerName: 'AZURE' },
  { name: 'Spread', regions: ['us-east-1', 'us-west-2'] },
  { name: 'Shards', type: 'SHARDED' },
  { name: 'Elsewhere', projectId: OTHER_PROJECT },
];
const PUBLISH = DEFAULT_TIMINGS.AWS.connectionStringPublish;
const AZURE_PE =
  '/subscriptions/0f0e0d0c-0b0a-4909-8807-060504030201/resourceGroups/my-rg/providers/Microsoft.Network/privateEndpoints/my-pe';

const env = useEmulator({
  projectIds: [PROJECT, OTHER_PROJECT],
  clusters: CLUSTERS,
  credentials: { apiKeys: [{ ...DEFAULT_API_KEY }, RO], serviceAccounts: [{ ...DEFAULT_SERVICE_ACCOUNT }] },
});
let atlas: AtlasClient;
let reader: AtlasClient;

beforeAll(() => {
  const options = { baseUrl: env.emulator.baseUrl, now: () => env.emulator.clock.now(), sleep: async () => undefined };
  atlas = new AtlasClient({ ...options, credentials: { kind: 'api-key', ...DEFAULT_API_KEY } });
  reader = new AtlasClient({ ...options, credentials: { kind: 'api-key', publicKey: RO.publicKey, privateKey: RO.privateKey } });
});
afterAll(async () => {
  await atlas.close();
  await reader.close();
});

const entries = async (name: string, projectId = PROJECT): Promise<ClusterPrivateEndpointStrings[] | undefined> =>
  (await atlas.getCluster(projectId, name)).connectionStrings?.privateEndpoint ?? undefined;
const endpointIds = async (name: string) => ((await entries(name)) ?? []).map((e) => (e.endpoints ?? []).map((x) => x.endpointId));

/** A ready service of the provider in the region (reused when the project has one), its id. */
async function service(provider: CloudProvider, region: string): Promise<string> {
  const existing = (await atlas.listEndpointServices(PROJECT, provider)).find(
    (s) => s.regionName === region.toUpperCase().replace(/-/g, '_') && s.status === 'AVAILABLE',
  );
  if (existing) return existing.id;
  const s = await atlas.createEndpointService(PROJECT, { providerName: provider, region });
  env.emulator.advance(600);
  return s.id;
}

/** Registers an interface endpoint and moves the clock to the moment it is AVAILABLE. */
async function available(provider: CloudProvider, region: string, id: string = vpceId()): Promise<{ serviceId: string; id: string }> {
  const serviceId = await service(provider, region);
  const body =
    provider === 'AWS'
      ? { cloudProvider: 'AWS' as const, id }
      : { cloudProvider: 'AZURE' as const, id, privateEndpointIPAddress: '10.0.0.4' };
  await atlas.createInterfaceEndpoint(PROJECT, serviceId, body);
  const t = DEFAULT_TIMINGS[provider];
  env.emulator.advance(t.endpointAccept + t.endpointAvailable);
  expect(
    (await atlas.getInterfaceEndpoint(PROJECT, provider, serviceId, id)) as { connectionStatus?: string; status?: string },
  ).toMatchObject(provider === 'AWS' ? { connectionStatus: 'AVAILABLE' } : { status: 'AVAILABLE' });
  return { serviceId, id };
}

describe('the cluster read', () => {
  it("answers a configured cluster as ClusterDescription20240805, in the cluster API's media type", async () => {
    const raw = await new DigestClient(env.emulator.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey).get(
      `/api/atlas/v2/groups/${PROJECT}/clusters/Cluster0`,
      { accept: CLUSTER_MEDIA },
    );
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe(`${CLUSTER_MEDIA};charset=utf-8`);
    // No private endpoint yet: no privateEndpoint list.
    expect(raw.json).toEqual({
      clusterType: 'REPLICASET',
      connectionStrings: {
        standard: expect.stringMatching(
          /^mongodb:\/\/cluster0-shard-00-00\.[a-z0-9]{5}\.mongodb\.net:27017,.*replicaSet=atlas-[a-z0-9]+-shard-0$/,
        ),
        standardSrv: expect.stringMatching(/^mongodb\+srv:\/\/cluster0\.[a-z0-9]{5}\.mongodb\.net$/),
      },
      createDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      groupId: PROJECT,
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      mongoDBMajorVersion: '8.0',
      name: 'Cluster0',
      paused: false,
      replicationSpecs: [
        {
          regionConfigs: [
            {
              electableSpecs: { ebsVolumeType: 'STANDARD', instanceSize: 'M10', nodeCount: 3 },
              priority: 7,
              providerName: 'AWS',
              regionName: 'US_EAST_1',
            },
          ],
          zoneName: 'Zone 1',
        },
      ],
      stateName: 'IDLE',
    });
    expect(env.emulator.clusters().find((c) => c.name === 'Cluster0')).toEqual(raw.json);
    // The client's read is the same body.
    expect(await atlas.getCluster(PROJECT, 'Cluster0')).toEqual(raw.json);
  });

  it("shows where the nodes are: every replication spec lists exactly the cluster's provider and regions, in priority order", async () => {
    env.emulator.addCluster({ name: 'Gcp3', providerName: 'GCP', regions: ['us-central1', 'WESTERN_EUROPE', 'asia-east1'] });
    env.emulator.addCluster({ name: 'AzureShards', providerName: 'AZURE', regions: ['eastus2', 'westeurope'], type: 'SHARDED' });
    const placement = async (name: string) =>
      ((await atlas.getCluster(PROJECT, name)).replicationSpecs ?? []).map((spec) =>
        (spec.regionConfigs ?? []).map((rc) => [rc.providerName, rc.regionName, rc.priority]),
      );
    expect(await placement('Cluster0')).toEqual([[['AWS', 'US_EAST_1', 7]]]);
    expect(await placement('Ohio')).toEqual([[['AWS', 'US_EAST_2', 7]]]);
    expect(await placement('Azure0')).toEqual([[['AZURE', 'US_EAST_2', 7]]]);
    expect(await placement('Spread')).toEqual([
      [
        ['AWS', 'US_EAST_1', 7],
        ['AWS', 'US_WEST_2', 6],
      ],
    ]);
    expect(await placement('Gcp3')).toEqual([
      [
        ['GCP', 'CENTRAL_US', 7],
        ['GCP', 'WESTERN_EUROPE', 6],
        ['GCP', 'EASTERN_ASIA_PACIFIC', 5],
      ],
    ]);
    // A sharded cluster: one spec per shard, each across all its regions.
    const azureShard = [
      ['AZURE', 'US_EAST_2', 7],
      ['AZURE', 'EUROPE_WEST', 6],
    ];
    expect(await placement('AzureShards')).toEqual([azureShard, azureShard]);
    expect(await placement('Shards')).toEqual([[['AWS', 'US_EAST_1', 7]], [['AWS', 'US_EAST_1', 7]]]);
    // Electable nodes: an odd total per shard, three where the primary is preferred; AWS alone shows its volume type.
    const gcp = (await atlas.getCluster(PROJECT, 'Gcp3')) as { replicationSpecs: { regionConfigs: { electableSpecs: object }[] }[] };
    expect(gcp.replicationSpecs[0].regionConfigs.map((rc) => rc.electableSpecs)).toEqual([
      { instanceSize: 'M10', nodeCount: 3 },
      { instanceSize: 'M10', nodeCount: 2 },
      { instanceSize: 'M10', nodeCount: 2 },
    ]);
    const eight = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-central-1', 'ap-south-1'];
    expect(() => env.emulator.addCluster({ name: 'Eight', regions: eight })).toThrow(/at most 7 regions/);
  });

  it('answers 404 CLUSTER_NOT_FOUND, in Atlas words, for a name the project lacks, and for a removed cluster', async () => {
    const digest = new DigestClient(env.emulator.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
    const missing = await digest.get(`/api/atlas/v2/groups/${PROJECT}/clusters/Nope`, { accept: CLUSTER_MEDIA });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/json');
    expect(missing.json).toEqual({
      detail: `No cluster named Nope exists in group ${PROJECT}.`,
      error: 404,
      errorCode: 'CLUSTER_NOT_FOUND',
      parameters: ['Nope', PROJECT],
      reason: 'Not Found',
    });
    // A cluster of another project is not this project's.
    await expect(atlas.getCluster(PROJECT, 'Elsewhere')).rejects.toMatchObject({ status: 404, errorCode: 'CLUSTER_NOT_FOUND' });
    expect(await atlas.getCluster(OTHER_PROJECT, 'Elsewhere')).toMatchObject({ name: 'Elsewhere', groupId: OTHER_PROJECT });

    env.emulator.removeCluster('Cluster0');
    const err = await atlas.getCluster(PROJECT, 'Cluster0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasApiError);
    expect(err).toMatchObject({
      status: 404,
      errorCode: 'CLUSTER_NOT_FOUND',
      detail: `No cluster named Cluster0 exists in group ${PROJECT}.`,
    });
    expect(env.emulator.clusters().map((c) => c.name)).not.toContain('Cluster0');
  });

  it('serves 2024-08-05 (and the deprecated 2023-02-01), not the private endpoint version; the private endpoint operations the other way round', async () => {
    const digest = new DigestClient(env.emulator.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
    const path = `/api/atlas/v2/groups/${PROJECT}/clusters/Cluster0`;
    const old = await digest.get(path, { accept: 'application/vnd.atlas.2023-02-01+json' });
    expect([old.status, old.headers['content-type']]).toEqual([200, 'application/vnd.atlas.2023-02-01+json;charset=utf-8']);
    const wrong = await digest.get(path, { accept: 'application/vnd.atlas.2023-01-01+json' });
    expect([wrong.status, wrong.json.errorCode]).toEqual([406, 'INVALID_VERSION_DATE']);
    const list = await digest.get(paths(PROJECT).list('AWS'), { accept: CLUSTER_MEDIA });
    expect([list.status, list.json.errorCode]).toEqual([406, 'INVALID_VERSION_DATE']);
  });

  it('is allowed to a Project Read Only key, which still may not write', async () => {
    expect((await reader.getCluster(PROJECT, 'Cluster0')).name).toBe('Cluster0');
    await expect(reader.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' })).rejects.toMatchObject({
      status: 401,
    });
  });

  it('can be targeted by the fault injector', async () => {
    // A client of its own: no nonce from before the reset, so the only challenge leg is the first request's.
    const atlas = new AtlasClient({
      baseUrl: env.emulator.baseUrl,
      credentials: { kind: 'api-key', ...DEFAULT_API_KEY },
      now: () => env.emulator.clock.now(),
      sleep: async () => undefined,
    });
    env.emulator.faults.inject({ operation: 'getCluster' }, { kind: 'refuse' });
    await expect(atlas.getCluster(PROJECT, 'Cluster0')).rejects.toMatchObject({ status: 401, errorCode: 'USER_UNAUTHORIZED' });
    env.emulator.faults.inject({ operation: 'getCluster' }, { kind: 'status', status: 503 });
    expect((await atlas.getCluster(PROJECT, 'Cluster0')).name).toBe('Cluster0'); // the client retried
    // Past the digest challenge leg, which consumes no fault.
    const reads = env.emulator.requests.filter((r) => r.operation === 'getCluster' && r.authKind !== 'none');
    expect(reads.map((r) => [r.status, r.fault])).toEqual([
      [401, 'refuse'],
      [503, 'status'],
      [200, undefined],
    ]);
    // A fault on the cluster read leaves the private endpoint operations alone.
    env.emulator.faults.inject({ operation: 'getCluster' }, { kind: 'status', status: 500 });
    await expect(atlas.listEndpointServices(PROJECT, 'AWS')).resolves.toEqual([]);
    await atlas.close();
  });

  it("spends no token of the private endpoint operations' rate-limit bucket", async () => {
    const emu = await startAtlasEmulator({
      clusters: [{ name: 'Cluster0' }],
      rateLimit: { capacity: 2, refillRate: 1, refillDurationSeconds: 60 },
    });
    try {
      const digest = new DigestClient(emu.baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
      for (let i = 0; i < 5; i++) {
        const r = await digest.get(`/api/atlas/v2/groups/${PROJECT}/clusters/Cluster0`, { accept: CLUSTER_MEDIA });
        expect([r.status, r.headers['ratelimit-remaining']]).toEqual([200, undefined]);
      }
      const list = await digest.get(paths(PROJECT).list('AWS'));
      expect([list.status, list.headers['ratelimit-remaining']]).toEqual([200, '1']);
      expect(emu.requests.some((r) => r.rateLimited)).toBe(false);
    } finally {
      await emu.close();
    }
  });

  it('comes back after reset as configured; clusters added since go, states set since are undone', async () => {
    env.emulator.addCluster({ name: 'Added', providerName: 'GCP' });
    expect((await atlas.getCluster(PROJECT, 'Added')).connectionStrings).toBeDefined();
    env.emulator.setClusterState('Cluster0', 'UPDATING');
    env.emulator.removeCluster('West');
    expect(() => env.emulator.addCluster({ name: 'Ohio' })).toThrow(/already has a cluster named Ohio/);
    expect(() => env.emulator.addCluster({ name: '-bad' })).toThrow(RangeError);
    expect(() => env.emulator.addCluster({ name: 'X', regions: ['eastus2'] })).toThrow(/eastus2 is not a region of AWS/);
    env.emulator.reset();
    expect(env.emulator.clusters().map((c) => [c.name, c.stateName])).toEqual(
      CLUSTERS.filter((c) => !c.projectId).map((c) => [c.name, 'IDLE']),
    );
  });
});

describe('private-endpoint connection strings', () => {
  it('appear connectionStringPublish after the endpoint became AVAILABLE, naming it, for a cluster of its provider and region', async () => {
    const { id } = await available('AWS', 'us-east-1');
    expect(await entries('Cluster0')).toBeUndefined();
    env.emulator.advance(PUBLISH - 1);
    expect(await entries('Cluster0')).toBeUndefined();
    env.emulator.advance(1);
    const [entry, ...more] = (await entries('Cluster0'))!;
    expect(more).toEqual([]);
    expect(entry).toEqual({
      connectionString: expect.stringMatching(
        /^mongodb:\/\/pl-\d+-us-east-1-shard-00-00\.[a-z0-9]{5}\.mongodb\.net:1024,.+:1025,.+:1026\/\?ssl=true&authSource=admin&replicaSet=atlas-[a-z0-9]+-shard-0$/,
      ),
      endpoints: [{ endpointId: id, providerName: 'AWS', region: 'US_EAST_1' }],
      srvConnectionString: expect.stringMatching(/^mongodb\+srv:\/\/cluster0-pl-\d+\.[a-z0-9]{5}\.mongodb\.net$/),
      type: 'MONGOD',
    });
    // The same strings on every read, and the cluster's own DNS label.
    const cluster = await atlas.getCluster(PROJECT, 'Cluster0');
    expect(cluster.connectionStrings?.privateEndpoint).toEqual([entry]);
    const label = /cluster0\.([a-z0-9]{5})\./.exec(env.emulator.clusters()[0].connectionStrings.standardSrv)![1];
    expect(entry.srvConnectionString).toContain(`.${label}.mongodb.net`);
    // Not for clusters elsewhere: another region, or a region of the same Atlas name on another provider.
    expect(await entries('West')).toBeUndefined();
    expect(await entries('Azure0')).toBeUndefined();
    expect(await entries('Elsewhere', OTHER_PROJECT)).toBeUndefined();
  });

  it('count per provider: an Azure endpoint in US_EAST_2 publishes to the Azure cluster, not to the AWS cluster in US_EAST_2', async () => {
    await available('AZURE', 'eastus2', AZURE_PE);
    env.emulator.advance(DEFAULT_TIMINGS.AZURE.connectionStringPublish);
    expect(await endpointIds('Azure0')).toEqual([[AZURE_PE]]);
    expect((await entries('Azure0'))![0].endpoints).toEqual([{ endpointId: AZURE_PE, providerName: 'AZURE', region: 'US_EAST_2' }]);
    expect(await entries('Ohio')).toBeUndefined();
    expect(await entries('Cluster0')).toBeUndefined();
  });

  it('take the configured time', async () => {
    const emu = await startAtlasEmulator({ clusters: [{ name: 'Fast' }], timings: { AWS: { connectionStringPublish: 5 } } });
    const client = new AtlasClient({
      baseUrl: emu.baseUrl,
      credentials: { kind: 'api-key', ...DEFAULT_API_KEY },
      now: () => emu.clock.now(),
    });
    try {
      const s = await client.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' });
      emu.advance(600);
      await client.createInterfaceEndpoint(PROJECT, s.id, { cloudProvider: 'AWS', id: vpceId() });
      emu.advance(90 + 4);
      expect((await client.getCluster(PROJECT, 'Fast')).connectionStrings?.privateEndpoint).toBeUndefined();
      emu.advance(1);
      expect((await client.getCluster(PROJECT, 'Fast')).connectionStrings?.privateEndpoint).toHaveLength(1);
    } finally {
      await client.close();
      await emu.close();
    }
  });

  it('are not published while the cluster is not IDLE, and appear when it is again; published ones stay through an update', async () => {
    env.emulator.setClusterState('Cluster0', 'UPDATING');
    const first = await available('AWS', 'us-east-1');
    env.emulator.advance(PUBLISH + 600);
    const updating: Cluster = await atlas.getCluster(PROJECT, 'Cluster0');
    expect(updating.stateName).toBe('UPDATING');
    expect(updating.connectionStrings?.privateEndpoint).toBeUndefined();
    env.emulator.setClusterState('Cluster0', 'IDLE');
    expect(await endpointIds('Cluster0')).toEqual([[first.id]]);

    // Once published, an entry stays while the cluster changes; a new endpoint waits for IDLE.
    env.emulator.setClusterState('Cluster0', 'REPAIRING');
    const second = await available('AWS', 'us-east-1');
    env.emulator.advance(PUBLISH);
    expect(await endpointIds('Cluster0')).toEqual([[first.id]]);
    env.emulator.advance(300);
    env.emulator.setClusterState('Cluster0', 'IDLE');
    expect(await endpointIds('Cluster0')).toEqual([[first.id], [second.id]]);
  });

  it('go as soon as the registration is being deleted', async () => {
    const { serviceId, id } = await available('AWS', 'us-east-1');
    env.emulator.advance(PUBLISH);
    expect(await endpointIds('Cluster0')).toEqual([[id]]);
    await atlas.deleteInterfaceEndpoint(PROJECT, 'AWS', serviceId, id);
    expect(await entries('Cluster0')).toBeUndefined();
    env.emulator.advance(3600);
    expect(await entries('Cluster0')).toBeUndefined();
  });

  it('of a multi-region cluster need an endpoint in every region: one entry per combination', async () => {
    const east = await available('AWS', 'us-east-1');
    env.emulator.advance(PUBLISH);
    expect(await endpointIds('Cluster0')).toEqual([[east.id]]);
    expect(await entries('Spread')).toBeUndefined();
    const west = await available('AWS', 'us-west-2');
    env.emulator.advance(PUBLISH);
    const [entry] = (await entries('Spread'))!;
    expect(entry.endpoints).toEqual([
      { endpointId: east.id, providerName: 'AWS', region: 'US_EAST_1' },
      { endpointId: west.id, providerName: 'AWS', region: 'US_WEST_2' },
    ]);
    expect(entry.connectionString).toMatch(/pl-\d+-us-east-1-.*pl-\d+-us-west-2-/);
    const east2 = await available('AWS', 'us-east-1');
    env.emulator.advance(PUBLISH);
    const all = (await endpointIds('Spread')).map((ids) => ids.join(' '));
    expect(all).toEqual([`${east.id} ${west.id}`, `${east2.id} ${west.id}`]);
    // Distinct strings per combination, and the first entry's unchanged by the second endpoint.
    const strings = (await entries('Spread'))!;
    expect(strings[0]).toEqual(entry);
    expect(new Set(strings.map((s) => s.srvConnectionString)).size).toBe(2);
  });

  it('of a sharded cluster go through mongos and carry the shard-optimized SRV string', async () => {
    const { id } = await available('AWS', 'us-east-1');
    env.emulator.advance(PUBLISH);
    const cluster = await atlas.getCluster(PROJECT, 'Shards');
    expect(cluster).toMatchObject({ clusterType: 'SHARDED', stateName: 'IDLE' });
    expect(cluster.connectionStrings?.privateEndpoint).toEqual([
      {
        connectionString: expect.stringMatching(
          /^mongodb:\/\/pl-\d+-us-east-1-lb\.[a-z0-9]{5}\.mongodb\.net:1024\/\?ssl=true&authSource=admin$/,
        ),
        endpoints: [{ endpointId: id, providerName: 'AWS', region: 'US_EAST_1' }],
        srvConnectionString: expect.stringMatching(/^mongodb\+srv:\/\/shards-pl-\d+\.[a-z0-9]{5}\.mongodb\.net$/),
        srvShardOptimizedConnectionString: expect.stringMatching(/^mongodb\+srv:\/\/shards-pl-\d+-lb\.[a-z0-9]{5}\.mongodb\.net$/),
        type: 'MONGOS',
      },
    ]);
  });
});
