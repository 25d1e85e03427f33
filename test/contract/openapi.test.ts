import { contractOperations, matchOperation, requestProblems, responseProblems } from './openapi';

// The validator itself must be able to say no; these hold it to the contract README's examples.
describe('OpenAPI contract validator', () => {
  const recordedCreate = {
    cloudProvider: 'AWS',
    endpointServiceName: null,
    errorMessage: null,
    id: '691153e4b3b9fc3bec1bf4a8',
    interfaceEndpoints: [],
    regionName: 'EU_CENTRAL_1',
    status: 'INITIATING',
  };

  it('knows the eight operations', () => {
    expect(contractOperations().map((o) => o.operationId).sort()).toEqual([
      'createPrivateEndpoint',
      'createPrivateEndpointService',
      'deletePrivateEndpoint',
      'deletePrivateEndpointService',
      'getPrivateEndpoint',
      'getPrivateEndpointService',
      'listPrivateEndpointService',
      'updatePrivateEndpointService',
    ]);
    expect(matchOperation('GET', '/api/atlas/v2/groups/5f1e0a1b2c3d4e5f6a7b8c9d/privateEndpoint/AWS/endpointService/691153e4b3b9fc3bec1bf4a8')).toEqual({
      operationId: 'getPrivateEndpointService',
      params: { groupId: '5f1e0a1b2c3d4e5f6a7b8c9d', cloudProvider: 'AWS', endpointServiceId: '691153e4b3b9fc3bec1bf4a8' },
    });
  });

  it('accepts recorded live answers under the documented allowances', () => {
    expect(responseProblems('createPrivateEndpointService', 201, recordedCreate)).toEqual([]);
    expect(responseProblems('deletePrivateEndpointService', 202, {})).toEqual([]);
    expect(
      responseProblems('createPrivateEndpointService', 409, {
        detail: 'A private endpoint service already exists for AWS region US_EAST_1.',
        error: 409,
        errorCode: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
        parameters: ['AWS', 'US_EAST_1'],
        reason: 'Conflict',
      }),
    ).toEqual([]);
    expect(
      responseProblems('listPrivateEndpointService', 429, {
        detail: 'Rate limit exceeded for api/atlas/v2/orgs. Please retry after 55 seconds. Request capacity: 10. Refill rate: 5 per 60 seconds.',
        error: 429,
        errorCode: 'RATE_LIMITED_TOKEN_BUCKET',
        parameters: ['api/atlas/v2/orgs', 55, 10, 5, 60],
        reason: 'Too Many Requests',
      }),
    ).toEqual([]);
  });

  it('rejects what the spec forbids', () => {
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, status: 'READY' })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, privateLinkServiceName: 'pls_x' })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, supportedRemoteRegions: null })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, id: 'abc' })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, interfaceEndpoints: ['x'] })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 200, { ...recordedCreate, endpointServiceName: 'vpce-svc-1' })).not.toEqual([]);
    expect(responseProblems('deletePrivateEndpointService', 202, { status: 'DELETING' })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 404, { error: 404 })).not.toEqual([]);
    expect(responseProblems('getPrivateEndpointService', 404, { error: 400, errorCode: 'X' })).not.toEqual([]);
  });

  it('checks request bodies per provider', () => {
    expect(requestProblems('createPrivateEndpointService', { providerName: 'AWS', region: 'us-east-1' })).toEqual([]);
    expect(requestProblems('createPrivateEndpointService', { providerName: 'ORACLE', region: 'x' })).not.toEqual([]);
    expect(requestProblems('createPrivateEndpointService', { providerName: 'AWS' })).not.toEqual([]);
    expect(requestProblems('updatePrivateEndpointService', { cloudProvider: 'AWS', supportedRemoteRegions: ['US_WEST_2'] })).toEqual([]);
    expect(requestProblems('updatePrivateEndpointService', { supportedRemoteRegions: [] })).not.toEqual([]);
    const aws = { cloudProvider: 'AWS' };
    expect(requestProblems('createPrivateEndpoint', { id: 'vpce-0123456789abcdef0', ...aws }, aws)).toEqual([]);
    expect(requestProblems('createPrivateEndpoint', { id: 'eni-1', ...aws }, aws)).not.toEqual([]);
    expect(requestProblems('createPrivateEndpoint', { ...aws }, aws)).not.toEqual([]);
  });
});
