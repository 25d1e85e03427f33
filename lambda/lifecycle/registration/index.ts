/** `Custom::AtlasPrivateEndpoint`: the registration of one interface endpoint with an endpoint service. */
import { RESOURCE_TYPE_ENDPOINT } from '../../model/endpoint-properties';
import type { LifecycleResource } from '../core/resource';
import { planEndpointRequest } from './decisions';
import { actOnEndpoint, pollEndpoint } from './steps';
import { parseEndpointPhysicalId } from './physical-id';

export const registrationResource: LifecycleResource = {
  resourceType: RESOURCE_TYPE_ENDPOINT,
  plan: planEndpointRequest,
  act: actOnEndpoint,
  poll: pollEndpoint,
  // A registration this request made is removed; one whose POST may have landed unseen cannot be told
  // from one made by someone else (a registration carries no creation time), so it is left alone.
  undo: (last) => {
    const ref = parseEndpointPhysicalId(last.made);
    return ref ? { kind: 'deregister', ref } : undefined;
  },
};
