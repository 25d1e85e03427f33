/**
 * What a cluster looks like at a given instant, above all its `connectionStrings.privateEndpoint[]`. As for
 * services and endpoints (`lifecycle.ts`), records hold only moments and durations: which private-endpoint
 * strings a cluster shows is derived on read from when each interface endpoint became AVAILABLE, the publish
 * delay, and when the cluster was IDLE, so virtual time can jump and nothing runs on a timer.
 */
import { createHash } from 'node:crypto';
import type { ClusterPrivateEndpointStrings, ClusterState } from '../../lambda/atlas/models';
import type { CloudProvider } from '../../lambda/model/provider';
import type { Region } from '../../lambda/model/regions';
import type { EmulatorTimings, ResolvedCluster } from './config';
import { type ServiceRecord, endpointPublishableSince } from './lifecycle';

/** Most entries Atlas's list is taken to hold here: one per combination of one endpoint per region. */
export const MAX_PRIVATE_ENDPOINT_ENTRIES = 50;

export interface ClusterRecord {
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  readonly provider: CloudProvider;
  readonly regions: readonly Region[];
  readonly type: ResolvedCluster['type'];
  readonly createdAt: number;
  /** Every state the cluster was put in and when, oldest first; the first is its state from `createdAt`. */
  readonly states: { at: number; stateName: ClusterState }[];
}

/** The cluster as GET (`ClusterDescription20240805`) shows it; keys in Atlas's (alphabetical) order. */
export interface ClusterView {
  clusterType: ResolvedCluster['type'];
  connectionStrings: { privateEndpoint?: ClusterPrivateEndpointStrings[]; standard: string; standardSrv: string };
  createDate: string;
  groupId: string;
  id: string;
  mongoDBMajorVersion: string;
  name: string;
  paused: false;
  replicationSpecs: ReplicationSpecView[];
  stateName: ClusterState;
}

/** Where a cluster's electable nodes are: one region config per region, highest priority first. */
export interface ReplicationSpecView {
  regionConfigs: {
    electableSpecs: { ebsVolumeType?: 'STANDARD'; instanceSize: 'M10'; nodeCount: number };
    priority: number;
    providerName: CloudProvider;
    regionName: string;
  }[];
  zoneName: 'Zone 1';
}

export function clusterStateAt(c: ClusterRecord, now: number): ClusterState {
  let state = c.states[0].stateName;
  for (const s of c.states) if (s.at <= now) state = s.stateName;
  return state;
}

/** The first moment at or after `from` at which the cluster is IDLE, or null when it has not been since. */
function idleFrom(c: ClusterRecord, from: number, now: number): number | null {
  if (clusterStateAt(c, from) === 'IDLE') return from;
  const next = c.states.find((s) => s.at > from && s.at <= now && s.stateName === 'IDLE');
  return next ? next.at : null;
}

interface Published {
  endpointId: string;
  region: Region;
  at: number;
}

/**
 * The endpoints whose strings the cluster shows at `now`: of the cluster's provider, in one of its regions,
 * AVAILABLE and not being deleted (nor their service), `connectionStringPublish` after they became AVAILABLE
 * and the cluster IDLE at that moment or since.
 */
function publishedEndpoints(c: ClusterRecord, services: readonly ServiceRecord[], timings: EmulatorTimings, now: number): Published[] {
  const delayMs = timings[c.provider].connectionStringPublish * 1000;
  const out: Published[] = [];
  for (const s of services) {
    if (s.projectId !== c.projectId || s.provider !== c.provider || !c.regions.includes(s.region)) continue;
    for (const e of s.endpoints) {
      const since = endpointPublishableSince(s, e, now);
      if (since === null || since + delayMs > now) continue;
      const at = idleFrom(c, since + delayMs, now);
      if (at !== null) out.push({ endpointId: e.key, region: s.region, at });
    }
  }
  return out.sort((a, b) => a.at - b.at || (a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0));
}

/** One endpoint per region, every combination, in publishing order, at most MAX_PRIVATE_ENDPOINT_ENTRIES. */
function combinations(c: ClusterRecord, published: Published[]): Published[][] {
  let out: Published[][] = [[]];
  for (const region of c.regions) {
    const here = published.filter((p) => p.region === region);
    out = out.flatMap((combo) => here.map((p) => [...combo, p])).slice(0, MAX_PRIVATE_ENDPOINT_ENTRIES);
    if (out.length === 0) return [];
  }
  return out;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** Atlas's per-cluster DNS label: 5 lowercase letters and digits, stable for the cluster. */
function clusterLabel(c: ClusterRecord): string {
  const hex = digest(c.projectId, c.name);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 5 }, (_, i) => alphabet[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % alphabet.length]).join('');
}

