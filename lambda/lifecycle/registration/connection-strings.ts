/**
 * The connection wait of a registration given `ClusterNames`: once Atlas has accepted the registration, each
 * named cluster must publish a private-endpoint connection string that goes through this endpoint before the
 * request answers. Plain functions of what Atlas showed.
 */
import type { Cluster, ClusterState } from '../../atlas/models';
import { type ClusterConnectionStrings, CONNECTION_STRINGS_ATTRIBUTE, SINGLE_CLUSTER_ATTRIBUTES } from '../../model/connection-strings';
import { answerBytes, MAX_ANSWER_BYTES } from '../../cloudformation/answer';
import type { CloudFormationRequest } from '../../cloudformation/request';
import { OUTCOME } from '../../model/wait-loop';
import { classify, type StatusTable } from '../core/status-table';
import { type AnswerIds, type Clocked, failedVerdict, type Verdict } from '../core/verdict';
import { waitOrDeadline } from '../core/wait';
import type { EndpointRef } from './physical-id';
import type { Connection } from './status';

type Envelope = Pick<CloudFormationRequest, 'StackId' | 'RequestId' | 'LogicalResourceId'>;

/**
 * What a cluster's `stateName` means to the wait. A cluster still changing is waited for (it may publish its
 * strings once done); one being deleted never will. An unknown word is waited on, as a status Atlas added.
 */
export const CLUSTER_STATUS: StatusTable<ClusterState> = {
  pending: ['CREATING', 'UPDATING', 'REPAIRING'],
  ready: ['IDLE'],
  failed: [],
  deleting: ['DELETING'],
};

/**
 * One look at one named cluster: what Atlas answered, that it has no cluster of that name (404), or, only while
 * the stack rolls back (when nothing waits or fails on a cluster), why it could not be read.
 */
export type ClusterLook =
  | { readonly name: string; readonly cluster: Cluster }
  | { readonly name: string; readonly missing: true }
  | { readonly name: string; readonly unread: string };

/** `strings`: what the clusters publish through this endpoint so far (all of them once `ready`). */
export type ClusterJudgement = { readonly strings: ReadonlyMap<string, ClusterConnectionStrings> } &
  /** Every cluster publishes a string through this endpoint: the attributes to answer. */
  (
    | { readonly state: 'ready' }
    /** No use waiting: a cluster is missing or being deleted. `reason` says which and what to do. */
    | { readonly state: 'failed'; readonly reason: string }
    /** Not yet: `status` says what each cluster still lacks (the progress line, and the deadline's reason). */
    | { readonly state: 'pending'; readonly status: string }
  );

/**
 * Whether an entry's endpoint id names this endpoint. An Azure resource id is case-insensitive, and Atlas may
 * hold it in another case than the template (the registration is found either way, so the entry must be too).
 */
function namesEndpoint(entryEndpointId: string | undefined, ref: Pick<EndpointRef, 'provider' | 'endpointId'>): boolean {
  if (typeof entryEndpointId !== 'string') return false;
  return ref.provider === 'AZURE' ? entryEndpointId.toLowerCase() === ref.endpointId.toLowerCase() : entryEndpointId === ref.endpointId;
}

/**
 * The strings of the first `connectionStrings.privateEndpoint[]` entry that goes through this endpoint; none
 * when no entry does. An entry names its endpoints by the id the cloud provider gives them (AWS `vpce-…`).
 */
export function stringsThrough(cluster: Cluster, ref: Pick<EndpointRef, 'provider' | 'endpointId'>): ClusterConnectionStrings | undefined {
  for (const entry of cluster.connectionStrings?.privateEndpoint ?? []) {
    if (!entry?.endpoints?.some((e) => namesEndpoint(e?.endpointId, ref))) continue;
    const connectionString = entry.connectionString ?? '';
    const srvConnectionString = entry.srvConnectionString ?? '';
    if (connectionString === '' && srvConnectionString === '') continue;
    return {
      connectionString,
      srvConnectionString,
      ...(entry.srvShardOptimizedConnectionString ? { srvShardOptimizedConnectionString: entry.srvShardOptimizedConnectionString } : {}),
    };
  }
  return undefined;
}

