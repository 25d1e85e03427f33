/**
 * The ports a step acts through: the clock, the logger, Atlas (per credentials), the answer's delivery, and
 * a way to sleep between looks within one step.
 * The Lambda wires them to the real adapters (`runtime/`), the local runner to the emulator and a virtual clock.
 */
import type { AtlasClient } from '../../atlas/client';
import type { CloudFormationReader } from '../../cloudformation/stack-view';
import type { LogFields, LoggerLike } from '../../logging';
import type { CredentialsSource } from '../../model/credentials-secret';
import type { ExecutionState } from './execution-state';

/** The Atlas operations the lifecycle uses. */
export type AtlasApi = Pick<
  AtlasClient,
  | 'listEndpointServices'
  | 'getEndpointService'
  | 'createEndpointService'
  | 'updateEndpointService'
  | 'deleteEndpointService'
  | 'createInterfaceEndpoint'
  | 'getInterfaceEndpoint'
  | 'deleteInterfaceEndpoint'
  | 'getCluster'
>;

export interface StepPorts {
  now(): number;
  logger: LoggerLike;
  atlasFor(source: CredentialsSource): Promise<AtlasApi>;
  deliver(responseUrl: string, body: string): Promise<unknown>;
  /** What CloudFormation holds for the request's stack and logical id: asked before acting, while waiting and after answering. */
  cloudFormation: CloudFormationReader;
  /**
   * Sleeps within the step (real time in Lambda, simulated time locally). Without it a step looks once and
   * leaves every wait to Step Functions.
   */
  sleep?(ms: number): Promise<void>;
}

/** What a step's helpers work with: the state it received, its ports, and the fields of its log lines. */
export interface StepContext {
  state: ExecutionState;
  ports: StepPorts;
  log: LogFields;
}
