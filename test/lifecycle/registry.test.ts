/** The registry: which resource serves a request's ResourceType, and the answer for a type nobody serves. */
import type { CloudFormationRequest } from '../../lambda/cloudformation/request';
import { planRequest, resourceFor } from '../../lambda/lifecycle/registry';
import { cfnRequest } from '../support/requests';

function req(fields: Partial<CloudFormationRequest> = {}): CloudFormationRequest {
  return cfnRequest({ ResponseURL: 'https://s3.example/response', ResourceType: 'Custom::Other', LogicalResourceId: 'Other', ...fields });
}

describe('the registry', () => {
  it('maps both resource types, and an empty type to the service', () => {
    expect(resourceFor('Custom::AtlasPrivateEndpointService')?.resourceType).toBe('Custom::AtlasPrivateEndpointService');
    expect(resourceFor('Custom::AtlasPrivateEndpoint')?.resourceType).toBe('Custom::AtlasPrivateEndpoint');
    expect(resourceFor('')?.resourceType).toBe('Custom::AtlasPrivateEndpointService');
    expect(resourceFor('Custom::Other')).toBeUndefined();
  });

  it('answers a type it does not serve at once: FAILED naming the types it serves, and a Delete as done', () => {
    const create = planRequest(req({}));
    expect(create).toMatchObject({ answer: { status: 'FAILED', physicalResourceId: 'not-created-r-1' } });
    expect('answer' in create && create.answer.reason).toBe(
      "This provider serves Custom::AtlasPrivateEndpointService and Custom::AtlasPrivateEndpoint, not Custom::Other. Check the resource's Type and ServiceToken.",
    );
    expect(planRequest(req({ RequestType: 'Delete', PhysicalResourceId: 'x-1' }))).toEqual({
      answer: { status: 'SUCCESS', physicalResourceId: 'x-1' },
    });
  });
});
