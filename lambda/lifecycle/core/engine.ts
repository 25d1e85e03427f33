/**
 * The Lambda steps of the wait loop (`model/wait-loop.ts` names them): `act` (change something in Atlas),
 * `poll` (look at it), `give-up` (after a step kept failing), `answer` (tell CloudFormation) and `confirm`
 * (see what CloudFormation did with the answer). Each takes the execution state and returns the next one;
 * the request's resource (`registry.ts`) does the acting and polling. CloudFormation is asked before every
 * act and while waiting (`standing.ts`); what it does not take, this execution removes (`cleanup.ts`).
 */
import { AtlasApiError } from '../../atlas/errors';
import { renderAnswer } from '../../cloudformation/answer';
import { requestLogKeys } from '../../cloudformation/request';
import { CredentialsError } from '../../credentials/secret-format';
import { describeError, type LogFields, withFields } from '../../logging';
import { InvalidPropertiesError } from '../../model/errors';
import {
  BEHIND_LOOKS_MAX,
  BEHIND_WAIT_SECONDS,
  CLEANUP_RETRY,
  CLEANUP_SECONDS,
  CLOUDFORMATION_LOOK_INTERVAL_SECONDS,
  CONFIRM_GRACE_SECONDS,
  CONFIRM_WAIT,
  CONFIRM_WINDOW_SECONDS,
  IN_STEP_POLL_BUDGET_SECONDS,
} from '../../model/timing';
import { NO_STEP_FAILURES, OUTCOME, STEP, type StepName } from '../../model/wait-loop';
import { resourceFor } from '../registry';
import { afterUnclearAttempt, describeTask, isDeletion, isWaiting } from '../tasks';
import type { ExecutionState } from './execution-state';
import { giveUpAnswer } from './give-up';
import type { StepPorts } from './ports';
import type { LifecycleResource } from './resource';
import { cleanupOf, type UndoItem } from './cleanup';
import { judgeAnswer, judgeSince } from './standing';
import { serviceTimeoutOf } from './start';
import { apply, deadlineReached, fail, retryLater } from './transitions';

export type { StepPorts } from './ports';
export type { StepName } from '../../model/wait-loop';

export async function runStep(step: StepName, state: ExecutionState, rawPorts: StepPorts): Promise<ExecutionState> {
  // Every line a step logs carries the request's keys.
  const ports: StepPorts = { ...rawPorts, logger: withFields(rawPorts.logger, requestLogKeys(state.request)) };
  const log = { step, task: state.task.kind };
  switch (step) {
    case STEP.act:
    case STEP.poll: {
      if (state.undo?.length) return cleanupStep(step, state, ports);
      // A step re-run on a state that already holds its answer (a retried step) changes nothing.
      if (state.answer || state.abandoned) return state;
      const resource = resourceFor(state.request.ResourceType);
      if (!resource) throw new Error(`no resource serves ${state.request.ResourceType}: the plan answers such requests at once`);
      let current = state;
      if (step === STEP.act || lookDue(state, ports)) {
        const looked = await lookBeforeActing(step, state, ports);
        if (looked.stop) return looked.state;
        current = looked.state;
      }
      return namingUnseen(current, await actAndPoll(step, current, resource, ports), ports);
    }
    case STEP.giveUp: {
      if (state.undo?.length) return cleanupFailed(state, giveUpAnswer({ ...state, task: state.undo[0].task }).reason ?? '', ports);
      if (state.answer && (state.answeredAt !== undefined || state.next === STEP.confirm)) {
        ports.logger.error("Could not learn CloudFormation's verdict on the answer; what the request made stays", {
          ...log,
          made: state.made,
          failures: state.stepFailures.count,
        });
        return finished(state);
      }
      const answer = giveUpAnswer(state);
      ports.logger.error('Giving up after repeated step failures', { ...log, failures: state.stepFailures.count, reason: answer.reason });
      const next: ExecutionState = { ...state, answer, outcome: OUTCOME.failed, next: STEP.answer, waitSeconds: 0, task: { kind: 'done' } };
      return namingUnseen(state, next, ports);
    }
    case STEP.answer: {
      if (!state.answer) throw new Error('answer step reached without an answer');
      if (state.answeredAt !== undefined) return afterAnswer(state); // the answer went out already
      const body = renderAnswer(state.request, state.answer);
      await ports.deliver(state.request.ResponseURL, body);
      ports.logger.info('Answered CloudFormation', {
        ...log,
        Status: state.answer.status,
        PhysicalResourceId: state.answer.physicalResourceId,
        Reason: state.answer.reason,
        bytes: Buffer.byteLength(body),
      });
      return afterAnswer({ ...state, answeredAt: ports.now() });
    }
    case STEP.confirm:
      return confirmStep(state, ports);
  }
}

