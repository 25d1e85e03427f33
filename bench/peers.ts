/**
 * The peers, modelled from their documented polling schedules (not their code) and replayed against the
 * same emulator, on the same virtual clock, as this project's real wait loop:
 *
 * - AWS CDK provider framework (aws-cdk-lib/custom-resources, `Provider` with `isCompleteHandler`): the
 *   framework's onEvent function invokes the user's onEvent (the create call), then starts its waiter state
 *   machine, whose one Task invokes the framework's isComplete function, which invokes the user's
 *   isComplete (one GET). "Not complete" fails the Task, whose Retry waits `queryInterval` (default 5 s,
 *   backoff rate 1) and runs it again: two Lambda invocations and one state transition per poll, the first
 *   poll as soon as the execution starts.
 * - MongoDB's CloudFormation registry handler (mongodb/mongodbatlas-cloudformation-resources): the handler
 *   makes the call and returns IN_PROGRESS with `CallbackDelaySeconds: 20`; CloudFormation invokes it again
 *   20 s later, and so on until it reports SUCCESS: one handler invocation and one GET per callback.
 * - Terraform's `mongodbatlas_privatelink_endpoint`: the call, then a refresh every 5 s after a 5 s delay,
 *   run by Terraform on the operator's machine; any error aborts the apply.
 */
import { AtlasApiError } from '../lambda/atlas/errors';
import type { AtlasClient } from '../lambda/atlas/client';
import type { EndpointService } from '../lambda/atlas/models';
import { isReady } from '../lambda/lifecycle/service/decisions';
import type { CloudProvider } from '../lambda/model/provider';
import {
  BILLED_MS_PER_ATLAS_CALL,
  BILLED_MS_PER_INVOCATION,
  CDK_FRAMEWORK_LAMBDA,
  cloudFormationHandlerCost,
  lambdaCost,
  stepFunctionsCost,
} from './prices';
import type { VirtualTime } from './virtual-time';

export type PeerId = 'cdk-provider-framework' | 'mongodb-cfn-registry' | 'terraform';

export interface PeerModel {
  id: PeerId;
  name: string;
  schedule: string;
  /** Seconds from the create/delete call to the first poll. */
  firstPollSeconds: number;
  intervalSeconds: number;
  /** Lambda (or registry handler) invocations for the call, and per poll. */
  invocationsForCall: number;
  invocationsPerPoll: number;
  /** State transitions per poll (Step Functions). */
  transitionsPerPoll: number;
  /** Any Atlas error ends the operation as failed (rather than being retried). */
  errorsAbort: boolean;
  cost(o: { invocations: number; billedMs: number; transitions: number; seconds: number }): number;
}

export const PEERS: readonly PeerModel[] = [
  {
    id: 'cdk-provider-framework',
    name: 'CDK provider framework',
    schedule: 'poll every 5 s, fixed; 2 Lambda invocations per poll',
    firstPollSeconds: 0,
    intervalSeconds: 5,
    invocationsForCall: 2,
    invocationsPerPoll: 2,
    transitionsPerPoll: 1,
    errorsAbort: false,
    cost: (o) => lambdaCost(o.invocations, o.billedMs, CDK_FRAMEWORK_LAMBDA) + stepFunctionsCost(o.transitions),
  },
  {
    id: 'mongodb-cfn-registry',
    name: 'MongoDB CFN registry handler',
    schedule: 'callback every 20 s',
    firstPollSeconds: 20,
    intervalSeconds: 20,
    invocationsForCall: 1,
    invocationsPerPoll: 1,
    transitionsPerPoll: 0,
    errorsAbort: false,
    // Handler runs are billed by CloudFormation (per operation and its duration), not as the user's Lambda.
    cost: (o) => cloudFormationHandlerCost(o.seconds),
  },
  {
    id: 'terraform',
    name: 'Terraform',
    schedule: 'poll every 5 s after a 5 s delay; any error aborts',
    firstPollSeconds: 5,
    intervalSeconds: 5,
    invocationsForCall: 0,
    invocationsPerPoll: 0,
    transitionsPerPoll: 0,
    errorsAbort: true,
    cost: () => 0,
  },
];

