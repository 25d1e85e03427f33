/**
 * The data one Step Functions execution carries from step to step for one CloudFormation request. Each
 * Lambda step receives it whole and returns it whole; the state machine reads only the fields named in
 * `model/wait-loop.ts` (`outcome`, `next`, `waitSeconds`, `stepFailures`, and writes `stepError`).
 */
import type { AnswerInput } from '../../cloudformation/answer';
import type { CloudFormationRequest } from '../../cloudformation/request';
import type { NextStep, Outcome, StepFailures } from '../../model/wait-loop';
import type { Task } from '../tasks';
import type { UndoItem } from './cancellation';

export type { Task } from '../tasks';

export interface ExecutionState {
  request: CloudFormationRequest;
  /** Epoch ms when the provider first received the request. */
  receivedAt: number;
  /** Epoch ms by which the answer must go out (ServiceTimeout minus a margin). */
  deadlineAt: number;
  task: Task;
  next: NextStep;
  outcome: Outcome;
  waitSeconds: number;
  /** Polls so far (in the logs; the poll interval is fixed). */
  polls: number;
  /** Last Atlas status seen, for the deadline's reason. */
  lastStatus?: string;
  /** Set once, when the outcome is final; the answer step sends exactly this. */
  answer?: AnswerInput;
  /**
   * Counted by the state machine when a step fails (the step may have acted before failing); the state
   * machine doubles `backoffSeconds` at each failure and waits that long before the next attempt.
   */
  stepFailures: StepFailures;
  /** The state machine's catch of the last failed step: `{Error, Cause}`. */
  stepError?: { Error?: string; Cause?: string };
  /**
   * Set for one step when the Task's own Retry invoked it again with the same input (the earlier
   * invocation may have acted; the failure count does not see such retries).
   */
  invocationRetried?: boolean;
  /**
   * The physical id of what this request created in Atlas (not what it adopted), kept once known: an
   * execution CloudFormation gave up on is undone by it (`core/cancellation.ts`).
   */
  made?: string;
  /**
   * What an earlier request CloudFormation gave up on made, to undo before this request's own task:
   * the steps work on `undo[0]` until it is done.
   */
  undo?: UndoItem[];
  /** The answer this request's plan gave at once, sent once `undo` is done. */
  answerAfterUndo?: AnswerInput;
}