/**
 * The `pl-<n>` number of each combination: stable for the cluster and its endpoints (a hash), so a string does not
 * change when another endpoint comes or goes; the next free number on a clash within the cluster.
 */
function linkNumbers(c: ClusterRecord, combos: Published[][]): number[] {
  const used = new Set<number>();
  return combos.map((combo) => {
    let n = parseInt(digest(c.id, ...combo.map((p) => p.endpointId)).slice(0, 6), 16) % 100;
    while (used.has(n)) n = (n + 1) % 100;
    used.add(n);
    return n;
  });
}

function entry(c: ClusterRecord, combo: Published[], n: number): ClusterPrivateEndpointStrings {
  const label = clusterLabel(c);
  const name = c.name.toLowerCase();
  const domain = `${label}.mongodb.net`;
  const endpoints = combo.map((p) => ({ endpointId: p.endpointId, providerName: c.provider, region: p.region.atlasName }));
  if (c.type === 'SHARDED') {
    // One mongos host per region, behind the private endpoint's ports.
    const hosts = combo.map((p, i) => `pl-${n}-${p.region.cloudName}-lb.${domain}:${1024 + i}`);
    return {
      connectionString: `mongodb://${hosts.join(',')}/?ssl=true&authSource=admin`,
      endpoints,
      srvConnectionString: `mongodb+srv://${name}-pl-${n}.${domain}`,
      srvShardOptimizedConnectionString: `mongodb+srv://${name}-pl-${n}-lb.${domain}`,
      type: 'MONGOS',
    };
  }
  // Three replica set members, spread over the regions, each behind its own port of the endpoint.
  const hosts = [0, 1, 2].map((i) => {
    const p = combo[i % combo.length];
    return `pl-${n}-${p.region.cloudName}-shard-00-0${i}.${domain}:${1024 + i}`;
  });
  return {
    connectionString: `mongodb://${hosts.join(',')}/?ssl=true&authSource=admin&replicaSet=atlas-${digest(c.id).slice(0, 6)}-shard-0`,
    endpoints,
    srvConnectionString: `mongodb+srv://${name}-pl-${n}.${domain}`,
    type: 'MONGOD',
  };
}

export function privateEndpointStrings(
  c: ClusterRecord,
  services: readonly ServiceRecord[],
  timings: EmulatorTimings,
  now: number,
): ClusterPrivateEndpointStrings[] {
  const combos = combinations(c, publishedEndpoints(c, services, timings, now));
  const numbers = linkNumbers(c, combos);
  return combos.map((combo, i) => entry(c, combo, numbers[i]));
}

/**
 * One spec per shard (a replica set is one), each with every region of the cluster: priorities 7, 6, … in the
 * order the regions were configured, three M10 nodes in the first region and two in each other (an odd total,
 * as elections need). AWS shows its volume type, as Atlas does for AWS hardware.
 */
function replicationSpecs(c: ClusterRecord): ReplicationSpecView[] {
  const spec = (): ReplicationSpecView => ({
    regionConfigs: c.regions.map((r, i) => ({
      electableSpecs: {
        ...(c.provider === 'AWS' ? { ebsVolumeType: 'STANDARD' as const } : {}),
        instanceSize: 'M10',
        nodeCount: i === 0 ? 3 : 2,
      },
      priority: 7 - i,
      providerName: c.provider,
      regionName: r.atlasName,
    })),
    zoneName: 'Zone 1',
  });
  return c.type === 'SHARDED' ? [spec(), spec()] : [spec()];
}

export function clusterView(c: ClusterRecord, services: readonly ServiceRecord[], timings: EmulatorTimings, now: number): ClusterView {
  const label = clusterLabel(c);
  const name = c.name.toLowerCase();
  const privateEndpoint = privateEndpointStrings(c, services, timings, now);
  const standard =
    c.type === 'SHARDED'
      ? `mongodb://${name}-mongos-00-00.${label}.mongodb.net:27016,${name}-mongos-00-01.${label}.mongodb.net:27016/?ssl=true&authSource=admin`
      : `mongodb://${[0, 1, 2].map((i) => `${name}-shard-00-0${i}.${label}.mongodb.net:27017`).join(',')}/?ssl=true&authSource=admin&replicaSet=atlas-${digest(c.id).slice(0, 6)}-shard-0`;
  return {
    clusterType: c.type,
    connectionStrings: {
      ...(privateEndpoint.length > 0 ? { privateEndpoint } : {}),
      standard,
      standardSrv: `mongodb+srv://${name}.${label}.mongodb.net`,
    },
    createDate: new Date(c.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    groupId: c.projectId,
    id: c.id,
    mongoDBMajorVersion: '8.0',
    name: c.name,
    paused: false,
    replicationSpecs: replicationSpecs(c),
    stateName: clusterStateAt(c, now),
  };
}
