/**
 * Decisions for `Custom::AtlasPrivateEndpoint`, the registration of an interface endpoint with an
 * endpoint service: what a request does, and what Atlas's connection status means for it. Plain
 * functions of data.
 */
import type { CreateInterfaceEndpointRequest, EndpointService, InterfaceEndpoint } from '../../atlas/models';
import type { CloudFormationRequest } from '../../cloudformation/request';
import { type EndpointProperties, parseEndpointProperties, type RegistrationDetails } from '../../model/endpoint-properties';
import type { CloudProvider } from '../../model/provider';
import { OUTCOME } from '../../model/wait-loop';
import { physicalIdOfNothingMade } from '../core/physical-id';
import { type AnswerIds, type Clocked, failedVerdict, invalidPropertiesPlan, type Plan, type Verdict } from '../core/verdict';
import { waitForDeletion, waitOrDeadline } from '../core/wait';
import { endpointAttributes } from './attributes';
import { type EndpointRef, parseEndpointPhysicalId, providerNamed } from './physical-id';
import { connectionOf } from './status';

/** The body Atlas wants to register an endpoint of this provider. */
export function registrationBody(endpointId: string, details: RegistrationDetails): CreateInterfaceEndpointRequest {
  switch (details.provider) {
    case 'AWS':
      return { cloudProvider: 'AWS', id: endpointId };
    case 'AZURE':
      return { cloudProvider: 'AZURE', id: endpointId, privateEndpointIPAddress: details.privateEndpointIpAddress };
    case 'GCP':
      return {
        cloudProvider: 'GCP',
        endpointGroupName: endpointId,
        gcpProjectId: details.gcpProjectId,
        endpoints: details.endpoints.map((e) => ({ endpointName: e.endpointName, ipAddress: e.ipAddress })),
      };
  }
}

/**
 * Atlas's rule for the forwarding rules of a GCP endpoint group, judged against the service before the register:
 * a service with port mapping takes exactly one (and reads the registration back under that rule's name, so
 * EndpointId must be it); one without takes one per service attachment. Undefined when the group fits (or the
 * service does not say yet how many attachments it has), else why not and what to do.
 */
export function gcpEndpointsProblem(props: EndpointProperties, service: EndpointService): string | undefined {
  if (props.details.provider !== 'GCP' || service.cloudProvider !== 'GCP') return undefined;
  const rules = props.details.endpoints;
  if (service.portMappingEnabled === true) {
    if (rules.length !== 1) {
      return `Private endpoint service ${service.id} uses port mapping: its endpoint group takes exactly one forwarding rule, and Endpoints gives ${rules.length}. Give the one forwarding rule; nothing was registered.`;
    }
    if (rules[0].endpointName !== props.endpointId) {
      return `Private endpoint service ${service.id} uses port mapping: Atlas knows the registration by its forwarding rule's name, so EndpointId must be "${rules[0].endpointName}" (it is "${props.endpointId}"). Nothing was registered.`;
    }
    return undefined;
  }
  const attachments = service.serviceAttachmentNames?.length ?? 0;
  if (attachments > 0 && rules.length !== attachments) {
    return `Private endpoint service ${service.id} has no port mapping and ${attachments} service attachments: its endpoint group takes one forwarding rule per attachment (${attachments}), and Endpoints gives ${rules.length}. Nothing was registered.`;
  }
  return undefined;
}

/** The registration details that cannot change in place, as Atlas knows no update of a registration. */
function detailsKey(details: RegistrationDetails): string {
  switch (details.provider) {
    case 'AWS':
      return '';
    case 'AZURE':
      return details.privateEndpointIpAddress;
    case 'GCP':
      return JSON.stringify([details.gcpProjectId, details.endpoints.map((e) => [e.endpointName, e.ipAddress])]);
  }
}

/**
 * A register answered 409, or the look before it, shows this interface endpoint registered with this
 * service: whose is it? This request's own when an earlier attempt of it may have registered it (a POST
 * without a clear answer, a step that failed after acting, a Lambda-level retry). Otherwise it was there
 * before the request, and is taken over only with AdoptExisting, by a Create or an Update alike; or while
 * the stack rolls back (CloudFormation says so: `UPDATE_ROLLBACK_IN_PROGRESS`), when the Update back names
 * the registration the stack held before the Update that replaced it, still there until the cleanup.
 */
export function ownerOfRegistration(
  earlierAttemptMayHaveRegistered: boolean,
  adoptExisting: boolean,
  stackRollingBack: boolean,
): 'ours' | 'adopt' | 'refuse' {
  if (earlierAttemptMayHaveRegistered) return 'ours';
  return adoptExisting || stackRollingBack ? 'adopt' : 'refuse';
}

/** Why a Create does not take over a registration it found without AdoptExisting, and what to do. */
export function registeredAlreadyReason(ref: EndpointRef, endpoint: InterfaceEndpoint): string {
  return (
    `Interface endpoint ${ref.endpointId} is already registered with private endpoint service ${ref.serviceId} of Atlas project ${ref.projectId} ` +
    `(connection ${connectionOf(endpoint).status}), and this request did not register it: someone else (another stack, Terraform, the console) did. ` +
    'To manage that registration with this resource, set AdoptExisting to true; otherwise remove the registration in Atlas, then deploy again. Nothing was changed.'
  );
}

