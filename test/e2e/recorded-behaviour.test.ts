/**
 * The lifecycle against Atlas as it was recorded live (contract/atlas-api/README.md, "Recorded live
 * behaviour"), through the local runner and the real state machine: GCP attachment attributes in both
 * shapes within 4096 bytes, a registration whose endpoint Atlas fails, Azure and GCP services that stay
 * after their last endpoint, and "No Capacity" failing at once with a reason a person can act on.
 */
import { AtlasClient } from '../../lambda/atlas/client';
import type { CreateInterfaceEndpointRequest } from '../../lambda/atlas/models';
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import {
  DEFAULT_API_KEY,
  DEFAULT_PROJECT_ID,
  startAtlasEmulator,
  type AtlasEmulator,
  type EmulatorOptions,
} from '../../local/atlas-emulator';
import { LocalRunner } from '../../local/runner/runner';
import { expectWellAnswered } from '../support/answers';

const PROJECT = DEFAULT_PROJECT_ID;
const registration = { logicalResourceId: 'Registration', resourceType: RESOURCE_TYPE_ENDPOINT };

let emulator: AtlasEmulator;
let runner: LocalRunner;

// The first runner synthesizes and bundles the provider, which takes a while on a busy machine.
jest.setTimeout(120_000);

async function start(options: EmulatorOptions = {}): Promise<void> {
  emulator = await startAtlasEmulator(options);
  runner = await LocalRunner.start({ emulator });
}
afterEach(async () => {
  await runner.stop();
  await emulator.close();
});

const createCalls = () => emulator.requests.filter((r) => r.operation === 'createService' && r.authKind !== 'none');

describe('a new service, as recorded', () => {
  it.each([
    ['AWS', 'us-east-1', 150],
    ['AZURE', 'eastus2', 60],
    ['GCP', 'us-east4', 260],
  ] as const)(
    '%s (%s): answers SUCCESS once Atlas shows AVAILABLE, after the recorded %i s in INITIATING',
    async (provider, region, initiating) => {
      await start();
      const { create } = await runner.create({ ProjectId: PROJECT, ProviderName: provider, Region: region });
      expect(create.status).toBe('SUCCESS');
      expect(create.data!.Status).toBe('AVAILABLE');
      expect(create.simulatedSeconds).toBeGreaterThanOrEqual(initiating);
      // The wait loop notices within a poll interval or so, not minutes later.
      expect(create.simulatedSeconds).toBeLessThan(initiating * 2);
      expectWellAnswered(runner);
    },
  );
});

