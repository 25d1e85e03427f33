/**
 * The connection wait (`ClusterNames`): a registration answers only once each named cluster publishes a
 * private connection string through its endpoint, in the same wait loop and within the same deadline, and
 * what it made is removed whenever the request does not succeed. The emulator publishes a string
 * `connectionStringPublish` seconds after the registration is AVAILABLE, for a cluster of the service's
 * provider in its region.
 */
import { CONNECTION_STRINGS_ATTRIBUTE, type ClusterConnectionStrings } from '../../lambda/model/connection-strings';
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import type { EmulatorOptions } from '../../local/atlas-emulator';
import { PROJECT, type ScenarioContext } from './harness';
import type { MatrixRow } from './scenarios';

const registration = { logicalResourceId: 'Registration', resourceType: RESOURCE_TYPE_ENDPOINT };
const service = { logicalResourceId: 'Service' };
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const OTHER_VPCE = 'vpce-0f1e2d3c4b5a69788';
const AZURE_ID =
  '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe';
/** Seconds from the register to AVAILABLE on the emulator (accept, then available), and then to the string. */
const ACCEPT_AND_AVAILABLE = 30 + 60;
const PUBLISH = 120;
/** Cluster names of 60 characters: waiting for six of them makes a status longer than a step input may carry. */
const LONG_NAMES = Array.from({ length: 6 }, (_, i) => `analytics-${i}-`.padEnd(60, 'x'));

function clusters(
  ...specs: { name: string; regions?: string[]; type?: 'REPLICASET' | 'SHARDED'; providerName?: 'AWS' | 'AZURE' }[]
): EmulatorOptions {
  return {
    clusters: specs.map((c) => ({ providerName: 'AWS' as const, regions: ['US_EAST_1'], ...c })),
    timings: { AWS: { connectionStringPublish: PUBLISH }, AZURE: { connectionStringPublish: PUBLISH } },
  };
}

async function serviceOf(ctx: ScenarioContext, extra: Record<string, unknown> = {}): Promise<string> {
  const { create } = await ctx.create(ctx.props(extra), service);
  ctx.check(create.status === 'SUCCESS', `service ${create.status}: ${create.reason}`);
  return create.data!.Id;
}

function registrationOf(serviceId: string, extra: Record<string, unknown> = {}) {
  return { ProjectId: PROJECT, EndpointServiceId: serviceId, EndpointId: VPCE, ...extra };
}

/** The strings Atlas (the emulator) lists for `cluster` through `endpointId` now; none when no entry goes through it. */
function publishedThrough(ctx: ScenarioContext, cluster: string, endpointId = VPCE): ClusterConnectionStrings | undefined {
  const c = ctx.emulator.clusters(PROJECT).find((x) => x.name === cluster);
  const entry = c?.connectionStrings?.privateEndpoint?.find((e) => e.endpoints?.some((x) => x.endpointId === endpointId));
  return entry
    ? {
        connectionString: entry.connectionString ?? '',
        srvConnectionString: entry.srvConnectionString ?? '',
        ...(entry.srvShardOptimizedConnectionString ? { srvShardOptimizedConnectionString: entry.srvShardOptimizedConnectionString } : {}),
      }
    : undefined;
}

function interfaceEndpoints(ctx: ScenarioContext, serviceId: string): string[] {
  const s = ctx.emulator.services(PROJECT).find((x) => x.id === serviceId);
  return s?.cloudProvider === 'AWS' ? s.interfaceEndpoints : [];
}

async function deleteAll(ctx: ScenarioContext): Promise<void> {
  const d = await ctx.delete(registration);
  ctx.check(d.status === 'SUCCESS', `registration Delete ${d.status}: ${d.reason}`);
  const s = await ctx.delete(service);
  ctx.check(s.status === 'SUCCESS', `service Delete ${s.status}: ${s.reason}`);
}