const CONNECTION_ADVICE: Record<CloudProvider, string> = {
  AWS: "Check that the VPC endpoint points at the service's EndpointServiceName in the same region and account",
  AZURE:
    "Check that the Azure private endpoint connects to the service's PrivateLinkServiceResourceId and that PrivateEndpointIpAddress is the address Azure gave it",
  GCP: "Check that each forwarding rule targets one of the service's ServiceAttachmentNames in GcpProjectId, with the IP address it was given",
};

/**
 * Judges one poll of a registration. With enforcement on (the default) only AVAILABLE succeeds and a
 * REJECTED (or FAILED) connection fails the request with Atlas's message; with it off, the request
 * succeeds once Atlas has settled the connection either way, and the attributes say which. A failure
 * answers `ids.failed`: the registration's own id only when the request made it.
 */
export function judgeConnection(
  endpoint: InterfaceEndpoint | undefined,
  ref: EndpointRef,
  ids: AnswerIds,
  c: Clocked,
  enforceConnectionSuccess: boolean,
): Verdict {
  const physicalResourceId = ids.failed;
  const success = (data: ReturnType<typeof endpointAttributes>): Verdict => ({
    outcome: OUTCOME.ready,
    answer: { status: 'SUCCESS', physicalResourceId: ids.ready, data },
  });
  const what = `interface endpoint ${ref.endpointId} on private endpoint service ${ref.serviceId}`;
  if (!endpoint) {
    return failedVerdict(
      physicalResourceId,
      `The registration of ${what} disappeared from Atlas (404) while waiting for its connection. Deploy again to register it anew.`,
    );
  }
  const conn = connectionOf(endpoint);
  const data = endpointAttributes(ref, endpoint);
  switch (conn.state) {
    case 'ready':
      return success(data);
    case 'failed':
      if (!enforceConnectionSuccess) return success(data);
      return {
        outcome: OUTCOME.failed,
        answer: {
          status: 'FAILED',
          physicalResourceId,
          data,
          reason:
            `Atlas reports the connection of ${what} as ${conn.status}: ${conn.errorMessage || 'no error message given'}. ` +
            `${CONNECTION_ADVICE[ref.provider]}; set EnforceConnectionSuccess to false to accept a refused connection.`,
        },
      };
    case 'deleting':
      return failedVerdict(
        physicalResourceId,
        `The registration of ${what} is being deleted in Atlas (status ${conn.status}); deploy again once it is gone.`,
      );
    case 'pending':
      return waitOrDeadline(c, conn.status, physicalResourceId, `waiting for Atlas to accept ${what}`);
  }
}

/**
 * Judges one poll while waiting for a deregistration Atlas accepted to finish: SUCCESS at 404, or at the
 * deadline while Atlas still removes it.
 */
export function judgeRemoval(endpoint: InterfaceEndpoint | undefined, physicalResourceId: string, c: Clocked): Verdict {
  if (!endpoint) return { outcome: OUTCOME.ready, answer: { status: 'SUCCESS', physicalResourceId } };
  return waitForDeletion(c, connectionOf(endpoint).status, physicalResourceId, 'waiting for Atlas to remove the interface endpoint');
}

const IMMUTABLE: Record<CloudProvider, string> = {
  AWS: 'nothing but EndpointId names it',
  AZURE: 'PrivateEndpointIpAddress is fixed with the private endpoint',
  GCP: 'GcpProjectId and Endpoints are fixed with the endpoint group',
};

/** The first step for a registration request. */
export function planEndpointRequest(request: CloudFormationRequest): Plan {
  const parsed = parseEndpointProperties(request.ResourceProperties);
  switch (request.RequestType) {
    case 'Create':
      return parsed.ok ? { task: { kind: 'register' } } : invalidPropertiesPlan(request, parsed.problems);
    case 'Delete': {
      const ref = parseEndpointPhysicalId(request.PhysicalResourceId, providerNamed(request.ResourceProperties));
      if (!ref) return { answer: { status: 'SUCCESS', physicalResourceId: physicalIdOfNothingMade(request) } };
      return { task: { kind: 'deregister', ref } };
    }
    case 'Update': {
      if (!parsed.ok) return invalidPropertiesPlan(request, parsed.problems);
      const next = parsed.value;
      const ref = parseEndpointPhysicalId(request.PhysicalResourceId, next.provider);
      const same =
        ref && ref.projectId === next.projectId && ref.serviceId === next.endpointServiceId && ref.endpointId === next.endpointId;
      // A different project, service or endpoint is another registration: register it, CloudFormation removes the old.
      if (!same) return { task: { kind: 'register' } };
      const before = parseEndpointProperties(request.OldResourceProperties);
      if (before.ok && before.value.provider === next.provider && detailsKey(before.value.details) !== detailsKey(next.details)) {
        return {
          answer: {
            status: 'FAILED',
            physicalResourceId: physicalIdOfNothingMade(request),
            reason: `Atlas cannot change registration ${next.endpointId} in place (${IMMUTABLE[next.provider]}), and registering it anew under the same EndpointId would collide with the one the stack holds. Give a new EndpointId (a new private endpoint or endpoint group) to replace the registration, or put the old values back. Nothing was changed.`,
          },
        };
      }
      return { task: { kind: 'refresh-endpoint', ref } };
    }
  }
}
