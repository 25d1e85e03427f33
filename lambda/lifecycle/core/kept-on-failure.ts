/**
 * Adopted is not created: when a request fails while its task holds something it took over (a service
 * adopted with `AdoptExisting`, a registration taken over), the FAILED answer does not name it, so
 * CloudFormation's rollback leaves it alone, and its reason says that it stays. Every way a request fails
 * (a refusal, Atlas's status, the deadline, giving up) passes its answer through here.
 */
import type { AnswerInput } from '../../cloudformation/answer';
import { keptOnFailureOf, type Task } from '../tasks';
import type { ExecutionState } from './execution-state';
import { physicalIdOfNothingMade } from './physical-id';

export function sayWhatStays(answer: AnswerInput, task: Task, request: ExecutionState['request']): AnswerInput {
  if (answer.status !== 'FAILED') return answer;
  const kept = keptOnFailureOf(task);
  if (!kept) return answer;
  return {
    ...answer,
    physicalResourceId:
      answer.physicalResourceId === kept.physicalResourceId ? physicalIdOfNothingMade(request) : answer.physicalResourceId,
    reason: answer.reason ? `${answer.reason} ${kept.sentence}` : kept.sentence,
  };
}
