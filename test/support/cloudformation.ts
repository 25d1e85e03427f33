/** CloudFormation stand-ins for tests of steps that run without a stamp (no look at CloudFormation is due). */
import type { CloudFormationReader } from '../../lambda/cloudformation/stack-view';

/** Fails the test if a step asks CloudFormation anything. */
export const notAsked: CloudFormationReader = {
  describe: async () => {
    throw new Error('this step was not expected to ask CloudFormation');
  },
};

/**
 * A CloudFormation that agrees with the request `event` (the resource in the status the request implies,
 * as it is when CloudFormation itself sent it); for a malformed event, whatever its fields suggest.
 */
export function agreeingWith(event: unknown): CloudFormationReader {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const type = typeof e.RequestType === 'string' ? e.RequestType.toUpperCase() : 'CREATE';
  return {
    describe: async () => ({
      stackStatus: type === 'CREATE' ? 'CREATE_IN_PROGRESS' : `${type}_IN_PROGRESS`,
      resource: {
        resourceType: typeof e.ResourceType === 'string' ? e.ResourceType : '',
        status: `${type}_IN_PROGRESS`,
        lastUpdated: 0,
        ...(typeof e.PhysicalResourceId === 'string' ? { physicalResourceId: e.PhysicalResourceId } : {}),
      },
    }),
  };
}
