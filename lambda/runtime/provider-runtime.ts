/**
 * The provider's composition root: the two Lambda entry points wired to their adapters. The Lambda builds
 * it from its environment; the local runner builds it with the emulator, a local state machine and a
 * virtual clock.
 */
import { renderAnswer } from '../cloudformation/answer';
import { type CloudFormationRequest, isCloudFormationRequest, requestLogKeys, requestSentAt } from '../cloudformation/request';
import { runStep, type StepPorts } from '../lifecycle/core/engine';
import type { ExecutionState } from '../lifecycle/core/execution-state';
import { physicalIdOfNothingMade } from '../lifecycle/core/physical-id';
import { executionName, type ExecutionStarter, initialState } from '../lifecycle/core/start';
import type { LoggerLike } from '../logging';
import { ConfigurationError } from '../model/errors';
import { isStepName, type StepInvocation as WaitLoopStepInvocation } from '../model/wait-loop';

export interface ProviderRuntimeDeps extends StepPorts {
  starter: ExecutionStarter;
  logger: LoggerLike;
}

export type StepInvocation = WaitLoopStepInvocation<ExecutionState>;

export function isStepInvocation(event: unknown): event is StepInvocation {
  const e = event as Partial<StepInvocation> | null;
  return typeof e === 'object' && e !== null && isStepName(e.step) && typeof e.state === 'object' && e.state !== null;
}

export class ProviderRuntime {
  constructor(private readonly deps: ProviderRuntimeDeps) {}

  /** The ServiceToken function: one execution per request. */
  async onEvent(event: unknown): Promise<{ executionName: string; started: boolean }> {
    if (!isCloudFormationRequest(event)) {
      // Not from CloudFormation: there is no ResponseURL to answer, so failing loudly is all that is left.
      throw new TypeError('The event is not a CloudFormation custom resource request (RequestType, ResponseURL, StackId, RequestId, LogicalResourceId).');
    }
    const keys = requestLogKeys(event);
    const name = executionName(event);
    // The deadline counts from when CloudFormation sent the request, not from this (possibly redelivered) invocation.
    const state = initialState(event, requestSentAt(event, this.deps.now()));
    this.deps.logger.info('Request received', { ...keys, executionName: name, task: state.task.kind, answerKnown: state.answer !== undefined });
    try {
      const result = await this.deps.starter.start(name, state);
      if (result === 'duplicate') this.deps.logger.warn('Duplicate delivery: the execution for this request exists already', { ...keys, executionName: name });
      return { executionName: name, started: result === 'started' };
    } catch (err) {
      if (isRetryableStartError(err)) throw err; // Lambda's asynchronous retry delivers the event again
      // The wait loop cannot start (missing permission, deleted state machine): answer now rather than leave
      // CloudFormation waiting for its whole ServiceTimeout.
      this.deps.logger.error('Could not start the wait loop; answering FAILED', { ...keys, error: (err as Error).name });
      await this.answerDirectly(event, `The provider could not start its Step Functions execution (${(err as Error).name}: ${(err as Error).message}). Check that the provider stack is deployed and intact.`);
      return { executionName: name, started: false };
    }
  }

  /**
   * The ServiceToken function's failure destination: Lambda hands it an event whose invocations all failed
   * (its asynchronous retries after 1 and 2 minutes included). Answering FAILED now spares CloudFormation
   * the wait for its whole ServiceTimeout. Never throws: there is nobody left to retry it.
   */
  async onEventFailed(record: unknown): Promise<{ answered: boolean }> {
    const r = record as { requestPayload?: unknown; responsePayload?: { errorType?: unknown; errorMessage?: unknown }; requestContext?: { approximateInvokeCount?: unknown } } | null;
    const event = r?.requestPayload;
    if (!isCloudFormationRequest(event)) {
      this.deps.logger.error('A failed invocation record without a CloudFormation request; nothing to answer');
      return { answered: false };
    }
    const keys = requestLogKeys(event);
    const attempts = typeof r?.requestContext?.approximateInvokeCount === 'number' ? r.requestContext.approximateInvokeCount : 3;
    const errorType = typeof r?.responsePayload?.errorType === 'string' ? r.responsePayload.errorType : 'an error';
    this.deps.logger.error('Lambda gave up on the request; answering FAILED', { ...keys, attempts, errorType });
    try {
      await this.answerDirectly(
        event,
        `The provider could not start handling this request: its ServiceToken function failed ${attempts} times (${errorType}), Lambda's retries included. See the provider's log group; deploying again retries.`,
      );
      return { answered: true };
    } catch (err) {
      this.deps.logger.error('Could not deliver the FAILED answer for a request Lambda gave up on', { ...keys, error: (err as Error).name });
      return { answered: false };
    }
  }

  /** The Step Functions task function. */
  async onStep(event: unknown): Promise<ExecutionState> {
    if (!isStepInvocation(event)) throw new TypeError('The event is not a wait-loop step ({ step, state }).');
    const state = typeof event.retryCount === 'number' && event.retryCount > 0 ? { ...event.state, invocationRetried: true } : event.state;
    return runStep(event.step, state, this.deps);
  }

  private async answerDirectly(request: CloudFormationRequest, reason: string): Promise<void> {
    const physicalResourceId = physicalIdOfNothingMade(request);
    await this.deps.deliver(request.ResponseURL, renderAnswer(request, { status: 'FAILED', physicalResourceId, reason }));
  }
}

function isRetryableStartError(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (err instanceof ConfigurationError) return false;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return e.name === 'ThrottlingException' || e.name === 'TimeoutError' || status === undefined || status >= 500;
}
