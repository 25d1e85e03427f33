/** `Custom::AtlasPrivateEndpoint`: the registration of one interface endpoint with an endpoint service. */
import { RESOURCE_TYPE_ENDPOINT } from '../../model/endpoint-properties';
import type { LifecycleResource } from '../core/resource';
import { planEndpointRequest } from './decisions';
import { actOnEndpoint, pollEndpoint } from './steps';
import { cleanupRegistration, findUnseenRegistration, isRegistrationReplacementPair } from './unseen';

export const registrationResource: LifecycleResource = {
  resourceType: RESOURCE_TYPE_ENDPOINT,
  plan: planEndpointRequest,
  act: actOnEndpoint,
  poll: pollEndpoint,
  cleanup: cleanupRegistration,
  isReplacementPair: isRegistrationReplacementPair,
  findUnseen: findUnseenRegistration,
};
