/**
 * The provider's composition root: the two Lambda entry points wired to their adapters. The Lambda builds
 * it from its environment; the local runner builds it with the emulator, a local state machine and a
 * virtual clock.
 */
import { renderAnswer } from '../cloudformation/answer';
import { type AnswerableRequest, checkEvent, type EntryPolicy } from '../cloudformation/entry';
import { type CloudFormationRequest, requestLogKeys, requestSentAt } from '../cloudformation/request';
import { redactResponseUrl } from '../cloudformation/response-url';
import { type AwsHome, homeOfFunctionArn } from '../cloudformation/stack-id';
import { runStep, type StepPorts } from '../lifecycle/core/engine';
import type { ExecutionState } from '../lifecycle/core/execution-state';
import { physicalIdOfNothingMade } from '../lifecycle/core/physical-id';
import { unboundCredentials } from '../lifecycle/core/properties';
import { judgeAtDoor, type Standing } from '../lifecycle/core/standing';
import { executionName, type ExecutionStarter, initialState } from '../lifecycle/core/start';
import { isReplacementPair } from '../lifecycle/registry';
import { parseEndpointPhysicalId } from '../lifecycle/registration/physical-id';
import { parseServicePhysicalId } from '../lifecycle/service/physical-id';
import type { LoggerLike } from '../logging';
import { ConfigurationError } from '../model/errors';
import { DOOR_LOOK_WAITS_SECONDS } from '../model/timing';
import { howToLetDeleteFinish, type ProfileBindings } from '../model/profile-bindings';
import { isStepName, type StepInvocation as WaitLoopStepInvocation } from '../model/wait-loop';
import { checkStepInvocation, StepInputError } from './step-input';

export { StepInputError };

export interface ProviderRuntimeDeps extends StepPorts {
  starter: ExecutionStarter;
  logger: LoggerLike;
  /**
   * Which events are CloudFormation's: the home (partition, region, account) when the invocation does
   * not carry the function's ARN, and whether loopback http ResponseURLs are accepted (the local runner).
   */
  entry?: EntryPolicy;
  /** Which stacks may use which credentials; undefined: every stack may use every secret the provider reads. */
  bindings?: ProfileBindings;
  /** A setting of the provider that is wrong (no request can succeed): every request is answered FAILED with it. */
  configurationProblem?: string;
}

/** What the Lambda runtime tells about an invocation (its `context`). */
export interface InvocationContext {
  invokedFunctionArn?: string;
}

export type StepInvocation = WaitLoopStepInvocation<ExecutionState>;

/** A loose check, for log keys only: the real one is `checkStepInvocation`. */
export function isStepInvocation(event: unknown): event is StepInvocation {
  const e = event as Partial<StepInvocation> | null;
  return typeof e === 'object' && e !== null && isStepName(e.step) && typeof e.state === 'object' && e.state !== null;
}

export class ProviderRuntime {
  constructor(private readonly deps: ProviderRuntimeDeps) {}

