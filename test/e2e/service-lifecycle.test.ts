/**
 * End to end through the local runner: CloudFormation's requests, the real handler, the real state machine
 * definition from the synthesized template, and the Atlas emulator over HTTP on virtual time.
 */
import { AtlasClient } from '../../lambda/atlas/client';
import { SERVICE_ATTRIBUTE_NAMES } from '../../lambda/lifecycle/service/attributes';
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID } from '../../local/atlas-emulator';
import { expectWellAnswered } from '../support/answers';
import { useRunner } from '../support/emulator';

const PROJECT = DEFAULT_PROJECT_ID;
const PHYSICAL_ID = /^[a-f0-9]{24}-[a-f0-9]{24}-(AWS|AZURE|GCP)-[A-Z0-9_]+$/;

const env = useRunner();
let atlas: AtlasClient;

beforeAll(() => {
  atlas = new AtlasClient({ baseUrl: env.emulator.baseUrl, credentials: { kind: 'api-key', ...DEFAULT_API_KEY }, retry: { budgetMs: 0 } });
});
afterAll(async () => {
  await atlas.close();
});

// Recorded live (contract/atlas-api/README.md): a new service spends about 2.5 min (AWS), 1 min (Azure) and
// 4.3 min (GCP) INITIATING, then shows AVAILABLE.
const RECORDED_INITIATING_SECONDS = { AWS: 150, AZURE: 60, GCP: 260 } as const;

describe.each([
  ['AWS', 'us-east-1', 'US_EAST_1', { SupportedRemoteRegions: ['us-west-2'] }, 'eu-west-1', 'EU_WEST_1'],
  ['AZURE', 'eastus2', 'US_EAST_2', { AdoptExisting: true }, 'westeurope', 'EUROPE_WEST'],
  ['GCP', 'us-central1', 'CENTRAL_US', { AdoptExisting: true }, 'europe-west1', 'WESTERN_EUROPE'],
] as const)('%s: create, update in place, replace, delete', (provider, region, atlasRegion, inPlace, otherRegion, otherAtlasRegion) => {
  it('follows the whole lifecycle', async () => {
    const props = { ProjectId: PROJECT, ProviderName: provider, Region: region };
    const { create } = await env.runner.create(props);
    expect(create.status).toBe('SUCCESS');
    expect(create.physicalResourceId).toMatch(PHYSICAL_ID);
    expect(create.physicalResourceId).toBe(`${PROJECT}-${create.data!.Id}-${provider}-${atlasRegion}`);
    expect(Object.keys(create.data!).sort()).toEqual(expect.arrayContaining([...SERVICE_ATTRIBUTE_NAMES].sort()));
    expect(create.data!.Status).toBe('AVAILABLE');
    expect(create.data!.RegionName).toBe(atlasRegion);
    // Minutes of provisioning pass on the virtual clock, not in real time.
    expect(create.simulatedSeconds).toBeGreaterThanOrEqual(RECORDED_INITIATING_SECONDS[provider]);
    if (provider === 'AWS') expect(create.data!.EndpointServiceName).toMatch(/^com\.amazonaws\.vpce\.us-east-1\.vpce-svc-[0-9a-f]{17}$/);
    if (provider === 'AZURE') expect(create.data!.PrivateLinkServiceName).toMatch(/^pls_[0-9a-f]{24}$/);
    if (provider === 'GCP') expect(create.data!.ServiceAttachmentNames.split(',').length).toBeGreaterThan(0);

    const updated = { ...props, ...inPlace };
    const { update } = await env.runner.update({ physicalResourceId: create.physicalResourceId, properties: props }, updated);
    expect(update.status).toBe('SUCCESS');
    expect(update.physicalResourceId).toBe(create.physicalResourceId); // in place: the id CloudFormation sent, unchanged
    if (provider === 'AWS') {
      const live = await atlas.getEndpointService(PROJECT, 'AWS', create.data!.Id);
      expect(live.cloudProvider === 'AWS' && live.supportedRemoteRegions).toEqual(['US_WEST_2']);
    }

    const moved = { ...updated, Region: otherRegion };
    const replaced = await env.runner.update({ physicalResourceId: create.physicalResourceId, properties: updated }, moved);
    expect(replaced.update.status).toBe('SUCCESS');
    expect(replaced.update.physicalResourceId).not.toBe(create.physicalResourceId);
    expect(replaced.update.data!.RegionName).toBe(otherAtlasRegion);
    expect(replaced.cleanup?.status).toBe('SUCCESS'); // CloudFormation's Delete of the old one
    expect(env.emulator.services(PROJECT).map((s) => s.id)).toEqual([replaced.update.data!.Id]);

    const deleted = await env.runner.delete({ physicalResourceId: replaced.update.physicalResourceId, properties: moved });
    expect(deleted.status).toBe('SUCCESS');
    expect(env.emulator.services(PROJECT)).toEqual([]);
    expectWellAnswered(env.runner);
  });
});

