/** What a decision returns: wait and come back, or the answer the request ends with. */
import type { AnswerInput } from '../../cloudformation/answer';
import type { CloudFormationRequest } from '../../cloudformation/request';
import { describeProblems, type PropertyProblem } from '../../model/property-reader';
import { OUTCOME } from '../../model/wait-loop';
import type { Task } from '../tasks';
import { physicalIdOfNothingMade } from './physical-id';

export type Verdict =
  | { outcome: typeof OUTCOME.wait; waitSeconds: number; lastStatus?: string; task?: Task }
  | { outcome: typeof OUTCOME.ready | typeof OUTCOME.failed | typeof OUTCOME.deadline; answer: AnswerInput };

/** The clock as a decision sees it. */
export interface Clocked {
  now: number;
  deadlineAt: number;
  polls: number;
}

/** The first step for a request: a task for the wait loop, or an answer that needs no Atlas call. */
export type Plan = { task: Task } | { answer: AnswerInput };

/**
 * The physical ids a judgement answers with: `ready` on success; `failed` on failure, which names only what
 * the request made (a service or registration it took over stays when it fails, so the rollback must not
 * see its id).
 */
export interface AnswerIds {
  readonly ready: string;
  readonly failed: string;
}

/** The request ends FAILED: `reason` says why, `physicalResourceId` names what the rollback may delete. */
export function failedVerdict(physicalResourceId: string, reason: string, data?: AnswerInput['data']): Verdict {
  return { outcome: OUTCOME.failed, answer: { status: 'FAILED', physicalResourceId, reason, ...(data ? { data } : {}) } };
}

/** A request whose properties cannot be used ends at once, naming each problem; it made nothing. */
export function invalidPropertiesPlan(request: CloudFormationRequest, problems: readonly PropertyProblem[]): Plan {
  return {
    answer: {
      status: 'FAILED',
      physicalResourceId: physicalIdOfNothingMade(request),
      reason: `Invalid properties: ${describeProblems(problems)}`,
    },
  };
}
