/**
 * The connection wait's decisions as plain functions of data. The cluster bodies follow Atlas's
 * `ClusterDescription20240805.connectionStrings.privateEndpoint[]` (contract/atlas-api): each entry lists the
 * endpoints its strings go through, one per region of the cluster.
 */
import type { Cluster } from '../../../lambda/atlas/models';
import { MAX_ANSWER_BYTES, renderAnswer } from '../../../lambda/cloudformation/answer';
import {
  type ClusterLook,
  clustersProblem,
  judgeClusters,
  placementProblem,
  stringsThrough,
  withConnectionStrings,
} from '../../../lambda/lifecycle/registration/connection-strings';
import type { Connection } from '../../../lambda/lifecycle/registration/status';
import type { Verdict } from '../../../lambda/lifecycle/core/verdict';
import { OUTCOME } from '../../../lambda/model/wait-loop';
import { cfnRequest } from '../../support/requests';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const OTHER_VPCE = 'vpce-0ffffffffffffffff';
const ID = `${PROJECT}--${SERVICE}--${VPCE}`;
const ref = { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS' as const, endpointId: VPCE };
const ids = { ready: ID, failed: ID };
const request = cfnRequest({ ResourceType: 'Custom::AtlasPrivateEndpoint', LogicalResourceId: 'Registration' });
const NOW = Date.parse('2026-12-07T12:00:00Z');
const clock = { now: NOW, deadlineAt: NOW + 30 * 60_000, polls: 3 };
const available: Connection = { state: 'ready', status: 'AVAILABLE', errorMessage: '' };
const registered: Verdict = {
  outcome: OUTCOME.ready,
  answer: { status: 'SUCCESS', physicalResourceId: ID, data: { ConnectionStatus: 'AVAILABLE' } },
};

const standard = (host: string) =>
  `mongodb://${host}-shard-00-00.ab1cd.mongodb.net:1024,${host}-shard-00-01.ab1cd.mongodb.net:1025/?ssl=true&authSource=admin`;
function cluster(name: string, stateName: string, through: string[][] = [], sharded = false): Cluster {
  return {
    name,
    stateName,
    connectionStrings: {
      privateEndpoint: through.map((endpoints, i) => ({
        connectionString: standard(`pl-${i}-us-east-1`),
        srvConnectionString: `mongodb+srv://${name.toLowerCase()}-pl-${i}.ab1cd.mongodb.net`,
        ...(sharded ? { srvShardOptimizedConnectionString: `mongodb+srv://${name.toLowerCase()}-pl-${i}-lb.ab1cd.mongodb.net` } : {}),
        type: sharded ? 'MONGOS' : 'MONGOD',
        endpoints: endpoints.map((endpointId) => ({ endpointId, providerName: 'AWS' as const, region: 'US_EAST_1' })),
      })),
    },
  };
}

describe('which entry is this endpoint’s', () => {
  it('the entry that lists this endpoint, not another endpoint’s', () => {
    const c = cluster('Cluster0', 'IDLE', [[OTHER_VPCE], [VPCE]]);
    expect(stringsThrough(c, ref)).toEqual({
      connectionString: standard('pl-1-us-east-1'),
      srvConnectionString: 'mongodb+srv://cluster0-pl-1.ab1cd.mongodb.net',
    });
    expect(stringsThrough(c, { provider: 'AWS', endpointId: 'vpce-0123456789abcdef0' })).toBeUndefined();
  });

  it('a multi-region entry lists one endpoint per region: this endpoint among them is enough', () => {
    expect(stringsThrough(cluster('Cluster0', 'IDLE', [[OTHER_VPCE, VPCE]]), ref)).toBeDefined();
  });

  it('a sharded cluster gives the shard-optimized string too', () => {
    expect(stringsThrough(cluster('Shards', 'IDLE', [[VPCE]], true), ref)?.srvShardOptimizedConnectionString).toBe(
      'mongodb+srv://shards-pl-0-lb.ab1cd.mongodb.net',
    );
  });

  it('no connectionStrings, a null privateEndpoint or an entry without strings is no entry', () => {
    expect(stringsThrough({ name: 'c', stateName: 'IDLE' }, ref)).toBeUndefined();
    expect(stringsThrough({ name: 'c', stateName: 'IDLE', connectionStrings: { privateEndpoint: null } }, ref)).toBeUndefined();
    expect(stringsThrough({ connectionStrings: { privateEndpoint: [{ endpoints: [{ endpointId: VPCE }] }] } }, ref)).toBeUndefined();
  });
});

describe('judging the named clusters', () => {
  const look = (c: Cluster): ClusterLook => ({ name: c.name!, cluster: c });

  it('a cluster Atlas does not have fails at once, naming it', () => {
    const j = judgeClusters([look(cluster('Cluster0', 'IDLE', [[VPCE]])), { name: 'Clutser1', missing: true }], ref);
    expect(j).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/has no cluster named "Clutser1" \(404\): check ClusterNames/),
    });
  });

  it('a cluster being deleted fails: it will never publish', () => {
    expect(judgeClusters([look(cluster('Old', 'DELETING'))], ref)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/Old .* is being deleted/),
    });
  });

  it.each(['IDLE', 'CREATING', 'UPDATING', 'REPAIRING', 'SOMETHING_NEW'])('a %s cluster without the string is waited for', (s) => {
    const j = judgeClusters([look(cluster('Cluster0', s, [[OTHER_VPCE]]))], ref);
    expect(j).toEqual({
      state: 'pending',
      strings: new Map(),
      status: `no private connection string through this endpoint yet from Cluster0 ${s}`,
    });
  });

  it('a cluster that publishes the string while it changes is done: the string is what the application needs', () => {
    expect(judgeClusters([look(cluster('Cluster0', 'UPDATING', [[VPCE]]))], ref).state).toBe('ready');
  });

  it('ready only when every named cluster has it', () => {
    const looks = [look(cluster('A', 'IDLE', [[VPCE]])), look(cluster('B', 'IDLE'))];
    expect(judgeClusters(looks, ref)).toMatchObject({ state: 'pending', status: expect.stringContaining('from B IDLE') });
    looks[1] = look(cluster('B', 'IDLE', [[VPCE]]));
    expect(judgeClusters(looks, ref).state).toBe('ready');
  });
});

