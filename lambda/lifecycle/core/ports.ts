/**
 * The ports a step acts through: the clock, the logger, Atlas (per credentials) and the answer's delivery.
 * The Lambda wires them to the real adapters (`runtime/`), the local runner to the emulator and a virtual clock.
 */
import type { AtlasClient } from '../../atlas/client';
import type { LoggerLike } from '../../logging';
import type { CredentialsSource } from '../../model/credentials-secret';

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
>;

export interface StepPorts {
  now(): number;
  logger: LoggerLike;
  atlasFor(source: CredentialsSource): Promise<AtlasApi>;
  deliver(responseUrl: string, body: string): Promise<unknown>;
}