const rows: MatrixRow[] = [
  {
    name: 'connection wait: answers once the cluster publishes its string through this endpoint, never before, and returns that string',
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc, { ClusterNames: ['Cluster0'] }), registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.check(
        create.simulatedSeconds >= ACCEPT_AND_AVAILABLE + PUBLISH,
        `answered after ${create.simulatedSeconds} s: before Atlas published the string (${ACCEPT_AND_AVAILABLE + PUBLISH} s)`,
      );
      const published = publishedThrough(ctx, 'Cluster0');
      ctx.check(published !== undefined, 'Atlas lists no string through the endpoint');
      ctx.check(
        create.data?.ConnectionString === published?.connectionString &&
          create.data?.SrvConnectionString === published?.srvConnectionString,
        `answered ${create.data?.SrvConnectionString}, Atlas has ${published?.srvConnectionString}`,
      );
      ctx.check(create.data?.SrvShardOptimizedConnectionString === '', 'a replica set has no shard-optimized string');
      ctx.check(create.data?.ConnectionStatus === 'AVAILABLE', 'the registration attributes are still there');
      await deleteAll(ctx);
      ctx.check(publishedThrough(ctx, 'Cluster0') === undefined, 'the cluster still lists the string through a removed endpoint');
    },
  },
  {
    name: 'connection wait, several clusters (one sharded): one JSON map by name, each string what Atlas lists',
    emulator: clusters({ name: 'orders' }, { name: 'events', type: 'SHARDED' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc, { ClusterNames: ['orders', 'events'] }), registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.check(create.data?.ConnectionString === undefined, 'several clusters answer no plain ConnectionString');
      const map = JSON.parse(create.data?.[CONNECTION_STRINGS_ATTRIBUTE] ?? '{}') as Record<string, ClusterConnectionStrings>;
      ctx.check(JSON.stringify(Object.keys(map)) === '["orders","events"]', `map keys ${Object.keys(map).join(',')}`);
      for (const name of ['orders', 'events'])
        ctx.check(JSON.stringify(map[name]) === JSON.stringify(publishedThrough(ctx, name)), `${name}: ${JSON.stringify(map[name])}`);
      ctx.check(
        map.events?.srvShardOptimizedConnectionString?.startsWith('mongodb+srv://') === true,
        'no shard-optimized string for the sharded one',
      );
      await deleteAll(ctx);
    },
  },
  {
    name: 'connection wait, cluster missing: FAILED before the register, naming it; nothing registered',
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create, rollback } = await ctx.create(registrationOf(svc, { ClusterNames: ['Cluster0', 'Clutser1'] }), registration);
      ctx.check(
        create.status === 'FAILED' && /no cluster named "Clutser1" \(404\).*Nothing was registered/.test(create.reason ?? ''),
        `registration ${create.status}: ${create.reason}`,
      );
      ctx.check(!ctx.emulator.requests.some((r) => r.operation === 'createEndpoint'), 'a register reached Atlas');
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      ctx.check((await ctx.delete(service)).status === 'SUCCESS', 'service Delete');
    },
  },
  {
    name: 'connection wait, cluster deleted while waited for: FAILED at the next look, the rollback removes the registration',
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      // Once the registration is AVAILABLE and the wait is on the cluster, someone deletes the cluster.
      ctx.runner.stateMachine.addFault({
        step: 'poll',
        when: 'before',
        match: (s) => s.task.kind === 'await-connection' && /no private connection string/.test(s.lastStatus ?? ''),
        onFire: () => ctx.emulator.removeCluster('Cluster0', PROJECT),
      });
      const { create, rollback } = await ctx.create(registrationOf(svc, { ClusterNames: ['Cluster0'] }), registration);
      ctx.check(
        create.status === 'FAILED' && /no cluster named "Cluster0" \(404\).*registration itself is AVAILABLE/.test(create.reason ?? ''),
        `registration ${create.status}: ${create.reason}`,
      );
      ctx.check(
        create.physicalResourceId === `${PROJECT}--${svc}--${VPCE}`,
        `the failure does not name what it made: ${create.physicalResourceId}`,
      );
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      ctx.check(!interfaceEndpoints(ctx, svc).includes(VPCE), 'the rollback left the registration');
      await ctx.delete(service);
    },
  },
  {
    name: 'connection wait, string late (Atlas takes 20 minutes to publish): waited for within the deadline, then SUCCESS',
    emulator: { ...clusters({ name: 'Cluster0' }), timings: { AWS: { connectionStringPublish: 1200 } } },
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc, { ClusterNames: 'Cluster0' }), registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.check(create.simulatedSeconds >= ACCEPT_AND_AVAILABLE + 1200, `answered after ${create.simulatedSeconds} s`);
      ctx.check(create.data?.SrvConnectionString === publishedThrough(ctx, 'Cluster0')?.srvConnectionString, 'string');
      await deleteAll(ctx);
    },
  },
  {
    name: "connection wait past the deadline (a two-region cluster, an endpoint in one): FAILED before ServiceTimeout with each cluster's state, the rollback removes the registration",
    emulator: clusters({ name: 'Cluster0', regions: ['US_EAST_1', 'US_WEST_2'] }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create, rollback } = await ctx.create(registrationOf(svc, { ClusterNames: ['Cluster0'], ServiceTimeout: 600 }), registration);
      ctx.check(
        create.status === 'FAILED' &&
          /Timed out while waiting for the clusters' private connection strings through interface endpoint vpce-.*Cluster0 IDLE/.test(
            create.reason ?? '',
          ),
        `registration ${create.status}: ${create.reason}`,
      );
      ctx.check(!create.timedOut && create.simulatedSeconds < 600, `answered after ${create.simulatedSeconds} s`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      ctx.check(!interfaceEndpoints(ctx, svc).includes(VPCE), 'the rollback left the registration');
      await ctx.delete(service);
    },
  },
  {
    name: 'connection wait cancelled (the stack gave up while the string was awaited): the execution removes the registration it made',
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { rollback } = await ctx.cancelledCreate(
        registrationOf(svc, { ClusterNames: ['Cluster0'] }),
        ACCEPT_AND_AVAILABLE + 30,
        registration,
      );
      ctx.check(rollback.status === 'SUCCESS', `registration Delete ${rollback.status}: ${rollback.reason}`);
      await ctx.runner.drain();
      ctx.check(!interfaceEndpoints(ctx, svc).includes(VPCE), 'a registration outlived the cancelled Create');
      await ctx.delete(service);
    },
  },
  {
    name: 'connection wait added by an Update: the registration stays (same physical id), the Update waits and answers the string',
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc), registration);
      ctx.check(create.status === 'SUCCESS' && create.data?.SrvConnectionString === undefined, `registration ${create.status}`);
      const registers = ctx.emulator.requests.filter((r) => r.operation === 'createEndpoint').length;
      const { update } = await ctx.update(registrationOf(svc, { ClusterNames: ['Cluster0'] }), registration);
      ctx.check(update.status === 'SUCCESS', `Update ${update.status}: ${update.reason}`);
      ctx.check(update.physicalResourceId === create.physicalResourceId, `the Update answered ${update.physicalResourceId}`);
      ctx.check(ctx.emulator.requests.filter((r) => r.operation === 'createEndpoint').length === registers, 'the Update registered again');
      ctx.check(update.data?.SrvConnectionString === publishedThrough(ctx, 'Cluster0')?.srvConnectionString, 'string');
      await deleteAll(ctx);
    },
  },
  {
    name: 'connection wait on six clusters with long names: the status each look carries is clipped to what a step input may hold, and the wait goes on to SUCCESS',
    emulator: clusters(...LONG_NAMES.map((name) => ({ name }))),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc, { ClusterNames: LONG_NAMES }), registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      const map = JSON.parse(create.data?.[CONNECTION_STRINGS_ATTRIBUTE] ?? '{}') as Record<string, ClusterConnectionStrings>;
      ctx.check(Object.keys(map).length === LONG_NAMES.length, `map of ${Object.keys(map).length}`);
      await deleteAll(ctx);
    },
  },
  {
    name: 'cluster deleted after the Create: an in-place Update fails naming it, and its rollback answers SUCCESS with empty strings (the stack is not stuck in UPDATE_ROLLBACK_FAILED)',
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc, { ClusterNames: ['Cluster0'] }), registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.emulator.removeCluster('Cluster0', PROJECT);
      const { update, rollback } = await ctx.update(
        registrationOf(svc, { ClusterNames: ['Cluster0'], EnforceConnectionSuccess: false }),
        registration,
      );
      ctx.check(
        update.status === 'FAILED' && /no cluster named "Cluster0" \(404\).*The registration stays as it was/.test(update.reason ?? ''),
        `Update ${update.status}: ${update.reason}`,
      );
      const back = rollback?.[0];
      ctx.check(back?.status === 'SUCCESS', `rollback Update ${back?.status}: ${back?.reason}`);
      ctx.check(back?.physicalResourceId === create.physicalResourceId, `the rollback answered ${back?.physicalResourceId}`);
      ctx.check(
        back?.data?.SrvConnectionString === '' && back?.data?.ConnectionStatus === 'AVAILABLE',
        `rollback data ${JSON.stringify(back?.data)}`,
      );
      ctx.check(interfaceEndpoints(ctx, svc).includes(VPCE), 'the registration the stack holds is gone');
      await deleteAll(ctx);
    },
  },
  {
    name: 'cluster deleted after the Create: a replacing Update (another endpoint) fails before registering, and the rollback to the held registration answers SUCCESS',
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc, { ClusterNames: ['Cluster0'] }), registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.emulator.removeCluster('Cluster0', PROJECT);
      const { update, rollback } = await ctx.update(
        registrationOf(svc, { EndpointId: OTHER_VPCE, ClusterNames: ['Cluster0'] }),
        registration,
      );
      ctx.check(
        update.status === 'FAILED' && /no cluster named "Cluster0" \(404\).*Nothing was registered/.test(update.reason ?? ''),
        `Update ${update.status}: ${update.reason}`,
      );
      ctx.check(!interfaceEndpoints(ctx, svc).includes(OTHER_VPCE), 'the failed replacement registered its endpoint');
      const back = rollback?.[0];
      ctx.check(back === undefined || back.status === 'SUCCESS', `rollback ${back?.status}: ${back?.reason}`);
      ctx.check(interfaceEndpoints(ctx, svc).includes(VPCE), 'the registration the stack holds is gone');
      await deleteAll(ctx);
    },
  },
  {
    name: 'a cluster with no nodes in the service’s region (US_WEST_2; the service is in US_EAST_1): FAILED before the register, saying where its nodes are',
    emulator: clusters({ name: 'West', regions: ['US_WEST_2'] }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create, rollback } = await ctx.create(registrationOf(svc, { ClusterNames: ['West'] }), registration);
      ctx.check(
        create.status === 'FAILED' &&
          /West has its nodes in AWS US_WEST_2, none in AWS US_EAST_1.*Nothing was registered/.test(create.reason ?? ''),
        `registration ${create.status}: ${create.reason}`,
      );
      ctx.check(create.simulatedSeconds < 60, `failed after ${create.simulatedSeconds} s, not at once`);
      ctx.check(!ctx.emulator.requests.some((r) => r.operation === 'createEndpoint'), 'a register reached Atlas');
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      ctx.check((await ctx.delete(service)).status === 'SUCCESS', 'service Delete');
    },
  },
  {
    name: 'AZURE: an adopted registration Atlas holds under another case of the resource id: its entry is found, the string answered',
    provider: 'AZURE',
    emulator: clusters({ name: 'Cluster0', providerName: 'AZURE', regions: ['US_EAST_2'] }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const otherCase = AZURE_ID.replace('/resourceGroups/app-rg/', '/resourcegroups/APP-RG/');
      await ctx.outsider.createInterfaceEndpoint(PROJECT, svc, {
        cloudProvider: 'AZURE',
        id: otherCase,
        privateEndpointIPAddress: '10.0.1.4',
      });
      const props = {
        ProjectId: PROJECT,
        ProviderName: 'AZURE',
        EndpointServiceId: svc,
        EndpointId: AZURE_ID,
        PrivateEndpointIpAddress: '10.0.1.4',
        ClusterNames: ['Cluster0'],
        AdoptExisting: true,
      };
      const { create } = await ctx.create(props, registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.check(create.simulatedSeconds < 600, `answered after ${create.simulatedSeconds} s`);
      ctx.check(/^mongodb\+srv:\/\//.test(create.data?.SrvConnectionString ?? ''), `string ${create.data?.SrvConnectionString}`);
      await deleteAll(ctx);
    },
  },
  {
    name: 'a rollback whose cluster reads keep failing (503): it answers what it has, without waiting on them, and the stack is not stuck',
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc, { ClusterNames: ['Cluster0'] }), registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      // Atlas's cluster reads fail from the moment the rollback starts (the match only watches; it never fires).
      let armed = false;
      ctx.runner.stateMachine.addFault({
        step: 'act',
        when: 'before',
        match: (s) => {
          if (s.stackStatus === 'UPDATE_ROLLBACK_IN_PROGRESS' && !armed) {
            armed = true;
            ctx.emulator.faults.inject({ operation: 'getCluster', times: 10_000 }, { kind: 'status', status: 503 });
          }
          return false;
        },
      });
      // An Update that fails (a cluster name the project lacks): CloudFormation rolls it back.
      const { update, rollback } = await ctx.update(
        registrationOf(svc, { ClusterNames: ['Cluster0', 'Nope'], ServiceTimeout: 600 }),
        registration,
      );
      ctx.check(update.status === 'FAILED', `Update ${update.status}: ${update.reason}`);
      const back = rollback?.[0];
      ctx.check(armed, 'the rollback never started');
      ctx.check(
        back?.status === 'SUCCESS' && back.simulatedSeconds < 120,
        `rollback Update ${back?.status} after ${back?.simulatedSeconds} s: ${back?.reason}`,
      );
      ctx.emulator.faults.clear();
      await deleteAll(ctx);
    },
  },
  {
    name: 'two clusters, one deleted after the Create: the rollback still answers the live one’s string',
    emulator: clusters({ name: 'orders' }, { name: 'events' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const { create } = await ctx.create(registrationOf(svc, { ClusterNames: ['orders', 'events'] }), registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.emulator.removeCluster('events', PROJECT);
      const { update, rollback } = await ctx.update(
        registrationOf(svc, { ClusterNames: ['orders', 'events'], EnforceConnectionSuccess: false }),
        registration,
      );
      ctx.check(update.status === 'FAILED', `Update ${update.status}`);
      const back = rollback?.[0];
      const map = JSON.parse(back?.data?.[CONNECTION_STRINGS_ATTRIBUTE] ?? '{}') as Record<string, ClusterConnectionStrings>;
      ctx.check(
        back?.status === 'SUCCESS' && map.orders?.srvConnectionString === publishedThrough(ctx, 'orders')?.srvConnectionString,
        `rollback ${back?.status}: orders answered ${JSON.stringify(map.orders)}`,
      );
      ctx.check(map.events?.srvConnectionString === '', `events answered ${JSON.stringify(map.events)}`);
      await deleteAll(ctx);
    },
  },
  ...[true, false].map((withClusters): MatrixRow => ({
    name: `someone else's registration, a look that failed, then a 429 on ${withClusters ? 'a cluster read' : 'the look itself'}: refused as someone else's, never taken as the stack's`,
    emulator: clusters({ name: 'Cluster0' }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      await ctx.outsider.createInterfaceEndpoint(PROJECT, svc, { cloudProvider: 'AWS', id: VPCE });
      ctx.foreign(`${svc}/${VPCE}`);
      // The look step fails once (its Lambda crashed); the look after it meets a 429.
      ctx.runner.stateMachine.addFault({
        step: 'act',
        when: 'before',
        match: (s) => s.task.kind === 'register' && s.task.checked !== true,
        onFire: () =>
          ctx.emulator.faults.inject(
            { operation: withClusters ? 'getCluster' : 'getEndpoint', times: 1 },
            { kind: 'status', status: 429, retryAfterSeconds: 5 },
          ),
      });
      const { create } = await ctx.create(registrationOf(svc, withClusters ? { ClusterNames: ['Cluster0'] } : {}), registration);
      ctx.check(
        create.status === 'FAILED' && /is already registered with private endpoint service/.test(create.reason ?? ''),
        `registration ${create.status} ${create.physicalResourceId}: ${create.reason}`,
      );
      ctx.check(interfaceEndpoints(ctx, svc).includes(VPCE), "someone else's registration is gone");
    },
  })),
  {
    name: 'AZURE: connection wait: the string through the private endpoint (named by its resource id) is answered',
    provider: 'AZURE',
    emulator: clusters({ name: 'Cluster0', providerName: 'AZURE', regions: ['US_EAST_2'] }),
    async run(ctx) {
      const svc = await serviceOf(ctx);
      const props = {
        ProjectId: PROJECT,
        ProviderName: 'AZURE',
        EndpointServiceId: svc,
        EndpointId: AZURE_ID,
        PrivateEndpointIpAddress: '10.0.1.4',
        ClusterNames: ['Cluster0'],
      };
      const { create } = await ctx.create(props, registration);
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.check(create.data?.SrvConnectionString === publishedThrough(ctx, 'Cluster0', AZURE_ID)?.srvConnectionString, 'string');
      await deleteAll(ctx);
    },
  },
];

export const connectionRows: MatrixRow[] = rows.map((row) => ({
  provider: 'AWS' as const,
  ...row,
  name: row.name.startsWith('AZURE') ? row.name : `AWS: ${row.name}`,
}));
