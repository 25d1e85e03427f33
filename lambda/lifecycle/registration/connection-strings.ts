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

/** One look at one named cluster: what Atlas answered, or that it has no cluster of that name (404). */
export type ClusterLook = { readonly name: string; readonly cluster: Cluster } | { readonly name: string; readonly missing: true };

export type ClusterJudgement =
  /** Every cluster publishes a string through this endpoint: the attributes to answer. */
  | { readonly state: 'ready'; readonly strings: ReadonlyMap<string, ClusterConnectionStrings> }
  /** No use waiting: a cluster is missing or being deleted. `reason` says which and what to do. */
  | { readonly state: 'failed'; readonly reason: string }
  /** Not yet: `status` says what each cluster still lacks (the progress line, and the deadline's reason). */
  | { readonly state: 'pending'; readonly status: string };

/**
 * The strings of the first `connectionStrings.privateEndpoint[]` entry that goes through `endpointId`; none
 * when no entry does. An entry names its endpoints by the id the cloud provider gives them (AWS `vpce-…`).
 */
export function stringsThrough(cluster: Cluster, endpointId: string): ClusterConnectionStrings | undefined {
  for (const entry of cluster.connectionStrings?.privateEndpoint ?? []) {
    if (!entry?.endpoints?.some((e) => e?.endpointId === endpointId)) continue;
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
  const missing = looks.filter((l) => 'missing' in l).map((l) => l.name);
  if (missing.length > 0) {
    return {
      state: 'failed',
      reason:
        `Atlas project ${ref.projectId} has no cluster named ${missing.map((n) => `"${n}"`).join(', ')} (404): ` +
        'check ClusterNames (cluster names are case-sensitive) and that the credentials can read the project.',
    };
  }
  const strings = new Map<string, ClusterConnectionStrings>();
  const waiting: string[] = [];
  const deleting: string[] = [];
  for (const look of looks) {
    if ('missing' in look) continue;
    const found = stringsThrough(look.cluster, ref.endpointId);
    if (found) {
      strings.set(look.name, found);
      continue;
    }
    const state = look.cluster.stateName ?? 'unknown';
    if (classify(CLUSTER_STATUS, state) === 'deleting') deleting.push(look.name);
    else waiting.push(`${look.name} ${state}${look.cluster.paused ? ' (paused)' : ''}`);
  }
  if (deleting.length > 0) {
    return {
      state: 'failed',
      reason: `Cluster ${deleting.join(', ')} of Atlas project ${ref.projectId} is being deleted: it will publish no private connection string. Remove it from ClusterNames.`,
    };
  }
  if (waiting.length > 0) {
    // Short: the state carries it (MAX_LAST_STATUS_CHARS), and the deadline's reason names the endpoint already.
    return { state: 'pending', status: `no private connection string through this endpoint yet from ${waiting.join(', ')}` };
  }
  return { state: 'ready', strings };
}

/**
 * The attributes for the strings of the named clusters: one cluster's as plain attributes (the shard-optimized
 * one empty when Atlas gives none), several as one JSON map by cluster name.
 */
export function connectionAttributes(
  clusterNames: readonly string[],
  strings: ReadonlyMap<string, ClusterConnectionStrings>,
): Record<string, string> {
  if (clusterNames.length === 1) {
    const only = strings.get(clusterNames[0])!;
    return {
      [SINGLE_CLUSTER_ATTRIBUTES.connectionString]: only.connectionString,
      [SINGLE_CLUSTER_ATTRIBUTES.srvConnectionString]: only.srvConnectionString,
      [SINGLE_CLUSTER_ATTRIBUTES.srvShardOptimizedConnectionString]: only.srvShardOptimizedConnectionString ?? '',
    };
  }
  return { [CONNECTION_STRINGS_ATTRIBUTE]: JSON.stringify(Object.fromEntries(clusterNames.map((n) => [n, strings.get(n)!]))) };
}

/** What the deadline's reason says the request was doing. */
export function connectionWaitActivity(clusterNames: readonly string[], ref: EndpointRef): string {
  return (
    `waiting for cluster ${clusterNames.join(', ')} to publish a private connection string through ${ref.endpointId} ` +
    '(a cluster in several regions publishes one only once each of its regions has an endpoint registered, and Atlas may take minutes after the registration is AVAILABLE)'
  );
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
  context: { readonly ref: EndpointRef; readonly ids: AnswerIds; readonly clock: Clocked; readonly request: Envelope },
): Verdict {
  if (clusters.names.length === 0 || registration.outcome !== OUTCOME.ready) return registration;
  const { ref, ids, clock, request } = context;
  const data = registration.answer.data;
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
    case 'ready': {
      const answer = { ...registration.answer, data: { ...data, ...connectionAttributes(clusters.names, judgement.strings) } };
      const bytes = answerBytes(request, answer);
      if (bytes <= MAX_ANSWER_BYTES) return { ...registration, answer };
      return failedVerdict(
        ids.failed,
        `The connection strings of cluster ${clusters.names.join(', ')} make the answer ${bytes} bytes, and CloudFormation takes at most ${MAX_ANSWER_BYTES}: name fewer clusters in ClusterNames (the others' strings stay readable in Atlas, under each cluster's private endpoint connection strings).`,
        data,
      );
    }
  }
}
