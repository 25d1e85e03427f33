/**
 * What a resource type brings to the lifecycle: how a request is planned, and its act and poll steps.
 * Each lives in its own folder (`service/`, `registration/`); `registry.ts` maps a `ResourceType` to one.
 */
import type { CloudFormationRequest } from '../../cloudformation/request';
import type { ExecutionState } from './execution-state';
import type { StepPorts } from './ports';
import type { Plan } from './verdict';

/** What CloudFormation said of the stack when the request was accepted. */
export interface StackContext {
  stackStatus?: string;
}
import type { CleanupPlanner } from './cleanup';

export interface LifecycleResource {
  /** CloudFormation's `Type` of the custom resource. */
  readonly resourceType: string;
  /** The first step for a request: pure (validation, physical id parsing, what changed), given the stack's status. */
  plan(request: CloudFormationRequest, stack?: StackContext): Plan;
  /** The Act state: change something in Atlas (or look before changing). */
  act(state: ExecutionState, ports: StepPorts): Promise<ExecutionState>;
  /** The Poll state: read Atlas and judge whether the wait is over. */
  poll(state: ExecutionState, ports: StepPorts): Promise<ExecutionState>;
  /** The task that removes what an execution made that CloudFormation did not take (`core/cleanup.ts`). */
  cleanup?: CleanupPlanner;
  /** Whether two physical ids of this type are a replacement and what it replaced (either way round). */
  isReplacementPair?(a: string, b: string): boolean;
  /**
   * Before a request that may have created something unseen (a create whose outcome is unknown) ends
   * FAILED: look in Atlas, and return the physical id of what it created, so that the answer names it and
   * CloudFormation's rollback deletes it. Undefined when it created nothing (or nothing can tell).
   */
  findUnseen?(state: ExecutionState, ports: StepPorts): Promise<string | undefined>;
}