  /** The ServiceToken function: one execution per request, for events that pass the gate. */
  async onEvent(event: unknown, context: InvocationContext = {}): Promise<{ executionName: string; started: boolean }> {
    const verdict = checkEvent(event, this.policy(context));
    if (verdict.kind === 'drop') {
      // No URL CloudFormation gave: nothing to answer, and nothing to act for.
      this.deps.logger.error('Event dropped: not a CloudFormation request this provider answers', {
        problem: verdict.problem,
        ...verdict.log,
      });
      return { executionName: '', started: false };
    }
    if (verdict.kind === 'refuse') {
      this.deps.logger.error('Request refused', { ...refusedKeys(verdict.request), problem: verdict.problem });
      await this.answerRefusal(verdict.request, `Request refused: ${verdict.problem}`);
      return { executionName: '', started: false };
    }
    const request = verdict.request;
    const keys = requestLogKeys(request);
    if (this.deps.configurationProblem) {
      this.deps.logger.error('The provider is misconfigured; answering FAILED', { ...keys, problem: this.deps.configurationProblem });
      await this.answerRefusal(request, `The provider is misconfigured: ${this.deps.configurationProblem}`);
      return { executionName: '', started: false };
    }
    const name = executionName(request);
    // The deadline counts from when CloudFormation sent the request, not from this (possibly redelivered) invocation.
    const sentAt = requestSentAt(request, this.deps.now());
    // Throws when CloudFormation cannot be asked: Lambda's asynchronous retry asks again, and its failure
    // destination answers FAILED once it gives up. Nothing acts without CloudFormation's word.
    const door = await this.askAtDoor(request, sentAt);
    if (door.kind !== 'current') {
      // Forged, or a late delivery of a request CloudFormation is done with: acting would make what nobody
      // removes, and an answer could be its second. The ResponseURL's query is not logged.
      this.deps.logger.warn('Request dropped: CloudFormation is not waiting for it', { ...keys, why: door.why });
      return { executionName: '', started: false };
    }
    const state = initialState(request, sentAt, {
      stamp: door.stamp,
      lookedAt: this.deps.now(),
      ...(door.stackStatus ? { stackStatus: door.stackStatus } : {}),
    });
    if (!state.answer) {
      // Only a request that will act reads credentials: a Delete naming nothing of ours succeeds whoever sends it.
      const unbound = unboundCredentials(state, this.deps.bindings, verdict.stack.stackName);
      if (unbound) {
        this.deps.logger.error('Request refused: credentials not bound to the stack', { ...keys, problem: unbound });
        const deleting = request.RequestType === 'Delete';
        await this.answerRefusal(
          request,
          deleting
            ? unbound + howToLetDeleteFinish(verdict.stack.stackName, request.LogicalResourceId, request.PhysicalResourceId)
            : unbound,
        );
        return { executionName: '', started: false };
      }
    }
    this.deps.logger.info('Request received', {
      ...keys,
      executionName: name,
      task: state.task.kind,
      answerKnown: state.answer !== undefined,
    });
    try {
      const result = await this.deps.starter.start(name, state);
      if (result === 'duplicate')
        this.deps.logger.warn('Duplicate delivery: the execution for this request exists already', { ...keys, executionName: name });
      return { executionName: name, started: result === 'started' };
    } catch (err) {
      if (isRetryableStartError(err)) throw err; // Lambda's asynchronous retry delivers the event again
      // The wait loop cannot start (missing permission, deleted state machine): answer now rather than leave
      // CloudFormation waiting for its whole ServiceTimeout.
      this.deps.logger.error('Could not start the wait loop; answering FAILED', { ...keys, error: (err as Error).name });
      await this.answerDirectly(
        request,
        `The provider could not start its Step Functions execution (${(err as Error).name}: ${(err as Error).message}). Check that the provider stack is deployed and intact.`,
      );
      return { executionName: name, started: false };
    }
  }

  /**
   * The ServiceToken function's failure destination: Lambda hands it an event whose invocations all failed
   * (its asynchronous retries after 1 and 2 minutes included). Answering FAILED now spares CloudFormation
   * the wait for its whole ServiceTimeout. Only an event the gate would answer is answered (never a URL
   * that is not CloudFormation's). Never throws: there is nobody left to retry it.
   */
  async onEventFailed(record: unknown, context: InvocationContext = {}): Promise<{ answered: boolean }> {
    const r = record as {
      requestPayload?: unknown;
      responsePayload?: { errorType?: unknown; errorMessage?: unknown };
      requestContext?: { approximateInvokeCount?: unknown };
    } | null;
    const verdict = checkEvent(r?.requestPayload, this.policy(context));
    if (verdict.kind === 'drop') {
      this.deps.logger.error('A failed invocation record without a CloudFormation request this provider answers; nothing to answer', {
        problem: verdict.problem,
        ...verdict.log,
      });
      return { answered: false };
    }
    const request = verdict.request;
    const keys = refusedKeys(request);
    const attempts = typeof r?.requestContext?.approximateInvokeCount === 'number' ? r.requestContext.approximateInvokeCount : 3;
    const errorType = typeof r?.responsePayload?.errorType === 'string' ? r.responsePayload.errorType : 'an error';
    this.deps.logger.error('Lambda gave up on the request; answering FAILED', { ...keys, attempts, errorType });
    try {
      await this.answerDirectly(
        request,
        `The provider could not start handling this request: its ServiceToken function failed ${attempts} times (${errorType}), Lambda's retries included. See the provider's log group; deploying again retries.`,
      );
      return { answered: true };
    } catch (err) {
      this.deps.logger.error('Could not deliver the FAILED answer for a request Lambda gave up on', {
        ...keys,
        error: (err as Error).name,
      });
      return { answered: false };
    }
  }

