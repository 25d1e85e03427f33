/** CloudFormation stand-ins for tests of steps that run without a stamp (no look at CloudFormation is due). */
import type { CloudFormationReader } from '../../lambda/cloudformation/stack-view';

/** Fails the test if a step asks CloudFormation anything. */
export const notAsked: CloudFormationReader = {
  describe: async () => {
    throw new Error('this step was not expected to ask CloudFormation');
  },
};

/**
 * A CloudFormation that agrees with whatever request it is told about (`request`): the resource in the status
 * the request implies, as it is when CloudFormation itself sent it, last changed at `lastUpdated`; for a
 * malformed event, whatever its fields suggest.
 */
export function agreeing(lastUpdated = 0): CloudFormationReader & { request?: unknown } {
  const reader: CloudFormationReader & { request?: unknown } = {
    describe: async () => {
      const e = (typeof reader.request === 'object' && reader.request !== null ? reader.request : {}) as Record<string, unknown>;
      const type = typeof e.RequestType === 'string' ? e.RequestType.toUpperCase() : 'CREATE';
      return {
        stackStatus: `${type}_IN_PROGRESS`,
        resource: {
          resourceType: typeof e.ResourceType === 'string' ? e.ResourceType : '',
          status: `${type}_IN_PROGRESS`,
          lastUpdated,
          ...(typeof e.PhysicalResourceId === 'string' ? { physicalResourceId: e.PhysicalResourceId } : {}),
        },
      };
    },
  };
  return reader;
}

/** `agreeing`, told about `event` once and for all. */
export function agreeingWith(event: unknown): CloudFormationReader {
  return Object.assign(agreeing(), { request: event });
}