const REGIONS = { AWS: ['us-east-1', 'US_EAST_1'], AZURE: ['eastus2', 'US_EAST_2'], GCP: ['us-central1', 'CENTRAL_US'] } as const;

describe.each(['AWS', 'AZURE', 'GCP'] as const)('%s: Atlas failures and conflicts', (provider) => {
  const [region, atlasRegion] = REGIONS[provider];
  const props = { ProjectId: PROJECT, ProviderName: provider, Region: region };

  it("a service that ends FAILED in Atlas fails the Create with Atlas's message and the real id, so the rollback removes it", async () => {
    env.emulator.faults.nextService({ outcome: 'FAILED', errorMessage: `Insufficient capacity in ${region}` });
    const { create, rollback } = await env.runner.create(props);
    expect(create.status).toBe('FAILED');
    expect(create.reason).toContain(`Insufficient capacity in ${region}`);
    expect(create.physicalResourceId).toMatch(PHYSICAL_ID);
    expect(rollback?.status).toBe('SUCCESS');
    expect(env.emulator.services(PROJECT)).toEqual([]);
    expectWellAnswered(env.runner);
  });

  it('409: without AdoptExisting the Create fails naming the existing service and how to adopt it, and the rollback leaves it alone', async () => {
    const existing = await atlas.createEndpointService(PROJECT, { providerName: provider, region: atlasRegion });
    const { create, rollback } = await env.runner.create(props);
    expect(create.status).toBe('FAILED');
    expect(create.reason).toContain(existing.id);
    expect(create.reason).toMatch(/AdoptExisting/);
    expect(create.physicalResourceId).not.toMatch(PHYSICAL_ID);
    expect(rollback?.status).toBe('SUCCESS');
    expect(env.emulator.services(PROJECT).map((s) => s.id)).toEqual([existing.id]);
    expectWellAnswered(env.runner);
  });

  it('409 with AdoptExisting: takes the existing service over', async () => {
    const existing = await atlas.createEndpointService(PROJECT, { providerName: provider, region });
    const { create } = await env.runner.create({ ...props, Region: atlasRegion, AdoptExisting: 'true' });
    expect(create.status).toBe('SUCCESS');
    expect(create.physicalResourceId).toBe(`${PROJECT}-${existing.id}-${provider}-${atlasRegion}`);
    expect(env.emulator.services(PROJECT)).toHaveLength(1);
    expectWellAnswered(env.runner);
  });

  it("answers FAILED before CloudFormation's ServiceTimeout when Atlas never gets ready, with the last status", async () => {
    env.emulator.faults.nextService({ outcome: 'STUCK_INITIATING' });
    const { create, rollback } = await env.runner.create({ ...props, ServiceTimeout: 900 });
    expect(create.status).toBe('FAILED');
    expect(create.reason).toMatch(/Timed out.*INITIATING/);
    expect(create.simulatedSeconds).toBeLessThan(900);
    expect(create.simulatedSeconds).toBeGreaterThan(600);
    expect(create.physicalResourceId).toMatch(PHYSICAL_ID);
    expect(rollback?.status).toBe('SUCCESS');
    expectWellAnswered(env.runner);
  });

  it('a Delete Atlas accepted but never completes answers SUCCESS before the timeout, leaving the deletion to Atlas', async () => {
    env.emulator.faults.nextService({ outcome: 'STUCK_DELETING' });
    const { create } = await env.runner.create(props);
    const d = await env.runner.send('Delete', { ...props, ServiceTimeout: 300 }, { physicalResourceId: create.physicalResourceId });
    expect(d.status).toBe('SUCCESS');
    expect(d.physicalResourceId).toBe(create.physicalResourceId);
    // The wait used the time the deadline allows (300 s less its 50-s margin), and stopped before the timeout.
    expect(d.simulatedSeconds).toBeGreaterThanOrEqual(240);
    expect(d.simulatedSeconds).toBeLessThan(300);
    expect(env.emulator.services(PROJECT).map((s) => s.status)).toEqual(['DELETING']);
    expectWellAnswered(env.runner);
  });

  it('a service deleted out of band is created again on the next Update, under a new physical id', async () => {
    const { create } = await env.runner.create(props);
    await atlas.deleteEndpointService(PROJECT, provider, create.data!.Id);
    env.emulator.advance(3600);
    const { update, cleanup } = await env.runner.update(
      { physicalResourceId: create.physicalResourceId, properties: props },
      { ...props, AdoptExisting: true },
    );
    expect(update.status).toBe('SUCCESS');
    expect(update.physicalResourceId).not.toBe(create.physicalResourceId);
    expect(cleanup?.status).toBe('SUCCESS'); // the old one is already gone: 404 is success
    expect(env.emulator.services(PROJECT)).toHaveLength(1);
    expectWellAnswered(env.runner);
  });

  it('the same event delivered twice starts one execution, creates one service and sends one answer', async () => {
    const r = await env.runner.send('Create', props, { deliveries: 2 });
    expect(r.status).toBe('SUCCESS');
    expect(r.answers).toBe(1);
    expect(env.emulator.services(PROJECT)).toHaveLength(1);
    expectWellAnswered(env.runner);
  });

  it('a create step that crashes after creating the service does not create a second one or fail', async () => {
    await env.restart({ faults: [{ step: 'act', when: 'after', match: (s) => s.task.kind === 'create' }] });
    const { create } = await env.runner.create(props);
    expect(create.status).toBe('SUCCESS');
    expect(env.emulator.services(PROJECT)).toHaveLength(1);
    expect(create.data!.Id).toBe(env.emulator.services(PROJECT)[0].id);
    expect(env.runner.reports.filter((r) => r.error)).toHaveLength(1);
    expectWellAnswered(env.runner);
  });
});