describe('the verdict with connection strings', () => {
  const ready = (names: string[], looks: Cluster[], req = request) =>
    withConnectionStrings(
      registered,
      available,
      {
        names,
        judgement: judgeClusters(
          looks.map((c) => ({ name: c.name!, cluster: c })),
          ref,
        ),
      },
      { ref, ids, clock, request: req },
    );

  it('without cluster names the registration’s verdict stands as it is', () => {
    expect(withConnectionStrings(registered, available, { names: [] }, { ref, ids, clock, request })).toBe(registered);
  });

  it('one cluster: plain attributes, the shard-optimized one empty for a replica set, beside the registration’s', () => {
    const v = ready(['Cluster0'], [cluster('Cluster0', 'IDLE', [[VPCE]])]);
    expect(v).toMatchObject({ outcome: OUTCOME.ready, answer: { status: 'SUCCESS', physicalResourceId: ID } });
    expect(v.outcome === OUTCOME.ready && v.answer.data).toEqual({
      ConnectionStatus: 'AVAILABLE',
      ConnectionString: standard('pl-0-us-east-1'),
      SrvConnectionString: 'mongodb+srv://cluster0-pl-0.ab1cd.mongodb.net',
      SrvShardOptimizedConnectionString: '',
    });
  });

  it('several clusters: one JSON map by cluster name, in the order named', () => {
    const v = ready(['B', 'A'], [cluster('B', 'IDLE', [[VPCE]], true), cluster('A', 'IDLE', [[VPCE]])]);
    const data = v.outcome === OUTCOME.ready ? v.answer.data! : {};
    expect(Object.keys(data).sort()).toEqual(['ConnectionStatus', 'ConnectionStrings']);
    const map = JSON.parse(data.ConnectionStrings) as Record<string, Record<string, string>>;
    expect(Object.keys(map)).toEqual(['B', 'A']);
    expect(map.B.srvShardOptimizedConnectionString).toBe('mongodb+srv://b-pl-0-lb.ab1cd.mongodb.net');
    expect(map.A).toEqual({ connectionString: standard('pl-0-us-east-1'), srvConnectionString: 'mongodb+srv://a-pl-0.ab1cd.mongodb.net' });
  });

  it('strings that would not fit 4096 bytes uncut fail with what to do, never a string cut short', () => {
    const names = Array.from({ length: 10 }, (_, i) => `cluster-with-a-long-name-${i}`);
    const v = ready(
      names,
      names.map((n) => cluster(n, 'IDLE', [[VPCE]], true)),
    );
    expect(v).toMatchObject({ outcome: OUTCOME.failed, answer: { status: 'FAILED', physicalResourceId: ID } });
    const reason = v.outcome === OUTCOME.failed ? v.answer.reason! : '';
    expect(reason).toMatch(/make the answer \d+ bytes, and CloudFormation takes at most 4096: name fewer clusters/);
    expect(
      Buffer.byteLength(renderAnswer(request, v.outcome === OUTCOME.failed ? v.answer : { status: 'FAILED', physicalResourceId: ID })),
    ).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
  });

  it('strings that fit are answered whole, even close to the limit', () => {
    const names = ['A', 'B', 'C'];
    const v = ready(
      names,
      names.map((n) => cluster(n, 'IDLE', [[VPCE]], true)),
    );
    expect(v.outcome).toBe(OUTCOME.ready);
    const body = renderAnswer(request, v.outcome === OUTCOME.ready ? v.answer : { status: 'FAILED', physicalResourceId: ID });
    expect(JSON.parse(body).Data.ConnectionStrings).toBe(v.outcome === OUTCOME.ready && v.answer.data!.ConnectionStrings);
  });

  it('waiting for a string: the wait loop’s next poll, then at the deadline FAILED with the clusters’ last state and the multi-region hint', () => {
    const waiting = ready(['Cluster0'], [cluster('Cluster0', 'UPDATING')]);
    expect(waiting).toMatchObject({
      outcome: OUTCOME.wait,
      lastStatus: 'no private connection string through this endpoint yet from Cluster0 UPDATING',
    });
    const late = withConnectionStrings(
      registered,
      available,
      { names: ['Cluster0'], judgement: judgeClusters([{ name: 'Cluster0', cluster: cluster('Cluster0', 'IDLE') }], ref) },
      { ref, ids, clock: { ...clock, now: clock.deadlineAt }, request },
    );
    expect(late).toMatchObject({ outcome: OUTCOME.deadline, answer: { status: 'FAILED', physicalResourceId: ID } });
    const reason = late.outcome === OUTCOME.deadline ? late.answer.reason! : '';
    expect(reason).toMatch(
      /Timed out while waiting for the clusters' private connection strings through interface endpoint vpce-\w+ \(cluster Cluster0; /,
    );
    expect(reason).toMatch(/several regions publishes one only once each of its regions has an endpoint/);
    expect(reason).toMatch(/Cluster0 IDLE/);
  });

  it('a missing cluster fails, answering what the request made so the rollback removes it', () => {
    const v = withConnectionStrings(
      registered,
      available,
      { names: ['Nope'], judgement: judgeClusters([{ name: 'Nope', missing: true }], ref) },
      { ref, ids: { ready: ID, failed: 'not-created-r-1' }, clock, request },
    );
    expect(v).toMatchObject({
      outcome: OUTCOME.failed,
      answer: {
        physicalResourceId: 'not-created-r-1',
        reason: expect.stringMatching(/no cluster named "Nope".*The registration itself is AVAILABLE/),
      },
    });
  });

  it('a refused connection accepted by EnforceConnectionSuccess false still fails when strings are asked for: Atlas publishes none', () => {
    const rejected: Connection = {
      state: 'failed',
      status: 'REJECTED',
      errorMessage: 'Verify endpoint ID and accepted regions, then retry your connection.',
    };
    const v = withConnectionStrings(registered, rejected, { names: ['Cluster0'] }, { ref, ids, clock, request });
    expect(v).toMatchObject({
      outcome: OUTCOME.failed,
      answer: { reason: expect.stringMatching(/is REJECTED, and ClusterNames asks for the connection strings/) },
    });
  });
});

