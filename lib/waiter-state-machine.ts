/**
 * The wait loop, as a Step Functions definition:
 *
 *   Route ─┬─ outcome DONE ───────────────────────────────────▶ Answered
 *          ├─ outcome READY / FAILED / DEADLINE ──────────────▶ Answer ─▶ Route
 *          ├─ next = act ──────▶ WaitToAct ─────▶ Act ─────▶ Route
 *          ├─ next = confirm ──▶ WaitToConfirm ─▶ Confirm ─▶ Route
 *          └─ otherwise ───────▶ WaitToPoll ────▶ Poll ────▶ Route
 *   Act / Poll / Confirm fail ─▶ CountFailure (count, double the backoff) ─▶ TooManyFailures? ─┬─ no ──▶ WaitAfterFailure ─▶ RetryStep ─▶ Act | Poll | Confirm
 *                                                                  └─ yes ─▶ GiveUp ─▶ Route
 *   Answer fails for good ─▶ MadeSomething? ─┬─ yes ─▶ AwaitVerdict ─▶ Confirm (CloudFormation's verdict decides what stays)
 *                                            └─ no ──▶ Unanswerable
 *
 * After the answer, Confirm looks until CloudFormation shows what it did with it; what it did not take,
 * the same execution removes through Act and Poll before it ends (`lambda/lifecycle/core/engine.ts`).
 *
 * "Not ready yet" is a normal result that carries its own wait (backoff, or Atlas's Retry-After); a step
 * that throws is a real failure, counted in the state so that the next attempt of the step knows an
 * earlier one may have acted, and bounded so that it ends in a FAILED answer. Lambda service errors
 * (the function never ran) are retried by the Task's own Retry.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ANSWER_STEP_RETRY, LAMBDA_SERVICE_RETRY } from '../lambda/model/timing';
import { MAX_STEP_FAILURES, OUTCOME, STATE_PATH, STEP, type StepName } from '../lambda/model/wait-loop';

export { MAX_STEP_FAILURES } from '../lambda/model/wait-loop';

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Properties of {@link WaitLoop}. */
export interface WaitLoopProps {
  /** The function that runs the steps (`onStep`). */
  readonly stepFunction: lambda.IFunction;
}

/**
 * The states of the provider's wait loop (route, wait, act or poll, count failures, give up, answer), ready to
 * become a state machine's definition. `AtlasPrivateEndpointProvider` uses it; it is exported for tests and
 * for those who build their own provider around the same step function.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const loop = new WaitLoop(this, 'WaitLoop', { stepFunction });
 * new sfn.StateMachine(this, 'StateMachine', { definitionBody: sfn.DefinitionBody.fromChainable(loop.startState) });
 */
export class WaitLoop extends Construct {
  /** How many times in a row a step may fail before the loop gives up and answers FAILED. */
  static readonly MAX_STEP_FAILURES: number = MAX_STEP_FAILURES;

  /** The first state: the route that picks the next step from the execution state. */
  readonly startState: sfn.IChainable;

