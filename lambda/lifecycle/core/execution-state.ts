/**
 * The data one Step Functions execution carries from step to step for one CloudFormation request. Each
 * Lambda step receives it whole and returns it whole; the state machine reads only the fields named in
 * `model/wait-loop.ts` (`outcome`, `next`, `waitSeconds`, `stepFailures`, and writes `stepError`).
 */
import type { AnswerInput } from '../../cloudformation/answer';
import type { CloudFormationRequest } from '../../cloudformation/request';
import type { NextStep, Outcome, StepFailures } from '../../model/wait-loop';
import type { Task } from '../tasks';
import type { UndoItem } from './cleanup';
import type { Stamp } from './standing';

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
   * The physical id of what this request created in Atlas (not what it adopted), kept once known: if
   * CloudFormation does not take it, this execution removes it (`core/cleanup.ts`).
   */
  made?: string;
  /** What CloudFormation showed for the resource when the request was accepted (`core/standing.ts`). */
  stamp?: Stamp;
  /** The stack's status then. */
  stackStatus?: string;
  /** Epoch ms of the last look at CloudFormation. */
  lookedAt?: number;
  /** Looks in a row that showed a status older than the stamp (a lagging read). */
  behindLooks?: number;
  /** Set by the answer step once the answer is delivered: epoch ms. */
  answeredAt?: number;
  /** Why CloudFormation is no longer waiting for this request: set when the execution starts removing what it made. */
  abandoned?: string;
  /** What this execution made and is removing because CloudFormation did not take it: `undo[0]` first. */
  undo?: UndoItem[];
  /** What this execution could not remove, and why (its final state, and its log). */
  leftInAtlas?: { physicalResourceId?: string; task: string; reason: string };
}