describe('an Azure private endpoint id in another case', () => {
  const AZURE =
    '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe';
  it('is the same endpoint: Azure resource ids are case-insensitive, and the registration is found either way', () => {
    const c = cluster('Cluster0', 'IDLE', [[AZURE.toLowerCase().replace('app-rg', 'APP-RG')]]);
    expect(stringsThrough(c, { provider: 'AZURE', endpointId: AZURE })).toBeDefined();
  });
  it('is not, for an AWS or GCP id, which Atlas keeps as given', () => {
    expect(stringsThrough(cluster('Cluster0', 'IDLE', [[VPCE.toUpperCase()]]), ref)).toBeUndefined();
  });
});

describe('where the cluster’s nodes are', () => {
  const placed = (configs: { providerName: string; regionName: string }[]): ClusterLook => ({
    name: 'Cluster0',
    cluster: { name: 'Cluster0', stateName: 'IDLE', replicationSpecs: [{ zoneName: 'Zone 1', regionConfigs: configs }] },
  });
  it('a cluster with nodes in the service’s provider and region can publish through it', () => {
    expect(
      placementProblem(
        placed([
          { providerName: 'AWS', regionName: 'US_EAST_1' },
          { providerName: 'AWS', regionName: 'US_WEST_2' },
        ]),
        ref,
        'US_EAST_1',
      ),
    ).toBeUndefined();
  });
  it('a cluster elsewhere never will: the reason names where its nodes are', () => {
    expect(placementProblem(placed([{ providerName: 'AWS', regionName: 'US_WEST_2' }]), ref, 'US_EAST_1')).toMatch(
      /Cluster Cluster0 has its nodes in AWS US_WEST_2, none in AWS US_EAST_1, the region of private endpoint service .*Register an endpoint with a service in the cluster's region, or remove the cluster from ClusterNames/,
    );
    expect(placementProblem(placed([{ providerName: 'GCP', regionName: 'US_EAST_1' }]), ref, 'US_EAST_1')).toMatch(
      /GCP US_EAST_1, none in AWS US_EAST_1/,
    );
  });
  it('a shared-tier cluster has no private endpoints', () => {
    expect(placementProblem(placed([{ providerName: 'TENANT', regionName: 'US_EAST_1' }]), ref, 'US_EAST_1')).toMatch(
      /shared-tier cluster/,
    );
  });
  it('a cluster whose placement Atlas does not show is waited for, not refused', () => {
    expect(placementProblem({ name: 'Cluster0', cluster: { name: 'Cluster0', stateName: 'IDLE' } }, ref, 'US_EAST_1')).toBeUndefined();
    expect(clustersProblem([{ name: 'Cluster0', cluster: { name: 'Cluster0' } }], ref, undefined)).toBeUndefined();
  });
  it('clustersProblem: a missing cluster first, then one placed elsewhere', () => {
    expect(
      clustersProblem([placed([{ providerName: 'AWS', regionName: 'US_WEST_2' }]), { name: 'Nope', missing: true }], ref, 'US_EAST_1'),
    ).toMatch(/no cluster named "Nope"/);
    expect(clustersProblem([placed([{ providerName: 'AWS', regionName: 'US_WEST_2' }])], ref, 'US_EAST_1')).toMatch(
      /none in AWS US_EAST_1/,
    );
  });
});

