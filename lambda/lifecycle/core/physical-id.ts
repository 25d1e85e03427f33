/**
 * The one rule for the physical id of a request that made nothing in Atlas (invalid properties, an
 * unknown resource type, a Delete of something that was never ours, a wait loop that could not start):
 * the id CloudFormation sent, or, for a Create, which has none, a marker that names nothing. Deleting a
 * marker is a no-op, because no resource's physical id parser accepts it.
 */
import type { CloudFormationRequest } from '../../cloudformation/request';

/** The id answered when a Create failed before anything existed in Atlas. */
export function notCreatedMarker(requestId: string): string {
  return `not-created-${requestId}`.slice(0, 200);
}

/** The physical id of an answer for a request that made nothing. */
export function physicalIdOfNothingMade(request: Pick<CloudFormationRequest, 'PhysicalResourceId' | 'RequestId'>): string {
  return request.PhysicalResourceId || notCreatedMarker(request.RequestId);
}
