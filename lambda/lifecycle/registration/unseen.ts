/**
 * A registration a request may have made without seeing it: a POST whose answer was lost, or a step
 * CloudFormation's cancellation stopped while it was registering. A registration's id is the interface
 * endpoint's, so where to look is known; what tells it apart from one made before is the register task's
 * look before its POST (`checked`): once Atlas said none was there, one that is there after an attempt whose
 * outcome is unknown is this request's.
 */
import { unlessNotFound } from '../../atlas/errors';
import type { InterfaceEndpoint } from '../../atlas/models';
import { parseEndpointProperties } from '../../model/endpoint-properties';
import type { ExecutionState } from '../core/execution-state';
import type { AtlasApi, StepPorts } from '../core/ports';
import { credentialsOf } from '../core/properties';
import type { Task } from '../tasks';
import { type EndpointRef, formatEndpointPhysicalId, isEndpointPhysicalId, parseEndpointPhysicalId, providerNamed } from './physical-id';

/** True when the state's register attempt may have registered the endpoint without the state showing it. */
export function mayHaveRegisteredUnseen(state: ExecutionState): boolean {
  const t = state.task;
  if (t.kind !== 'register') return false;
  if (t.uncertain === true) return true;
  // Only a step past the look POSTs: before it, a registration that is there was there before.
  return t.checked === true && (state.stepFailures.count > 0 || state.invocationRetried === true);
}

function refOf(state: ExecutionState): EndpointRef | undefined {
  const parsed = parseEndpointProperties(state.request.ResourceProperties);
  if (!parsed.ok) return undefined;
  const p = parsed.value;
  return { projectId: p.projectId, serviceId: p.endpointServiceId, provider: p.provider, endpointId: p.endpointId };
}

/** The registration, or undefined when Atlas answers 404 (for it or its service). */
export function getOrGone(api: AtlasApi, ref: EndpointRef): Promise<InterfaceEndpoint | undefined> {
  return unlessNotFound(api.getInterfaceEndpoint(ref.projectId, ref.provider, ref.serviceId, ref.endpointId));
}

/** `LifecycleResource.findUnseen` for registrations: the physical id of the registration an unclear attempt made. */
export async function findUnseenRegistration(state: ExecutionState, ports: StepPorts): Promise<string | undefined> {
  if (!mayHaveRegisteredUnseen(state)) return undefined;
  const ref = refOf(state);
  if (!ref) return undefined;
  const api = await ports.atlasFor(credentialsOf(state));
  return (await getOrGone(api, ref)) ? formatEndpointPhysicalId(ref) : undefined;
}

/**
 * `LifecycleResource.cleanup` for registrations: remove the registration this execution made; if a register
 * of unknown outcome may have made it unseen, look for it.
 */
export function cleanupRegistration(state: ExecutionState): Task | undefined {
  const made = parseEndpointPhysicalId(state.made, providerNamed(state.request.ResourceProperties));
  if (made) return { kind: 'deregister', ref: made };
  if (!mayHaveRegisteredUnseen(state)) return undefined;
  const ref = refOf(state);
  return ref ? { kind: 'find-registered', ref } : undefined;
}

/**
 * `LifecycleResource.isReplacementPair` for registrations: both registrations of one project (a registration's
 * id records no predecessor, so a cleanup Delete is told apart by the project alone; README "Limits").
 */
export function isRegistrationReplacementPair(a: string, b: string): boolean {
  const project = (id: string) => (isEndpointPhysicalId(id) ? id.slice(0, id.indexOf('--')) : undefined);
  return project(a) !== undefined && project(a) === project(b) && a !== b;
}
