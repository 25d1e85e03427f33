/**
 * The data one Step Functions execution carries from step to step for one CloudFormation request. Each
 * Lambda step receives it whole and returns it whole; the state machine only reads `outcome`, `next`
 * and `waitSeconds` to route, and `stepFailures` to bound retries of failed steps.
 */
import type { AnswerInput } from '../cloudformation/answer';
import type { CloudFormationRequest } from '../cloudformation/request';
import type { EndpointRef, ServiceRef } from './physical-id';

export interface StepFailures {
  count: number;
  backoffSeconds: number;
}

/** After a step succeeds: no failures, and the first retry of a later failure waits 10 s. */
export const NO_STEP_FAILURES: StepFailures = { count: 0, backoffSeconds: 5 };

/** What the Choice state routes on. */
export type Outcome = 'WAIT' | 'READY' | 'FAILED' | 'DEADLINE';

/** What the execution is doing for the request. */
export type Task =
  /** Create: look for a service already in the region. */
  | { kind: 'inspect'; replacing?: ServiceRef }
  /** Create: the region was free at inspection; POST (again, after a retryable failure). */
  | { kind: 'create'; replacing?: ServiceRef; /** an earlier POST may have been carried out */ uncertain?: boolean }
  /** Wait until the service is ready (after create, adopt or patch). */
  | { kind: 'await-ready'; ref: ServiceRef; origin: 'created' | 'adopted' | 'patched'; remoteRegions?: string[] }
  /** Update in place: PATCH `supportedRemoteRegions`. */
  | { kind: 'patch'; ref: ServiceRef; remoteRegions: string[] }
  /**
   * Update without change in Atlas: read the attributes. `portMappingEnabled` is what the properties ask
   * for when it differs from the old properties; the live service decides whether that is a change.
   */
  | { kind: 'refresh'; ref: ServiceRef; portMappingEnabled?: boolean }
  /** Delete: ask Atlas to delete (again, after a retryable failure). */
  | { kind: 'delete'; ref: ServiceRef }
  /** Delete: wait for 404. */
  | { kind: 'await-gone'; ref: ServiceRef }
  /** Registration: add the interface endpoint to the service (again, after a retryable failure). */
  | { kind: 'register' }
  /** Registration: wait until Atlas has settled the connection. */
  | { kind: 'await-connection'; ref: EndpointRef; origin: 'registered' | 'adopted' | 'existing' }
  /** Registration update without change in Atlas: read it; register again if it vanished. */
  | { kind: 'refresh-endpoint'; ref: EndpointRef }
  /** Registration delete: ask Atlas to remove it (again, after a retryable failure). */
  | { kind: 'deregister'; ref: EndpointRef }
  /** Registration delete: wait for 404. */
  | { kind: 'await-removal'; ref: EndpointRef }
  /** Nothing left to do but answer. */
  | { kind: 'done' };

export interface ExecutionState {
  request: CloudFormationRequest;
  /** Epoch ms when the provider first received the request. */
  receivedAt: number;
  /** Epoch ms by which the answer must go out (ServiceTimeout minus a margin). */
  deadlineAt: number;
  task: Task;
  next: 'act' | 'poll' | 'answer';
  outcome: Outcome;
  waitSeconds: number;
  /** Polls so far (drives the backoff). */
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
}