/** The execution is over: the state machine ends it. */
function finished(state: ExecutionState): ExecutionState {
  return { ...state, outcome: OUTCOME.done, waitSeconds: 0 };
}

/** Once the answer is out: the execution ends, or waits for CloudFormation's verdict on what it made. */
function afterAnswer(state: ExecutionState): ExecutionState {
  if (!awaitsVerdict(state)) return finished(state);
  return { ...state, outcome: OUTCOME.wait, next: STEP.confirm, waitSeconds: CONFIRM_WAIT.firstSeconds };
}

/** Whether what the request made waits on CloudFormation taking the answer that names it. */
function awaitsVerdict(state: ExecutionState): boolean {
  return (
    state.stamp !== undefined &&
    state.made !== undefined &&
    state.made !== state.request.PhysicalResourceId &&
    state.answer?.physicalResourceId === state.made
  );
}

function lookDue(state: ExecutionState, ports: StepPorts): boolean {
  return state.stamp !== undefined && ports.now() - (state.lookedAt ?? 0) >= CLOUDFORMATION_LOOK_INTERVAL_SECONDS * 1000;
}

/**
 * Before every act, and while waiting at least once a minute: is CloudFormation still waiting for this
 * request? If it moved on, nothing more is done for it and what it made is removed. A look that shows an
 * older status (a lagging read) holds an act back until a look confirms the request; a poll only reads, so
 * it goes on.
 */
async function lookBeforeActing(
  step: typeof STEP.act | typeof STEP.poll,
  state: ExecutionState,
  ports: StepPorts,
): Promise<{ stop: boolean; state: ExecutionState }> {
  if (!state.stamp) return { stop: false, state };
  const view = await ports.cloudFormation.describe(state.request.StackId, state.request.LogicalResourceId);
  const standing = judgeSince(state.stamp, view);
  const looked: ExecutionState = { ...state, lookedAt: ports.now() };
  const log = { step, task: state.task.kind };
  if (standing.kind === 'current') {
    delete looked.behindLooks;
    return { stop: false, state: looked };
  }
  if (standing.kind === 'moved-on') return { stop: true, state: abandon(looked, standing.why, ports) };
  if (step === STEP.poll) return { stop: false, state: looked };
  const behindLooks = (state.behindLooks ?? 0) + 1;
  if (behindLooks > BEHIND_LOOKS_MAX) {
    return {
      stop: true,
      state: fail(
        looked,
        `CloudFormation's view of ${state.request.LogicalResourceId} stayed behind this request for ${BEHIND_LOOKS_MAX} looks (${standing.why}), so nothing was changed in Atlas. Deploying again retries.`,
        ports,
        log,
      ),
    };
  }
  ports.logger.info('CloudFormation shows an older status; looking again before acting', { ...log, why: standing.why, behindLooks });
  return { stop: true, state: { ...looked, behindLooks, outcome: OUTCOME.wait, next: STEP.act, waitSeconds: BEHIND_WAIT_SECONDS } };
}

/**
 * CloudFormation is no longer waiting for this request (cancelled, timed out, rolled back, or it did not
 * take the answer): nothing more is done for it, and what it made is removed by this execution.
 */
function abandon(state: ExecutionState, why: string, ports: StepPorts): ExecutionState {
  const now = ports.now();
  const undo = cleanupOf(state, (type) => resourceFor(type)?.cleanup, now);
  ports.logger.warn('CloudFormation is no longer waiting for this request; removing what it made', {
    why,
    made: state.made,
    removing: undo.map((u) => u.task.kind),
  });
  const base: ExecutionState = {
    ...state,
    abandoned: why.slice(0, 500),
    task: { kind: 'done' },
    waitSeconds: 0,
    next: STEP.act,
    stepFailures: { ...NO_STEP_FAILURES },
    // The removal has its own time: the request's deadline may have passed already.
    deadlineAt: Math.max(state.deadlineAt, now + CLEANUP_SECONDS * 1000),
  };
  delete base.stepError;
  delete base.behindLooks;
  if (!undo.length) return finished(base);
  return { ...base, undo, outcome: OUTCOME.wait };
}