describe('while the stack rolls back', () => {
  const rollback = (names: string[], looks: ClusterLook[]) =>
    withConnectionStrings(
      registered,
      available,
      { names, judgement: judgeClusters(looks, ref) },
      { ref, ids, clock, request, rollingBack: true },
    );

  it('a cluster deleted since answers SUCCESS with empty strings, every key there: a FAILED would leave the stack in UPDATE_ROLLBACK_FAILED', () => {
    const v = rollback(['Cluster0'], [{ name: 'Cluster0', missing: true }]);
    expect(v).toMatchObject({ outcome: OUTCOME.ready, answer: { status: 'SUCCESS' } });
    expect(v.outcome === OUTCOME.ready && v.answer.data).toEqual({
      ConnectionStatus: 'AVAILABLE',
      ConnectionString: '',
      SrvConnectionString: '',
      SrvShardOptimizedConnectionString: '',
    });
  });

  it('no wait either: what is published now, empty for the rest', () => {
    const v = rollback(
      ['A', 'B'],
      [
        { name: 'A', cluster: cluster('A', 'IDLE', [[VPCE]]) },
        { name: 'B', cluster: cluster('B', 'UPDATING') },
      ],
    );
    expect(v.outcome).toBe(OUTCOME.ready);
    const map = JSON.parse(v.outcome === OUTCOME.ready ? v.answer.data!.ConnectionStrings : '{}') as Record<string, Record<string, string>>;
    expect(map.A.srvConnectionString).toBe('mongodb+srv://a-pl-0.ab1cd.mongodb.net');
    expect(map.B).toEqual({ connectionString: '', srvConnectionString: '' });
  });
});

