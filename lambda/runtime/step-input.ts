/**
 * What the step function accepts: exactly what the state machine hands it, `{ step, state }`, with a
 * state of the shape the provider's own steps produce, for a request that passes the same gate as an
 * event (CloudFormation's ResponseURL, a stack of this account and region, credentials bound to it),
 * and naming in its task only Atlas objects of the project the request is about. Someone invoking the
 * function by hand with a made-up state can then do no more than a made-up event could, which the
 * gate refuses.
 */
import { checkEvent, type EntryPolicy } from '../cloudformation/entry';
import type { StackRef } from '../cloudformation/stack-id';
import { MAX_UNDO_ITEMS } from '../lifecycle/core/cleanup';
import type { ExecutionState } from '../lifecycle/core/execution-state';
import { type Stamp, stampFits } from '../lifecycle/core/standing';
import { isReplacementPair } from '../lifecycle/registry';
import { ProviderError } from '../model/errors';
import { CLOUD_PROVIDERS } from '../model/provider';
import { FINAL_OUTCOMES, isStepName, MAX_LAST_STATUS_CHARS, OUTCOME, STEP, type StepName } from '../model/wait-loop';

export interface StepInvocation {
  step: StepName;
  state: ExecutionState;
  /** Above 0 when the Task state's own Retry invoked the step again. */
  retryCount?: number;
}

/** A step invocation that the state machine cannot have made. Nothing acts on it, nothing is answered. */
export class StepInputError extends ProviderError {
  override readonly name = 'StepInputError';
}

const OUTCOMES: readonly string[] = [OUTCOME.wait, OUTCOME.done, ...FINAL_OUTCOMES];
const NEXT: readonly string[] = [STEP.act, STEP.poll, STEP.answer, STEP.confirm];
const ATLAS_ID = /^[a-f0-9]{24}$/;
const ATLAS_REGION = /^[A-Za-z0-9_-]{1,64}$/;
const VPC_ENDPOINT_ID = /^vpce-[0-9a-f]{17}$/;
const OTHER_ENDPOINT_ID = /^[\x21-\x7e]{1,1000}$/;
/** The request's ServiceTimeout, the look for CloudFormation's verdict after it, and the time to remove what it did not take. */
const MAX_DEADLINE_SPAN_MS = 7200_000;

