/**
 * Decisions for `Custom::AtlasPrivateEndpointService`: what the region holds, whether a service is ready,
 * what an Update changes. Plain functions of data; Atlas's statuses are read through `status.ts`.
 */
import type { EndpointService, InterfaceEndpoint } from '../../atlas/models';
import type { CloudFormationRequest } from '../../cloudformation/request';
import { guessAtlasRegionName } from '../../model/regions';
import { parseServiceProperties, type ServiceProperties } from '../../model/service-properties';
import { OUTCOME } from '../../model/wait-loop';
import { physicalIdOfNothingMade } from '../core/physical-id';
import type { StackContext } from '../core/resource';
import { isRollingBack } from '../core/standing';
import { classify } from '../core/status-table';
import { type AnswerIds, type Clocked, failedVerdict, invalidPropertiesPlan, type Plan, type Verdict } from '../core/verdict';
import { waitForDeletion, waitOrDeadline } from '../core/wait';
import { connectionOf } from '../registration/status';
import { serviceAttributes } from './attributes';
import { parseReplacedService, parseServicePhysicalId, type ServiceRef } from './physical-id';
import { SERVICE_STATUS } from './status';

export function refOf(projectId: string, service: EndpointService): ServiceRef {
  return { projectId, serviceId: service.id, provider: service.cloudProvider, region: service.regionName };
}

/** Ready for what depends on it: AVAILABLE or WAITING_FOR_USER, and for AWS a service name to point an interface endpoint at. */
export function isReady(service: EndpointService, remoteRegions?: readonly string[]): boolean {
  if (classify(SERVICE_STATUS, service.status) !== 'ready') return false;
  if (service.cloudProvider === 'AWS' && !service.endpointServiceName) return false;
  if (remoteRegions && service.cloudProvider === 'AWS') {
    const live = [...(service.supportedRemoteRegions ?? [])].sort();
    if (live.join(',') !== [...remoteRegions].sort().join(',')) return false;
  }
  return true;
}

/**
 * Judges one poll while waiting for a service to be ready. `service` is undefined when Atlas answered 404.
 * A failure answers `ids.failed`: the service's own id only when the request created it.
 */
export function judgeReadiness(
  service: EndpointService | undefined,
  ref: ServiceRef,
  ids: AnswerIds,
  c: Clocked,
  remoteRegions?: readonly string[],
): Verdict {
  const physicalResourceId = ids.failed;
  if (!service) {
    return failedVerdict(
      physicalResourceId,
      `The ${ref.provider} private endpoint service ${ref.serviceId} in ${ref.region} of Atlas project ${ref.projectId} disappeared (404) while waiting for it to become ready; something deleted it. Deploy again to create a new one.`,
    );
  }
  const status = classify(SERVICE_STATUS, service.status);
  if (status === 'failed') {
    return failedVerdict(
      physicalResourceId,
      `Atlas reports the ${ref.provider} private endpoint service ${service.id} in ${service.regionName} as FAILED: ${service.errorMessage ?? 'no error message given'}.` +
        (ids.failed === ids.ready ? ' It stays in Atlas until deleted; a rollback deletes it.' : ''),
      serviceAttributes(ref.projectId, service),
    );
  }
  if (status === 'deleting') {
    return failedVerdict(
      physicalResourceId,
      `The ${ref.provider} private endpoint service ${service.id} in ${service.regionName} is being deleted in Atlas (status DELETING), so it cannot become ready. Deploy again once it is gone.`,
    );
  }
  if (isReady(service, remoteRegions)) {
    return {
      outcome: OUTCOME.ready,
      answer: { status: 'SUCCESS', physicalResourceId: ids.ready, data: serviceAttributes(ref.projectId, service) },
    };
  }
  return waitOrDeadline(
    c,
    service.status,
    physicalResourceId,
    `waiting for the ${ref.provider} private endpoint service ${service.id} to become ready`,
  );
}