export interface PeerTarget {
  projectId: string;
  provider: CloudProvider;
  /** Atlas spelling. */
  region: string;
}

export interface PeerOutcome {
  ok: boolean;
  failure?: string;
  /** Service id (create). */
  serviceId?: string;
  sentAt: number;
  answeredAt?: number;
  polls: number;
  lambdaInvocations: number;
  lambdaBilledMs: number;
  stateTransitions: number;
  cost: number;
}

/** Creates (then waits until ready) or deletes (then waits for 404) one service the way `peer` does. */
export async function runPeer(
  peer: PeerModel,
  time: VirtualTime,
  client: AtlasClient,
  op: { kind: 'create'; target: PeerTarget } | { kind: 'delete'; target: PeerTarget; serviceId: string },
): Promise<PeerOutcome> {
  return time.actor(async () => {
    const t = op.target;
    const out: PeerOutcome = {
      ok: false,
      sentAt: time.now(),
      polls: 0,
      lambdaInvocations: peer.invocationsForCall,
      lambdaBilledMs: 0,
      stateTransitions: 0,
      cost: 0,
    };
    // The call's invocations: the innermost makes the Atlas call, each wrapper waits on the one inside.
    out.lambdaBilledMs += billedNested(peer.invocationsForCall);
    let serviceId = op.kind === 'delete' ? op.serviceId : undefined;
    let retryAfter = 0;
    try {
      if (op.kind === 'create') {
        const s = await client.createEndpointService(t.projectId, { providerName: t.provider, region: t.region });
        serviceId = s.id;
      } else {
        await client.deleteEndpointService(t.projectId, t.provider, op.serviceId);
      }
    } catch (err) {
      if (peer.errorsAbort || !(err instanceof AtlasApiError && err.retryable))
        return finish(peer, out, time, `call failed: ${(err as Error).message}`);
      retryAfter = err.retryAfterSeconds ?? peer.intervalSeconds;
    }
    out.serviceId = serviceId;
    await time.sleep(Math.max(peer.firstPollSeconds, retryAfter));
    for (;;) {
      out.polls++;
      out.lambdaInvocations += peer.invocationsPerPoll;
      out.lambdaBilledMs += billedNested(peer.invocationsPerPoll);
      out.stateTransitions += peer.transitionsPerPoll;
      let service: EndpointService | undefined;
      let wait = peer.intervalSeconds;
      try {
        if (!serviceId) {
          // The call was refused before it was carried out: a peer that retries makes it again.
          const s = await client.createEndpointService(t.projectId, { providerName: t.provider, region: t.region });
          serviceId = out.serviceId = s.id;
        } else service = await client.getEndpointService(t.projectId, t.provider, serviceId);
      } catch (err) {
        const gone = err instanceof AtlasApiError && err.isNotFound;
        if (gone && op.kind === 'delete') {
          out.ok = true;
          return finish(peer, out, time);
        }
        if (gone || peer.errorsAbort || !(err instanceof AtlasApiError && err.retryable))
          return finish(peer, out, time, `poll failed: ${(err as Error).message}`);
        wait = Math.max(wait, err.retryAfterSeconds ?? 0);
      }
      if (service && op.kind === 'create') {
        if (service.status === 'FAILED') return finish(peer, out, time, 'service FAILED');
        if (isReady(service)) {
          out.ok = true;
          return finish(peer, out, time);
        }
      }
      await time.sleep(wait);
    }
  });
}

function billedNested(invocations: number): number {
  // n nested invocations: the innermost runs BILLED_MS_PER_INVOCATION + one call, each outer one that plus its own.
  let ms = 0;
  for (let i = 1; i <= invocations; i++) ms += i * BILLED_MS_PER_INVOCATION + BILLED_MS_PER_ATLAS_CALL;
  return ms;
}

function finish(peer: PeerModel, out: PeerOutcome, time: VirtualTime, failure?: string): PeerOutcome {
  out.answeredAt = time.now();
  if (failure) out.failure = failure;
  out.cost = peer.cost({
    invocations: out.lambdaInvocations,
    billedMs: out.lambdaBilledMs,
    transitions: out.stateTransitions,
    seconds: (out.answeredAt - out.sentAt) / 1000,
  });
  return out;
}