/**
 * After the answer: look until CloudFormation shows what it did with it. Taken, and what the request made is
 * the stack's; ignored (CloudFormation moved on without it), and this execution removes it; not shown yet,
 * and it looks again, until the answer's window and the request's ServiceTimeout have passed (then what it
 * made stays: it may be the stack's).
 */
async function confirmStep(state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { step: STEP.confirm, task: state.task.kind };
  if (state.answeredAt === undefined)
    ports.logger.error('The answer could not be delivered; waiting for CloudFormation to give up on the request', log);
  if (!awaitsVerdict(state)) return finished(state);
  const view = await ports.cloudFormation.describe(state.request.StackId, state.request.LogicalResourceId);
  const fate = judgeAnswer(state.request, state.stamp!, state.made!, view);
  const now = ports.now();
  const looked: ExecutionState = { ...state, lookedAt: now };
  if (fate.kind === 'taken') {
    ports.logger.info('CloudFormation took the answer', { ...log, physicalResourceId: state.made });
    return finished(looked);
  }
  if (fate.kind === 'ignored') return abandon(looked, `CloudFormation did not take the answer: ${fate.why}`, ports);
  const until = Math.max(
    (state.answeredAt ?? now) + CONFIRM_WINDOW_SECONDS * 1000,
    state.receivedAt + (serviceTimeoutOf(state.request) + CONFIRM_GRACE_SECONDS) * 1000,
  );
  if (now >= until) {
    ports.logger.warn("CloudFormation showed no verdict on the answer in time; what the request made stays, as it may be the stack's", {
      ...log,
      physicalResourceId: state.made,
    });
    return finished(looked);
  }
  const waitSeconds = Math.min(
    CONFIRM_WAIT.capSeconds,
    Math.max(CONFIRM_WAIT.firstSeconds, Math.round(state.waitSeconds * CONFIRM_WAIT.factor)),
  );
  return { ...looked, outcome: OUTCOME.wait, next: STEP.confirm, waitSeconds };
}

/**
 * Acts, or polls and then, while Atlas is not done and the next look still starts within the step's
 * in-process budget, sleeps the wait and polls again; the wait that does not fit goes back to Step
 * Functions. Each look goes through the same code and yields the same execution state as a look in a step
 * of its own would, and a poll step only reads, so a step that fails after some looks is retried from the
 * state the state machine holds at no risk. An act step returns after acting: its retry must start from
 * the state just before the act, which the state machine holds.
 */
async function actAndPoll(
  step: typeof STEP.act | typeof STEP.poll,
  state: ExecutionState,
  resource: LifecycleResource,
  ports: StepPorts,
): Promise<ExecutionState> {
  const once = (s: ExecutionState, st: StepName) => {
    const polling = st === STEP.poll && isWaiting(s.task);
    return guarded(s, ports, { step: st, task: s.task.kind }, () => (polling ? resource.poll(s, ports) : resource.act(s, ports)));
  };
  const started = ports.now();
  let next = await once(state, step);
  while (
    step === STEP.poll &&
    ports.sleep &&
    next.outcome === OUTCOME.wait &&
    next.next === STEP.poll &&
    // A look at CloudFormation that falls due is the next poll step's.
    !lookDue(next, ports) &&
    ports.now() - started + next.waitSeconds * 1000 <= IN_STEP_POLL_BUDGET_SECONDS * 1000
  ) {
    await ports.sleep(next.waitSeconds * 1000);
    next = await once(next, STEP.poll);
  }
  return next;
}

/**
 * Maps the errors that are not bugs to verdicts: Atlas or Secrets Manager asking to wait, a refusal,
 * credentials that cannot be read, properties that cannot be used. Anything else is rethrown.
 */