/** True when Atlas is deleting the service. */
export function isDeleting(service: EndpointService | undefined): boolean {
  return service !== undefined && classify(SERVICE_STATUS, service.status) === 'deleting';
}

/**
 * Judges one poll while waiting for a service whose deletion Atlas accepted to be gone: SUCCESS at 404, or at
 * the deadline while Atlas still deletes it (whatever its status: a read that lags may still show AVAILABLE).
 */
export function judgeGone(service: EndpointService | undefined, physicalResourceId: string, c: Clocked): Verdict {
  if (!service) return { outcome: OUTCOME.ready, answer: { status: 'SUCCESS', physicalResourceId } };
  return waitForDeletion(
    c,
    service.status,
    physicalResourceId,
    `waiting for Atlas to finish deleting private endpoint service ${service.id}`,
  );
}

/** The interface endpoints an AWS service lists as registered (the registrations this version makes). */
export function registrationIdsOf(service: EndpointService | undefined): string[] {
  return service?.cloudProvider === 'AWS' ? [...service.interfaceEndpoints] : [];
}

/**
 * Atlas refused to delete a service that still lists registrations: is that only until Atlas has removed
 * them? True when there is at least one and Atlas is removing each (a Delete of it was accepted, which the
 * registration's own Delete answers SUCCESS for at its deadline); then the delete is asked again while the
 * deadline allows. False when one stays: only its owner can remove it, and the refusal's reason says so.
 */
export function onlyRemovalsInTheWay(registrations: readonly (InterfaceEndpoint | undefined)[]): boolean {
  return registrations.length > 0 && registrations.every((e) => e === undefined || connectionOf(e).state === 'deleting');
}

export type Inspection =
  | { action: 'create' }
  | { action: 'adopt'; service: EndpointService }
  | { action: 'conflict'; service: EndpointService }
  | { action: 'wait-for-deletion'; service: EndpointService };

/** Before a create: what the project's services of this provider say about the region. */
export function inspect(services: readonly EndpointService[], props: ServiceProperties): Inspection {
  const region = guessAtlasRegionName(props.provider, props.region.input);
  const existing = services.find((s) => s.regionName === region);
  if (!existing) return { action: 'create' };
  // One service per provider and region: a service on its way out must be gone before a new one can exist.
  if (classify(SERVICE_STATUS, existing.status) === 'deleting') return { action: 'wait-for-deletion', service: existing };
  return props.adoptExisting ? { action: 'adopt', service: existing } : { action: 'conflict', service: existing };
}

/**
 * After a create answered 409 "already exists": whose is the service? It is this execution's own when the
 * region was free at inspection and an earlier attempt may have created it (a POST without a clear answer,
 * or a step that failed after acting). Otherwise someone else created it in between.
 */
export function ownerOfConflict(priorAttemptMayHaveCreated: boolean, adoptExisting: boolean): 'ours' | 'adopt' | 'conflict' {
  if (priorAttemptMayHaveCreated) return 'ours';
  return adoptExisting ? 'adopt' : 'conflict';
}

export function conflictReason(projectId: string, service: EndpointService): string {
  return (
    `Atlas project ${projectId} already has a ${service.cloudProvider} private endpoint service in ${service.regionName} ` +
    `(id ${service.id}, status ${service.status}), and Atlas allows one per provider and region. ` +
    'To manage that service with this resource, set AdoptExisting to true; otherwise delete it in Atlas or choose another region.'
  );
}

/** The first step for a service request. Pure: validation, physical id parsing, what changed. */
export function planServiceRequest(request: CloudFormationRequest, stack: StackContext = {}): Plan {
  const parsed = parseServiceProperties(request.ResourceProperties);
  switch (request.RequestType) {
    case 'Create':
      if (!parsed.ok) return invalidPropertiesPlan(request, parsed.problems);
      return { task: { kind: 'inspect' } };
    case 'Delete': {
      const ref = parseServicePhysicalId(request.PhysicalResourceId);
      // A failed Create's marker, or an id CloudFormation made up for a Create cancelled before its answer.
      if (!ref) return { answer: { status: 'SUCCESS', physicalResourceId: physicalIdOfNothingMade(request) } };
      return { task: { kind: 'delete', ref } };
    }
    case 'Update':
      return planUpdate(request, parsed, stack);
  }
}