/** Judges one look at every named cluster, in the order they were named. */
export function judgeClusters(looks: readonly ClusterLook[], ref: EndpointRef): ClusterJudgement {
  // What every readable cluster publishes, whatever the others do: a rollback answers it.
  const strings = new Map<string, ClusterConnectionStrings>();
  const missing: string[] = [];
  const unread: string[] = [];
  const waiting: string[] = [];
  const deleting: string[] = [];
  for (const look of looks) {
    if ('missing' in look) {
      missing.push(look.name);
      continue;
    }
    if ('unread' in look) {
      unread.push(`${look.name} (unread: ${look.unread})`);
      continue;
    }
    const found = stringsThrough(look.cluster, ref);
    if (found) {
      strings.set(look.name, found);
      continue;
    }
    const state = look.cluster.stateName ?? 'unknown';
    if (classify(CLUSTER_STATUS, state) === 'deleting') deleting.push(look.name);
    else waiting.push(`${look.name} ${state}${look.cluster.paused ? ' (paused)' : ''}`);
  }
  if (missing.length > 0) {
    return {
      state: 'failed',
      strings,
      reason:
        `Atlas project ${ref.projectId} has no cluster named ${missing.map((n) => `"${n}"`).join(', ')} (404): ` +
        'check ClusterNames (cluster names are case-sensitive) and that the credentials can read the project.',
    };
  }
  if (deleting.length > 0) {
    return {
      state: 'failed',
      strings,
      reason: `Cluster ${deleting.join(', ')} of Atlas project ${ref.projectId} is being deleted: it will publish no private connection string. Remove it from ClusterNames.`,
    };
  }
  if (waiting.length > 0 || unread.length > 0) {
    // Short: the state carries it (MAX_LAST_STATUS_CHARS), and the deadline's reason names the endpoint already.
    return {
      state: 'pending',
      strings,
      status: `no private connection string through this endpoint yet from ${[...waiting, ...unread].join(', ')}`,
    };
  }
  return { state: 'ready', strings };
}

const NONE_PUBLISHED: ClusterConnectionStrings = { connectionString: '', srvConnectionString: '' };

/**
 * The attributes for the strings of the named clusters: one cluster's as plain attributes (the shard-optimized
 * one empty when Atlas gives none), several as one JSON map by cluster name. A cluster without a string yet
 * (only in a rollback) gets empty strings: every key is there for `Fn::GetAtt`.
 */
export function connectionAttributes(
  clusterNames: readonly string[],
  strings: ReadonlyMap<string, ClusterConnectionStrings>,
): Record<string, string> {
  if (clusterNames.length === 1) {
    const only = strings.get(clusterNames[0]) ?? NONE_PUBLISHED;
    return {
      [SINGLE_CLUSTER_ATTRIBUTES.connectionString]: only.connectionString,
      [SINGLE_CLUSTER_ATTRIBUTES.srvConnectionString]: only.srvConnectionString,
      [SINGLE_CLUSTER_ATTRIBUTES.srvShardOptimizedConnectionString]: only.srvShardOptimizedConnectionString ?? '',
    };
  }
  return {
    [CONNECTION_STRINGS_ATTRIBUTE]: JSON.stringify(Object.fromEntries(clusterNames.map((n) => [n, strings.get(n) ?? NONE_PUBLISHED]))),
  };
}

/**
 * Why a cluster can never publish a string through an endpoint of this service: none of its nodes is in the
 * service's cloud provider and region (`replicationSpecs[].regionConfigs[]`), or it is a shared-tier cluster,
 * which has no private endpoints. Undefined when it can, or when Atlas does not say where its nodes are.
 */
export function placementProblem(look: ClusterLook, ref: EndpointRef, regionName: string): string | undefined {
  if (!('cluster' in look)) return undefined;
  // Atlas may leave a region config's regionName out (the 2026-08 contract: "only returned ... for single-region
  // clusters"): only what it says is judged.
  const configs = (look.cluster.replicationSpecs ?? [])
    .flatMap((spec) => spec?.regionConfigs ?? [])
    .filter((c) => typeof c?.providerName === 'string' && (c.providerName === 'TENANT' || typeof c.regionName === 'string'));
  if (configs.length === 0) return undefined;
  if (configs.some((c) => c?.providerName === ref.provider && c?.regionName === regionName)) return undefined;
  if (configs.some((c) => c?.providerName === 'TENANT')) {
    return `Cluster ${look.name} is a shared-tier cluster, which Atlas gives no private endpoint connection string: remove it from ClusterNames.`;
  }
  const where = [...new Set(configs.map((c) => `${c?.providerName} ${c?.regionName}`))].join(', ');
  return (
    `Cluster ${look.name} has its nodes in ${where}, none in ${ref.provider} ${regionName}, the region of private endpoint service ${ref.serviceId}: ` +
    "Atlas publishes it no connection string through this endpoint. Register an endpoint with a service in the cluster's region, or remove the cluster from ClusterNames."
  );
}