async function guarded(
  state: ExecutionState,
  ports: StepPorts,
  log: LogFields,
  body: () => Promise<ExecutionState>,
): Promise<ExecutionState> {
  // At the deadline a deletion whose last attempt had an unclear outcome is sent once more (a DELETE is safe
  // to repeat): if Atlas has accepted it, the Delete answers SUCCESS rather than FAILED (`deletionAccepted`).
  const unclear = state.stepFailures.count > 0 || state.invocationRetried === true;
  if (ports.now() >= state.deadlineAt && !(unclear && isDeletion(state.task))) return apply(state, deadlineReached(state), ports, log);
  try {
    return await body();
  } catch (err) {
    if ((err instanceof AtlasApiError || err instanceof CredentialsError) && err.retryable) {
      // The wait resets the failure count: what an unclear earlier attempt may have done must stay in the task.
      const unclear = state.stepFailures.count > 0 || state.invocationRetried === true;
      return retryLater(state, err, ports, log, unclear ? afterUnclearAttempt(state.task) : undefined);
    }
    if (err instanceof AtlasApiError || err instanceof CredentialsError || err instanceof InvalidPropertiesError) {
      ports.logger.error('Request failed', { ...log, error: describeError(err) });
      return fail(state, `${capitalise(describeTask(state.task))} failed: ${err.message}`, ports, log);
    }
    throw err; // a bug or an outage: the state machine counts it, retries, and gives up with an answer
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * A request about to end FAILED without naming anything it created, after an attempt to create whose
 * outcome is unknown: look in Atlas first, and name what that attempt created, so that CloudFormation's
 * rollback deletes it rather than leaving it to nobody.
 */
async function namingUnseen(before: ExecutionState, after: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  if (after.answer?.status !== 'FAILED' || after.made) return after;
  const resource = resourceFor(before.request.ResourceType);
  if (!resource?.findUnseen) return after;
  let found: string | undefined;
  try {
    found = await resource.findUnseen(before, ports);
  } catch (err) {
    ports.logger.warn('Could not look for what an unclear attempt created', { task: before.task.kind, error: describeError(err) });
    return after;
  }
  if (!found) return after;
  ports.logger.warn('An attempt whose outcome was unknown did create it; the answer names it so that the rollback removes it', {
    physicalResourceId: found,
  });
  return {
    ...after,
    made: found,
    answer: {
      ...after.answer,
      physicalResourceId: found,
      reason: `${after.answer.reason} An earlier attempt of this request did create ${found}; the answer names it so that CloudFormation's rollback deletes it.`,
    },
  };
}

/**
 * One step of removing what this execution made (`state.undo[0]`), through the same act and poll code as any
 * task of its resource. Once every item is removed the execution ends; if one cannot be removed, it ends
 * saying exactly what stays and why.
 */
async function cleanupStep(step: typeof STEP.act | typeof STEP.poll, state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const [item, ...rest] = state.undo ?? [];
  const resource = resourceFor(item.resourceType);
  const view: ExecutionState = { ...state, task: item.task };
  delete view.undo;
  delete view.answer;
  delete view.made;
  const after = resource
    ? await actAndPoll(step, view, resource, ports)
    : { ...view, answer: { status: 'SUCCESS' as const, physicalResourceId: '' } };
  const base: ExecutionState = { ...after, task: state.task, ...(state.made ? { made: state.made } : {}) };
  delete base.answer;
  if (state.answer) base.answer = state.answer;
  if (!after.answer) return { ...base, undo: [{ ...item, task: after.task }, ...rest] };
  if (after.answer.status === 'FAILED') {
    // Atlas refused or the removal failed: it is tried again (a key's role lowered for a while, an outage)
    // until the time the removal has runs out; then the execution says what stays.
    const attempts = (item.attempts ?? 0) + 1;
    const waitSeconds = Math.min(CLEANUP_RETRY.capSeconds, CLEANUP_RETRY.firstSeconds * 2 ** (attempts - 1));
    const retry: UndoItem = { ...item, attempts };
    if (ports.now() + waitSeconds * 1000 < state.deadlineAt) {
      ports.logger.warn('Could not remove what this request made; trying again', {
        task: item.task.kind,
        attempts,
        waitSeconds,
        reason: after.answer.reason,
      });
      return { ...base, undo: [retry, ...rest], outcome: OUTCOME.wait, next: STEP.act, waitSeconds };
    }
    return cleanupFailed({ ...state, undo: [retry, ...rest] }, after.answer.reason ?? '', ports);
  }
  ports.logger.info('Removed what this request made', { task: item.task.kind });
  if (rest.length) return { ...base, undo: rest, outcome: OUTCOME.wait, next: STEP.act, waitSeconds: 0 };
  const done: ExecutionState = { ...base };
  delete done.undo;
  return finished(done);
}

/** What could not be removed stays in the final state and the log, with why. */
function cleanupFailed(state: ExecutionState, why: string, ports: StepPorts): ExecutionState {
  const item = state.undo![0];
  const leftInAtlas = {
    ...(state.made ? { physicalResourceId: state.made } : {}),
    task: describeTask(item.task),
    reason: why.slice(0, 1000),
  };
  ports.logger.error('Could not remove what this request made; it stays in Atlas', leftInAtlas);
  return finished({ ...state, leftInAtlas });
}
