/**
 * Decisions for `Custom::AtlasPrivateEndpoint`, the registration of an interface endpoint with an
 * endpoint service: what a request does, and what Atlas's connection status means for it. Plain
 * functions of data.
 */
import type { InterfaceEndpoint } from '../../atlas/models';
import type { CloudFormationRequest } from '../../cloudformation/request';
import { parseEndpointProperties } from '../../model/endpoint-properties';
import { InvalidPropertiesError } from '../../model/errors';
import type { CloudProvider } from '../../model/provider';
import { OUTCOME } from '../../model/wait-loop';
import { physicalIdOfNothingMade } from '../core/physical-id';
import { type AnswerIds, type Clocked, failedVerdict, invalidPropertiesPlan, type Plan, type Verdict } from '../core/verdict';
import { waitForDeletion, waitOrDeadline } from '../core/wait';
import { endpointAttributes } from './attributes';
import { type EndpointRef, parseEndpointPhysicalId } from './physical-id';
import { connectionOf } from './status';

/** The body Atlas wants to register an endpoint of this provider. */
export function registrationBody(provider: CloudProvider, endpointId: string) {
  if (provider !== 'AWS') throw new InvalidPropertiesError(`Registering ${provider} endpoints is not supported yet.`);
  return { cloudProvider: 'AWS' as const, id: endpointId };
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
            "Check that the VPC endpoint points at the service's EndpointServiceName in the same region and account; set EnforceConnectionSuccess to false to accept a refused connection.",
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

function providerOf(request: CloudFormationRequest): CloudProvider {
  const p = String(request.ResourceProperties?.ProviderName ?? 'AWS').toUpperCase();
  return p === 'AZURE' || p === 'GCP' ? p : 'AWS';
}

/** The first step for a registration request. */
export function planEndpointRequest(request: CloudFormationRequest): Plan {
  const parsed = parseEndpointProperties(request.ResourceProperties);
  switch (request.RequestType) {
    case 'Create':
      return parsed.ok ? { task: { kind: 'register' } } : invalidPropertiesPlan(request, parsed.problems);
    case 'Delete': {
      const ref = parseEndpointPhysicalId(request.PhysicalResourceId, providerOf(request));
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
      return same ? { task: { kind: 'refresh-endpoint', ref } } : { task: { kind: 'register' } };
    }
  }
}