describe('review cases', () => {
  it('a region config without regionName (Atlas leaves it out on multi-region clusters) is not judged', () => {
    const look: ClusterLook = {
      name: 'Multi',
      cluster: { name: 'Multi', replicationSpecs: [{ regionConfigs: [{ providerName: 'AWS' }, { providerName: 'AWS' }] }] },
    };
    expect(placementProblem(look, ref, 'US_EAST_1')).toBeUndefined();
  });

  it('the strings of readable clusters are kept when another is missing, for a rollback to answer', () => {
    const j = judgeClusters(
      [
        { name: 'A', cluster: cluster('A', 'IDLE', [[VPCE]]) },
        { name: 'B', missing: true },
      ],
      ref,
    );
    expect(j.state).toBe('failed');
    expect(j.strings.get('A')?.srvConnectionString).toBe('mongodb+srv://a-pl-0.ab1cd.mongodb.net');
  });

  it('a cluster a rollback could not read waits for nothing: its strings are empty', () => {
    const j = judgeClusters([{ name: 'A', unread: 'Atlas answered 503' }], ref);
    expect(j).toMatchObject({ state: 'pending', status: expect.stringContaining('A (unread: Atlas answered 503)') });
    const v = withConnectionStrings(registered, available, { names: ['A'], judgement: j }, { ref, ids, clock, request, rollingBack: true });
    expect(v.outcome === OUTCOME.ready && v.answer.data?.SrvConnectionString).toBe('');
  });

  it('a rollback whose strings no longer fit answers SUCCESS with every key empty, not FAILED', () => {
    const names = Array.from({ length: 10 }, (_, i) => `cluster-with-a-long-name-${i}`);
    const looks = names.map((n) => ({ name: n, cluster: cluster(n, 'IDLE', [[VPCE]], true) }));
    const v = withConnectionStrings(
      registered,
      available,
      { names, judgement: judgeClusters(looks, ref) },
      { ref, ids, clock, request, rollingBack: true },
    );
    expect(v).toMatchObject({ outcome: OUTCOME.ready, answer: { status: 'SUCCESS' } });
    const map = JSON.parse(v.outcome === OUTCOME.ready ? v.answer.data!.ConnectionStrings : '{}') as Record<string, Record<string, string>>;
    expect(Object.values(map).every((m) => m.srvConnectionString === '')).toBe(true);
  });
});