describe('failures and their answers', () => {
  it('rejects bad properties before any Atlas call, with a did-you-mean', async () => {
    const { create, rollback } = await env.runner.create({ ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-l' });
    expect(create.status).toBe('FAILED');
    expect(create.reason).toMatch(/Region "us-east-l".*Did you mean us-east-1 \(US_EAST_1\)/);
    expect(create.atlasCalls).toBe(0);
    expect(rollback?.status).toBe('SUCCESS');
    expect(rollback?.atlasCalls).toBe(0);
    expectWellAnswered(env.runner);
  });

  it('refuses a 6 KB property value before any Atlas call, with a short Reason (the 4 KB cut itself: answer.test.ts)', async () => {
    const huge = `us-${'a'.repeat(6000)}-1`; // well-formed, but no region is that long
    const { create } = await env.runner.create({ ProjectId: PROJECT, ProviderName: 'AWS', Region: huge });
    expect(create.status).toBe('FAILED');
    expect(create.responseBytes).toBeLessThanOrEqual(4096);
    expect(create.reason).toMatch(/Property Region is 6005 characters long; at most 1024 are accepted/);
    expect(create.atlasCalls).toBe(0);
    expectWellAnswered(env.runner);
  });

  it("Delete of a failed Create's marker or of an id CloudFormation made up is a no-op SUCCESS", async () => {
    const kept = await atlas.createEndpointService(PROJECT, { providerName: 'AWS', region: 'US_EAST_1' });
    for (const id of ['not-created-2b9c1f7e', 'AtlasPrivateEndpointService-1ABCDEF2GHIJK']) {
      const d = await env.runner.delete({
        physicalResourceId: id,
        properties: { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' },
      });
      expect(d.status).toBe('SUCCESS');
      expect(d.physicalResourceId).toBe(id);
      expect(d.atlasCalls).toBe(0);
    }
    expect(env.emulator.services(PROJECT).map((s) => s.id)).toEqual([kept.id]);
    expectWellAnswered(env.runner);
  });

  it('Delete refused by Atlas while an interface endpoint is registered answers FAILED saying so', async () => {
    const props = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' };
    const { create } = await env.runner.create(props);
    await atlas.createInterfaceEndpoint(PROJECT, create.data!.Id, { cloudProvider: 'AWS', id: 'vpce-0123456789abcdef0' });
    const d = await env.runner.delete({ physicalResourceId: create.physicalResourceId, properties: props });
    expect(d.status).toBe('FAILED');
    expect(d.reason).toMatch(/refused to delete/);
    expect(d.reason).toMatch(/interface endpoints/);
    expectWellAnswered(env.runner);
  });

  it('PortMappingEnabled cannot change in place: FAILED with what to do, and the rollback restores', async () => {
    const props = { ProjectId: PROJECT, ProviderName: 'GCP', Region: 'us-central1', PortMappingEnabled: true };
    const { create } = await env.runner.create(props);
    const { update, rollback } = await env.runner.update(
      { physicalResourceId: create.physicalResourceId, properties: props },
      { ...props, PortMappingEnabled: false },
    );
    expect(update.status).toBe('FAILED');
    expect(update.reason).toMatch(/PortMappingEnabled cannot change/);
    expect(update.physicalResourceId).toBe(create.physicalResourceId);
    expect(rollback?.[0].status).toBe('SUCCESS');
    expectWellAnswered(env.runner);
  });
});

describe('repeated delivery, crashes, out-of-band changes, throttling', () => {
  it('a step that keeps crashing ends in one FAILED answer that says which step failed', async () => {
    await env.restart({ faults: [{ step: 'poll', when: 'before', times: 10, match: (s) => s.request.RequestType === 'Create' }] });
    const { create, rollback } = await env.runner.create({ ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' });
    expect(create.status).toBe('FAILED');
    expect(create.reason).toMatch(/poll step failed 3 times/);
    expect(create.physicalResourceId).toMatch(PHYSICAL_ID); // the service exists: the rollback deletes it
    expect(rollback?.status).toBe('SUCCESS');
    expect(env.emulator.services(PROJECT)).toEqual([]);
    expectWellAnswered(env.runner);
  });

  it('waits out a 429 storm, honouring Retry-After, without failing', async () => {
    env.emulator.faults.inject({ operation: 'getService', times: 4 }, { kind: 'status', status: 429, retryAfterSeconds: 30 });
    const { create } = await env.runner.create({ ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' });
    expect(create.status).toBe('SUCCESS');
    // Each throttled read is followed by the next one no sooner than Atlas asked, whether the step slept
    // through the wait itself or handed it to the state machine.
    const reads = env.emulator.requests.filter((r) => r.operation === 'getService' && r.status !== 401);
    const throttled = reads.flatMap((r, i) => (r.status === 429 ? [i] : []));
    expect(throttled).toHaveLength(4);
    for (const i of throttled) expect(reads[i + 1].at - reads[i].at).toBeGreaterThanOrEqual(30_000);
    expectWellAnswered(env.runner);
  });
});