function planUpdate(request: CloudFormationRequest, parsed: ReturnType<typeof parseServiceProperties>, stack: StackContext): Plan {
  if (!parsed.ok) return invalidPropertiesPlan(request, parsed.problems);
  const next = parsed.value;
  const ref = parseServicePhysicalId(request.PhysicalResourceId);
  if (!ref) return { task: { kind: 'inspect' } }; // nothing of ours to update: create it
  const oldParsed = parseServiceProperties(request.OldResourceProperties);
  const old = oldParsed.ok ? oldParsed.value : undefined;

  const regionChanged = next.region.atlasName
    ? next.region.atlasName !== ref.region
    : !old || old.region.input.toLowerCase() !== next.region.input.toLowerCase();
  const replaced = next.projectId !== ref.projectId || next.provider !== ref.provider || regionChanged;
  const portMappingChanged = (old?.portMappingEnabled ?? false) !== (next.portMappingEnabled ?? false);

  // Another project, provider or region is another service: create it; CloudFormation deletes the old one.
  // Unless the stack is rolling back and it is the service this one replaced: take that back if it is there.
  // Outside a rollback the replaced service may have been released (UpdateReplacePolicy: Retain), so it is
  // taken over only as any service would be, with AdoptExisting.
  const rollingBack = isRollingBack(stack);
  if (replaced) return { task: (rollingBack ? restoreTarget(request.PhysicalResourceId, next) : undefined) ?? { kind: 'inspect' } };
  const oldRemote = old?.supportedRemoteRegions ?? [];
  const newRemote = next.supportedRemoteRegions ?? [];
  if (oldRemote.join(',') !== newRemote.join(',')) return { task: { kind: 'patch', ref, remoteRegions: [...newRemote] } };
  // Whether PortMappingEnabled really changes is for the live service to say: a rollback of a refused
  // change asks for what the service already has.
  return { task: { kind: 'refresh', ref, ...(portMappingChanged ? { portMappingEnabled: next.portMappingEnabled ?? false } : {}) } };
}

/** The service the physical id records as replaced, when the properties ask for its project, provider and region. */
function restoreTarget(physicalResourceId: string | undefined, next: ServiceProperties) {
  const replaced = parseReplacedService(physicalResourceId);
  if (!replaced) return undefined;
  const { ref } = replaced;
  const region = next.region.atlasName ?? guessAtlasRegionName(next.provider, next.region.input);
  const same = ref.projectId === next.projectId && ref.provider === next.provider && ref.region === region;
  return same ? { kind: 'restore' as const, ...replaced } : undefined;
}

/**
 * Whether an Update may answer with the service its physical id records as replaced: the same service (id,
 * provider, region) is still in Atlas, ready and as the properties describe it. A service on its way out, gone,
 * or changed goes the way of any replacement (look at the region, create), so nobody else's service is taken.
 */
export function mayRestore(service: EndpointService | undefined, ref: ServiceRef, props: ServiceProperties): boolean {
  if (!service || service.id !== ref.serviceId || service.cloudProvider !== ref.provider || service.regionName !== ref.region) {
    return false;
  }
  const askedPortMapping = props.portMappingEnabled;
  if (service.cloudProvider === 'GCP' && askedPortMapping !== undefined && (service.portMappingEnabled ?? false) !== askedPortMapping) {
    return false;
  }
  return isReady(service, props.supportedRemoteRegions);
}

/** A refresh that finds the live service's port mapping differs from what the properties ask for. */
export function portMappingChangeReason(region: string): string {
  return (
    `PortMappingEnabled cannot change on an existing service: it needs a new service in ${region}, and Atlas allows only one per provider and region, ` +
    'so the new one cannot exist before the old one is deleted. Remove the resource in one deployment and add it back with the new setting in the next.'
  );
}