describe('GCP service attachments, both shapes, within 4096 bytes', () => {
  const props = { ProjectId: PROJECT, ProviderName: 'GCP', Region: 'us-east4' };

  it('recorded: 6 names without https://, given whole', async () => {
    await start();
    const { create } = await runner.create(props);
    expect(create.status).toBe('SUCCESS');
    const names = create.data!.ServiceAttachmentNames.split(',');
    expect(names).toHaveLength(6);
    const live = emulator.services(PROJECT)[0];
    expect(live.cloudProvider === 'GCP' && live.serviceAttachmentNames).toEqual(names);
    names.forEach((n, i) =>
      expect(n).toMatch(new RegExp(`^projects/p-[a-z0-9]{24}/regions/us-east4/serviceAttachments/sa-us-east4-${PROJECT}-${i}$`)),
    );
    // The prefix they share, so that both shapes read alike: prefix + name.
    expect(create.data!.ServiceAttachmentBaseUrl).toMatch(/^projects\/p-[a-z0-9]{24}\/regions\/us-east4\/serviceAttachments\/$/);
    expectWellAnswered(runner);
  });

  it.each([
    [
      'documented: 50 https:// URLs',
      { shapes: { gcpServiceAttachments: 'documented' } },
      /^https:\/\/www\.googleapis\.com\/compute\/v1\/projects\//,
    ],
    ['50 names without https://', { gcpServiceAttachmentCount: 50 }, /^projects\//],
  ] as const)('%s: too long whole, so names after the shared prefix; prefix + name is each live name', async (_what, options, prefix) => {
    await start(options);
    const { create } = await runner.create(props);
    expect(create.status).toBe('SUCCESS');
    const live = emulator.services(PROJECT)[0];
    const full = live.cloudProvider === 'GCP' ? live.serviceAttachmentNames! : [];
    expect(full).toHaveLength(50);
    expect(Buffer.byteLength(full.join(','))).toBeGreaterThan(3200);
    const base = create.data!.ServiceAttachmentBaseUrl;
    expect(base).toMatch(prefix);
    expect(create.data!.ServiceAttachmentNames.split(',').map((n) => base + n)).toEqual(full);
    expectWellAnswered(runner); // every answer within 4096 bytes
  });
});

describe('a registration whose interface endpoint Atlas fails', () => {
  it.each([
    ['current', 'Verify endpoint ID and accepted regions, then retry your connection.'],
    ['older', 'Interface endpoint vpce-0a1b2c3d4e5f60718 was not found.'],
  ] as const)("%s message: FAILED with Atlas's own words; without enforcement, SUCCESS saying so", async (shape, message) => {
    await start({ shapes: { unknownInterfaceEndpoint: shape } });
    const svc = (await runner.create({ ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' }, { logicalResourceId: 'Service' }))
      .create;
    const props = { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: 'vpce-0a1b2c3d4e5f60718' };
    emulator.faults.nextEndpoint({ outcome: 'UNKNOWN_IN_CLOUD' });
    const { create, rollback } = await runner.create(props, registration);
    expect(create.status).toBe('FAILED');
    expect(create.reason).toContain(`REJECTED: ${message}`);
    expect(rollback?.status).toBe('SUCCESS');

    // The rollback removed the service's last endpoint, so Atlas deletes that AWS service: use another one.
    const other = (await runner.create({ ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-west-2' }, { logicalResourceId: 'Other' }))
      .create;
    emulator.faults.nextEndpoint({ outcome: 'UNKNOWN_IN_CLOUD' });
    const lenient = await runner.create({ ...props, EndpointServiceId: other.data!.Id, EnforceConnectionSuccess: false }, registration);
    expect([lenient.create.status, lenient.create.reason ?? null]).toEqual(['SUCCESS', null]);
    expect(lenient.create.data).toMatchObject({ ConnectionStatus: 'REJECTED', ErrorMessage: message });
    expectWellAnswered(runner);
  });
});

describe('Azure and GCP services outlive their last endpoint', () => {
  const cases: ['AZURE' | 'GCP', string, CreateInterfaceEndpointRequest][] = [
    [
      'AZURE',
      'eastus2',
      {
        cloudProvider: 'AZURE',
        id: '/subscriptions/0f0e0d0c-0b0a-4909-8807-060504030201/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe',
        privateEndpointIPAddress: '10.0.0.4',
      },
    ],
    [
      'GCP',
      'us-east4',
      {
        cloudProvider: 'GCP',
        endpointGroupName: 'group',
        gcpProjectId: 'my-gcp-project',
        endpoints: [{ endpointName: 'ep-0', ipAddress: '10.0.0.5' }],
      },
    ],
  ];
  it.each(cases)("%s: the service's Delete asks Atlas to delete it and waits until it is gone", async (provider, region, endpoint) => {
    await start();
    const props = { ProjectId: PROJECT, ProviderName: provider, Region: region };
    const { create } = await runner.create(props);
    const atlas = new AtlasClient({
      baseUrl: emulator.baseUrl,
      credentials: { kind: 'api-key', ...DEFAULT_API_KEY },
      now: () => emulator.clock.now(),
    });
    try {
      const id = create.data!.Id;
      await atlas.createInterfaceEndpoint(PROJECT, id, endpoint);
      const endpointId =
        endpoint.cloudProvider === 'AZURE' ? endpoint.id : endpoint.cloudProvider === 'GCP' ? endpoint.endpointGroupName : '';
      await atlas.deleteInterfaceEndpoint(PROJECT, provider, id, endpointId);
      emulator.advance(3600);
      expect(emulator.services(PROJECT).map((s) => s.status)).toEqual(['AVAILABLE']); // Atlas left it in place
    } finally {
      await atlas.close();
    }
    const d = await runner.delete({ physicalResourceId: create.physicalResourceId, properties: props });
    expect(d.status).toBe('SUCCESS');
    expect(emulator.requests.filter((r) => r.operation === 'deleteService' && r.status === 202)).toHaveLength(1);
    expect(emulator.services(PROJECT)).toEqual([]);
    expectWellAnswered(runner);
  });
});

describe('"No Capacity"', () => {
  it('fails the Create at once, naming the region, with advice to retry later or choose another region', async () => {
    await start();
    emulator.faults.nextService({ outcome: 'NO_CAPACITY' });
    const { create } = await runner.create({ ProjectId: PROJECT, ProviderName: 'AZURE', Region: 'eastus2' });
    expect(create.status).toBe('FAILED');
    expect(create.reason).toMatch(/eastus2/);
    expect(create.reason).toMatch(/ATLAS_GENERAL_ERROR: Reason: No Capacity\./);
    expect(create.reason).toMatch(/retry the deployment later, or choose another region/);
    // Not treated as a transient: one create, no hour of polling.
    expect(createCalls()).toHaveLength(1);
    expect(create.simulatedSeconds).toBeLessThan(60);
    expect(emulator.services(PROJECT)).toEqual([]);
    expectWellAnswered(runner);
  });
});
