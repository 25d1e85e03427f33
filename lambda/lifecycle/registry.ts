/**
 * The resource types this provider serves, by CloudFormation `Type`. A new resource type is a folder beside
 * `service/` and `registration/` (decisions, steps, tasks, attributes, physical id), added here and to `tasks.ts`.
 */
import type { CloudFormationRequest } from '../cloudformation/request';
import { physicalIdOfNothingMade } from './core/physical-id';
import type { LifecycleResource, StackContext } from './core/resource';
import type { Plan } from './core/verdict';
import { registrationResource } from './registration';
import { serviceResource } from './service';

const RESOURCES: readonly LifecycleResource[] = [serviceResource, registrationResource];

/** The resource for a request's `ResourceType`; an empty one is the service (the first resource this provider served). */
export function resourceFor(resourceType: string | undefined): LifecycleResource | undefined {
  if (resourceType === undefined || resourceType === '') return serviceResource;
  return RESOURCES.find((r) => r.resourceType === resourceType);
}

/** The first step for a request, by resource type. */
export function planRequest(request: CloudFormationRequest, stack: StackContext = {}): Plan {
  const resource = resourceFor(request.ResourceType);
  if (resource) return resource.plan(request, stack);
  const physicalResourceId = physicalIdOfNothingMade(request);
  if (request.RequestType === 'Delete') return { answer: { status: 'SUCCESS', physicalResourceId } };
  return {
    answer: {
      status: 'FAILED',
      physicalResourceId,
      reason: `This provider serves ${RESOURCES.map((r) => r.resourceType).join(' and ')}, not ${request.ResourceType}. Check the resource's Type and ServiceToken.`,
    },
  };
}

/** `ReplacementPair` (`core/standing.ts`) by resource type. */
export function isReplacementPair(resourceType: string, a: string, b: string): boolean {
  return resourceFor(resourceType)?.isReplacementPair?.(a, b) ?? false;
}
