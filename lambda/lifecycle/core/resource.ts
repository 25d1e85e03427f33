/**
 * What a resource type brings to the lifecycle: how a request is planned, and its act and poll steps.
 * Each lives in its own folder (`service/`, `registration/`); `registry.ts` maps a `ResourceType` to one.
 */
import type { CloudFormationRequest } from '../../cloudformation/request';
import type { ExecutionState } from './execution-state';
import type { StepPorts } from './ports';
import type { Plan } from './verdict';

export interface LifecycleResource {
  /** CloudFormation's `Type` of the custom resource. */
  readonly resourceType: string;
  /** The first step for a request: pure (validation, physical id parsing, what changed). */
  plan(request: CloudFormationRequest): Plan;
  /** The Act state: change something in Atlas (or look before changing). */
  act(state: ExecutionState, ports: StepPorts): Promise<ExecutionState>;
  /** The Poll state: read Atlas and judge whether the wait is over. */
  poll(state: ExecutionState, ports: StepPorts): Promise<ExecutionState>;
}