  /** The Step Functions task function: only input the state machine can have produced (else `StepInputError`). */
  async onStep(event: unknown, context: InvocationContext = {}): Promise<ExecutionState> {
    const { step, state: checked, stack, retryCount } = checkStepInvocation(event, this.policy(context));
    // The Task's own Retry invoked the step again: an earlier invocation may have acted.
    const state = typeof retryCount === 'number' && retryCount > 0 ? { ...checked, invocationRetried: true } : checked;
    // Every step that reaches credentials is judged (give-up may look in Atlas for what an attempt made).
    const unbound = step === 'answer' ? undefined : unboundCredentials(state, this.deps.bindings, stack.stackName);
    if (unbound && (step === 'act' || step === 'poll')) throw new StepInputError(unbound);
    const ports = unbound ? { ...this.deps, atlasFor: () => Promise.reject(new StepInputError(unbound)) } : this.deps;
    return runStep(step, state, ports);
  }

  /**
   * Asks CloudFormation whether it is waiting for this request (`lifecycle/core/standing.ts`). A status one
   * step behind is looked at again a few times (CloudFormation's describe calls may lag) before the request
   * is taken as not CloudFormation's.
   */
  private async askAtDoor(request: CloudFormationRequest, sentAt: number): Promise<Standing & { stackStatus?: string }> {
    let standing: Standing = { kind: 'behind', why: 'not looked' };
    for (let look = 0; look <= DOOR_LOOK_WAITS_SECONDS.length; look++) {
      if (look > 0) await this.deps.sleep?.(DOOR_LOOK_WAITS_SECONDS[look - 1] * 1000);
      const view = await this.deps.cloudFormation.describe(request.StackId, request.LogicalResourceId);
      standing = judgeAtDoor(request, sentAt, view, isReplacementPair);
      if (standing.kind !== 'behind') return { ...standing, ...(view.stackStatus ? { stackStatus: view.stackStatus } : {}) };
    }
    return standing;
  }

  private policy(context: InvocationContext): EntryPolicy {
    const home: AwsHome | undefined = homeOfFunctionArn(context.invokedFunctionArn) ?? this.deps.entry?.home;
    return { ...this.deps.entry, ...(home ? { home } : {}) };
  }

  /** A refused request: SUCCESS for a Delete that names nothing of ours (nothing to keep), FAILED otherwise. */
  private async answerRefusal(request: AnswerableRequest, reason: string): Promise<void> {
    const id = request.PhysicalResourceId;
    const oursNamed = id !== undefined && (parseServicePhysicalId(id) !== undefined || parseEndpointPhysicalId(id) !== undefined);
    const physicalResourceId = physicalIdOfNothingMade({ PhysicalResourceId: id, RequestId: request.RequestId || 'unknown' });
    const body =
      request.RequestType === 'Delete' && !oursNamed
        ? renderAnswer(request, { status: 'SUCCESS', physicalResourceId })
        : renderAnswer(request, { status: 'FAILED', physicalResourceId, reason });
    try {
      await this.deps.deliver(request.ResponseURL, body);
    } catch (err) {
      this.deps.logger.error('Could not deliver the refusal', { ...refusedKeys(request), error: (err as Error).name });
    }
  }

  private async answerDirectly(request: AnswerableRequest, reason: string): Promise<void> {
    const physicalResourceId = physicalIdOfNothingMade(request);
    await this.deps.deliver(request.ResponseURL, renderAnswer(request, { status: 'FAILED', physicalResourceId, reason }));
  }
}

function refusedKeys(r: AnswerableRequest): Record<string, string> {
  return {
    StackId: r.StackId.slice(0, 300),
    LogicalResourceId: r.LogicalResourceId.slice(0, 100),
    RequestId: r.RequestId.slice(0, 100),
    responseUrlWithoutQuery: redactResponseUrl(r.ResponseURL),
  };
}

function isRetryableStartError(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (err instanceof ConfigurationError) return false;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return e.name === 'ThrottlingException' || e.name === 'TimeoutError' || status === undefined || status >= 500;
}