/** Checks a step invocation; returns it typed with the request's stack, or throws `StepInputError`. */
export function checkStepInvocation(event: unknown, policy: EntryPolicy): StepInvocation & { stack: StackRef } {
  const fail = (why: string): never => {
    throw new StepInputError(`The step input is not one the provider's state machine produces (${why}); nothing was done.`);
  };
  if (!isObject(event)) return fail('not an object');
  const keys = Object.keys(event);
  // `retryCount`: what the Task state's own Retry adds (above 0 when an earlier invocation may have acted).
  if (!('step' in event) || !('state' in event) || keys.some((k) => k !== 'step' && k !== 'state' && k !== 'retryCount'))
    return fail('expected exactly { step, state, retryCount? }');
  const { step, state, retryCount } = event as { step: unknown; state: unknown; retryCount?: unknown };
  if (retryCount !== undefined && (typeof retryCount !== 'number' || !Number.isInteger(retryCount) || retryCount < 0))
    return fail('retryCount is not a count');
  if (!isStepName(step)) return fail('unknown step');
  if (!isObject(state)) return fail('state is not an object');

  const gate = checkEvent(state.request, policy);
  if (gate.kind !== 'accept') return fail(`its request would not have been accepted: ${gate.problem}`);
  // The request goes on exactly as CloudFormation sent it (the gate re-builds it without unknown fields).
  const request = gate.request;

  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!num(state.receivedAt) || !num(state.deadlineAt)) return fail('receivedAt/deadlineAt are not times');
  const span = (state.deadlineAt as number) - (state.receivedAt as number);
  if (span < 0 || span > MAX_DEADLINE_SPAN_MS) return fail('deadline outside the ServiceTimeout range');
  if (!num(state.waitSeconds) || !num(state.polls)) return fail('waitSeconds/polls are not numbers');
  if (typeof state.next !== 'string' || !NEXT.includes(state.next)) return fail('unknown next');
  if (typeof state.outcome !== 'string' || !OUTCOMES.includes(state.outcome)) return fail('unknown outcome');
  const sf = state.stepFailures;
  if (!isObject(sf) || !num(sf.count) || !num(sf.backoffSeconds)) return fail('stepFailures malformed');
  if (state.lastStatus !== undefined && (typeof state.lastStatus !== 'string' || state.lastStatus.length > MAX_LAST_STATUS_CHARS))
    return fail('lastStatus malformed');
  if (state.stepError !== undefined && !isObject(state.stepError)) return fail('stepError malformed');
  for (const key of ['lookedAt', 'answeredAt', 'behindLooks'] as const) {
    if (state[key] !== undefined && !num(state[key])) return fail(`${key} is not a number`);
  }
  for (const key of ['stackStatus', 'abandoned'] as const) {
    const v = state[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > 600)) return fail(`${key} malformed`);
  }
  // CloudFormation's word at the door: every execution the ServiceToken function starts carries it.
  const stamp = state.stamp;
  if (!isObject(stamp) || typeof stamp.status !== 'string' || !num(stamp.lastUpdated)) return fail('no stamp of CloudFormation');
  if (stamp.physicalResourceId !== undefined && typeof stamp.physicalResourceId !== 'string') return fail('stamp malformed');
  if (!stampFits(gate.request, stamp as unknown as Stamp, state.stackStatus as string | undefined, isReplacementPair))
    return fail('its stamp is not one CloudFormation shows for such a request');
  if (state.leftInAtlas !== undefined && !isObject(state.leftInAtlas)) return fail('leftInAtlas malformed');
  for (const key of ['answer'] as const) {
    const a = state[key];
    if (a === undefined) continue;
    if (!isObject(a) || (a.status !== 'SUCCESS' && a.status !== 'FAILED') || typeof a.physicalResourceId !== 'string')
      return fail(`${key} malformed`);
  }
  if (state.made !== undefined && typeof state.made !== 'string') return fail('made malformed');
  const task = state.task;
  if (!isObject(task) || typeof task.kind !== 'string') return fail('task malformed');
  const tasks = [task];
  // What this execution made and now removes: in the project of its request, like its own task.
  if (state.undo !== undefined) {
    if (!Array.isArray(state.undo) || state.undo.length > MAX_UNDO_ITEMS) return fail('undo malformed');
    for (const item of state.undo as unknown[]) {
      if (!isObject(item) || typeof item.resourceType !== 'string' || !isObject(item.task) || typeof item.task.kind !== 'string')
        return fail('undo malformed');
      tasks.push(item.task);
    }
  }

  const projects = projectsOf(request.PhysicalResourceId, request.ResourceProperties, request.OldResourceProperties);
  for (const t of tasks) {
    for (const ref of refsIn(t)) {
      const problem = refProblem(ref);
      if (problem) return fail(`task ${problem}`);
      if (!projects.has(ref.projectId as string)) return fail('task names a project its request does not');
    }
    // A task that searches a project (rather than naming one of its objects) names it at its top level.
    if (t.projectId !== undefined && (typeof t.projectId !== 'string' || !ATLAS_ID.test(t.projectId)))
      return fail('task project id malformed');
    if (t.projectId !== undefined && !projects.has(t.projectId as string)) return fail('task names a project its request does not');
  }
  return {
    step,
    state: { ...(state as unknown as ExecutionState), request },
    stack: gate.stack,
    ...(typeof retryCount === 'number' ? { retryCount } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects in a task that name something in Atlas (they carry a projectId). */
function refsIn(task: Record<string, unknown>): Record<string, unknown>[] {
  return Object.values(task).filter((v): v is Record<string, unknown> => isObject(v) && 'projectId' in v);
}

function refProblem(ref: Record<string, unknown>): string | undefined {
  if (typeof ref.projectId !== 'string' || !ATLAS_ID.test(ref.projectId)) return 'project id malformed';
  if (typeof ref.serviceId !== 'string' || !ATLAS_ID.test(ref.serviceId)) return 'service id malformed';
  if (typeof ref.provider !== 'string' || !(CLOUD_PROVIDERS as readonly string[]).includes(ref.provider)) return 'provider malformed';
  if (ref.region !== undefined && (typeof ref.region !== 'string' || !ATLAS_REGION.test(ref.region))) return 'region malformed';
  if (ref.endpointId !== undefined) {
    const ok =
      typeof ref.endpointId === 'string' &&
      (ref.provider === 'AWS' ? VPC_ENDPOINT_ID : OTHER_ENDPOINT_ID).test(ref.endpointId) &&
      !ref.endpointId.split('/').some((s) => s === '.' || s === '..');
    if (!ok) return 'endpoint id malformed';
  }
  return undefined;
}

/** The Atlas projects a request is about: its physical id's and its (old) properties'. */
function projectsOf(physicalId: string | undefined, ...props: (Record<string, unknown> | undefined)[]): Set<string> {
  const out = new Set<string>();
  const m = physicalId ? /^([a-f0-9]{24})-/.exec(physicalId) : null;
  if (m) out.add(m[1]);
  for (const p of props) if (p && typeof p.ProjectId === 'string') out.add(p.ProjectId.trim().toLowerCase());
  return out;
}