  /**
   * Creates the states.
   * @param scope the construct it belongs to
   * @param id its id within `scope`
   * @param props the step function the tasks invoke
   */
  constructor(scope: Construct, id: string, props: WaitLoopProps) {
    super(scope, id);
    const step = (name: string, stepName: StepName, comment: string) => {
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: props.stepFunction,
        // retryCount: above 0 when the Task's own Retry invokes the step again (an earlier invocation may have acted).
        payload: sfn.TaskInput.fromObject({
          step: stepName,
          state: sfn.JsonPath.entirePayload,
          retryCount: sfn.JsonPath.numberAt('$$.State.RetryCount'),
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        comment,
      });
      task.addRetry({
        errors: LAMBDA_SERVICE_ERRORS,
        interval: Duration.seconds(LAMBDA_SERVICE_RETRY.intervalSeconds),
        backoffRate: LAMBDA_SERVICE_RETRY.backoffRate,
        maxAttempts: LAMBDA_SERVICE_RETRY.maxAttempts,
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };

    const answered = new sfn.Succeed(this, 'Answered');
    const unanswerable = new sfn.Fail(this, 'Unanswerable', {
      error: 'AnswerNotDelivered',
      cause: 'The answer could not be delivered to CloudFormation; see the provider log group.',
    });
    const answer = step('Answer', STEP.answer, 'PUT the answer to the ResponseURL');
    answer.addRetry({
      errors: [sfn.Errors.ALL],
      interval: Duration.seconds(ANSWER_STEP_RETRY.intervalSeconds),
      backoffRate: ANSWER_STEP_RETRY.backoffRate,
      maxAttempts: ANSWER_STEP_RETRY.maxAttempts,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const confirm = step('Confirm', STEP.confirm, 'See what CloudFormation did with the answer; remove what it did not take');
    // An answer that could not be delivered: CloudFormation will give up on the request at its ServiceTimeout,
    // and what the request made is then nobody's unless this execution removes it.
    const awaitVerdict = new sfn.Pass(this, 'AwaitVerdict', { result: sfn.Result.fromString(STEP.confirm), resultPath: STATE_PATH.next });
    awaitVerdict.next(confirm);
    answer.addCatch(
      new sfn.Choice(this, 'MadeSomething').when(sfn.Condition.isPresent(STATE_PATH.made), awaitVerdict).otherwise(unanswerable),
      { errors: [sfn.Errors.ALL], resultPath: STATE_PATH.stepError },
    );

    const act = step('Act', STEP.act, 'Change the endpoint service in Atlas');
    const poll = step('Poll', STEP.poll, 'Read the endpoint service and judge it');
    const route = new sfn.Choice(this, 'Route', { comment: 'Ready, failed, deadline passed, or keep waiting' });
    const waitToAct = new sfn.Wait(this, 'WaitToAct', { time: sfn.WaitTime.secondsPath(STATE_PATH.waitSeconds) });
    const waitToPoll = new sfn.Wait(this, 'WaitToPoll', { time: sfn.WaitTime.secondsPath(STATE_PATH.waitSeconds) });
    const waitToConfirm = new sfn.Wait(this, 'WaitToConfirm', { time: sfn.WaitTime.secondsPath(STATE_PATH.waitSeconds) });
    route
      .when(sfn.Condition.stringEquals(STATE_PATH.outcome, OUTCOME.done), answered)
      .when(sfn.Condition.stringEquals(STATE_PATH.outcome, OUTCOME.ready), answer)
      .when(sfn.Condition.stringEquals(STATE_PATH.outcome, OUTCOME.failed), answer)
      .when(sfn.Condition.stringEquals(STATE_PATH.outcome, OUTCOME.deadline), answer)
      .when(sfn.Condition.stringEquals(STATE_PATH.next, STEP.act), waitToAct)
      .when(sfn.Condition.stringEquals(STATE_PATH.next, STEP.confirm), waitToConfirm)
      .otherwise(waitToPoll);
    waitToAct.next(act);
    waitToPoll.next(poll);
    waitToConfirm.next(confirm);
    act.next(route);
    poll.next(route);
    answer.next(route);
    confirm.next(route);

    // Counts the failure and doubles the wait before the next attempt (10 s, 20 s, ...).
    const countFailure = new sfn.Pass(this, 'CountFailure', {
      parameters: {
        count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt(STATE_PATH.stepFailureCount), 1),
        backoffSeconds: sfn.JsonPath.mathAdd(
          sfn.JsonPath.numberAt(STATE_PATH.stepFailureBackoffSeconds),
          sfn.JsonPath.numberAt(STATE_PATH.stepFailureBackoffSeconds),
        ),
      },
      resultPath: STATE_PATH.stepFailures,
    });
    const giveUp = step('GiveUp', STEP.giveUp, 'Turn the last step error into a FAILED answer');
    giveUp.addCatch(unanswerable, { errors: [sfn.Errors.ALL], resultPath: STATE_PATH.stepError });
    giveUp.next(route);
    const waitAfterFailure = new sfn.Wait(this, 'WaitAfterFailure', {
      time: sfn.WaitTime.secondsPath(STATE_PATH.stepFailureBackoffSeconds),
    });
    const retryStep = new sfn.Choice(this, 'RetryStep')
      .when(sfn.Condition.stringEquals(STATE_PATH.next, STEP.poll), poll)
      .when(sfn.Condition.stringEquals(STATE_PATH.next, STEP.confirm), confirm)
      .otherwise(act);
    countFailure.next(
      new sfn.Choice(this, 'TooManyFailures')
        .when(sfn.Condition.numberGreaterThanEquals(STATE_PATH.stepFailureCount, MAX_STEP_FAILURES), giveUp)
        .otherwise(waitAfterFailure.next(retryStep)),
    );
    for (const t of [act, poll, confirm]) t.addCatch(countFailure, { errors: [sfn.Errors.ALL], resultPath: STATE_PATH.stepError });

    this.startState = route;
  }
}