/**
 * Before a register (or an Update that keeps the registration): a cluster that cannot publish a string through
 * this endpoint would fail the request at the deadline, so say why at once. Undefined when every one can.
 */
export function clustersProblem(
  looks: readonly ClusterLook[],
  ref: EndpointRef,
  serviceRegionName: string | undefined,
): string | undefined {
  const judgement = judgeClusters(looks, ref);
  if (judgement.state === 'failed') return judgement.reason;
  if (serviceRegionName === undefined) return undefined;
  return looks.map((l) => placementProblem(l, ref, serviceRegionName)).find((p) => p !== undefined);
}

/** What the deadline's reason says the request was doing. */
export function connectionWaitActivity(clusterNames: readonly string[], ref: EndpointRef): string {
  return (
    `${connectionWaitDescription(ref)} (cluster ${clusterNames.join(', ')}; ` +
    'a cluster in several regions publishes one only once each of its regions has an endpoint registered, and Atlas may take minutes after the registration is AVAILABLE)'
  );
}

/** What the request is doing while it waits for the clusters, as its task describes it too. */
export function connectionWaitDescription(ref: Pick<EndpointRef, 'endpointId'>): string {
  return `waiting for the clusters' private connection strings through interface endpoint ${ref.endpointId}`;
}

/**
 * The request's verdict once the registration itself is settled (`registration`): unchanged without cluster
 * names; with them, held until every named cluster publishes its string, which joins the attributes. The
 * whole answer must fit CloudFormation's 4096 bytes uncut: a string cut short would be worse than a failure.
 */
export function withConnectionStrings(
  registration: Verdict,
  connection: Connection,
  clusters: { readonly names: readonly string[]; readonly judgement?: ClusterJudgement },
  context: {
    readonly ref: EndpointRef;
    readonly ids: AnswerIds;
    readonly clock: Clocked;
    readonly request: Envelope;
    /**
     * CloudFormation rolls the stack back (`UPDATE_ROLLBACK_IN_PROGRESS`): the request puts back what the stack
     * held, and a failure would leave the stack in UPDATE_ROLLBACK_FAILED. It answers what the clusters publish
     * now, empty strings where they publish none (a cluster deleted since), and never waits or fails on them.
     */
    readonly rollingBack?: boolean;
  },
): Verdict {
  if (clusters.names.length === 0 || registration.outcome !== OUTCOME.ready) return registration;
  const { ref, ids, clock, request } = context;
  const data = registration.answer.data;
  const answered = (strings: ReadonlyMap<string, ClusterConnectionStrings>): Verdict => {
    const answer = { ...registration.answer, data: { ...data, ...connectionAttributes(clusters.names, strings) } };
    const bytes = answerBytes(request, answer);
    if (bytes <= MAX_ANSWER_BYTES) return { ...registration, answer };
    // A rollback must not fail: every key, empty, rather than a string cut short.
    if (context.rollingBack)
      return { ...registration, answer: { ...registration.answer, data: { ...data, ...connectionAttributes(clusters.names, new Map()) } } };
    return failedVerdict(
      ids.failed,
      `The connection strings of cluster ${clusters.names.join(', ')} make the answer ${bytes} bytes, and CloudFormation takes at most ${MAX_ANSWER_BYTES}: name fewer clusters in ClusterNames (the others' strings stay readable in Atlas, under each cluster's private endpoint connection strings).`,
      data,
    );
  };
  if (context.rollingBack) return answered(clusters.judgement?.strings ?? new Map());
  if (connection.state !== 'ready') {
    return failedVerdict(
      ids.failed,
      `The connection of interface endpoint ${ref.endpointId} is ${connection.status}, and ClusterNames asks for the connection strings through it, which Atlas publishes only for an AVAILABLE one. ${connection.errorMessage}`.trim(),
      data,
    );
  }
  const judgement = clusters.judgement;
  if (!judgement) throw new Error('the clusters were not looked at');
  switch (judgement.state) {
    case 'failed':
      return failedVerdict(ids.failed, `${judgement.reason} The registration itself is ${connection.status}.`, data);
    case 'pending':
      return waitOrDeadline(clock, judgement.status, ids.failed, connectionWaitActivity(clusters.names, ref));
    case 'ready':
      return answered(judgement.strings);
  }
}
