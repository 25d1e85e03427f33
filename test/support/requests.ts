/** CloudFormation requests as the lifecycle's tests need them: a default for every field, the test's own on top. */
import type { CloudFormationRequest } from '../../lambda/cloudformation/request';
import { RESOURCE_TYPE_SERVICE } from '../../lambda/model/service-properties';

export const TEST_STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1';

/** A Create of a service in stack `s` with no properties, unless `fields` says otherwise. */
export function cfnRequest(fields: Partial<CloudFormationRequest> = {}): CloudFormationRequest {
  return {
    RequestType: 'Create',
    ResponseURL: 'https://s3.example/response?X-Amz-Signature=abc',
    StackId: TEST_STACK_ID,
    RequestId: 'r-1',
    ResourceType: RESOURCE_TYPE_SERVICE,
    LogicalResourceId: 'Service',
    ResourceProperties: {},
    ...fields,
  };
}
