/** `Custom::AtlasPrivateEndpointService`: one Atlas private endpoint service, for one provider and region. */
import { RESOURCE_TYPE_SERVICE } from '../../model/service-properties';
import type { LifecycleResource } from '../core/resource';
import { planServiceRequest } from './decisions';
import { actOnService, pollService } from './steps';
import { cleanupService, findUnseenService, isServiceReplacementPair } from './unseen';

export const serviceResource: LifecycleResource = {
  resourceType: RESOURCE_TYPE_SERVICE,
  plan: planServiceRequest,
  act: actOnService,
  poll: pollService,
  cleanup: cleanupService,
  isReplacementPair: isServiceReplacementPair,
  findUnseen: findUnseenService,
};
