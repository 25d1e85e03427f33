/** The registration's decisions (`Custom::AtlasPrivateEndpoint`) as plain functions of data: no I/O. */
import type {
  AwsInterfaceEndpoint,
  AzurePrivateEndpoint,
  EndpointService,
  GcpEndpointGroup,
  InterfaceEndpoint,
} from '../../../lambda/atlas/models';
import type { CloudFormationRequest } from '../../../lambda/cloudformation/request';
import {
  judgeConnection,
  judgeRemoval,
  ownerOfRegistration,
  planEndpointRequest,
  gcpEndpointsProblem,
  registeredAlreadyReason,
  registrationBody,
} from '../../../lambda/lifecycle/registration/decisions';
import { connectionOf } from '../../../lambda/lifecycle/registration/status';
import { pollWaitSeconds } from '../../../lambda/lifecycle/core/wait';
import { cfnRequest } from '../../support/requests';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const ID = `${PROJECT}--${SERVICE}--${VPCE}`;
/** A registration the request made: it answers the registration's id whatever the outcome. */
const IDS = { ready: ID, failed: ID };
const ref = { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS' as const, endpointId: VPCE };
const AZURE_ID =
  '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe';
const props = { ProjectId: PROJECT, EndpointServiceId: SERVICE, EndpointId: VPCE };

function req(fields: Partial<CloudFormationRequest> = {}): CloudFormationRequest {
  return cfnRequest({
    ResourceType: 'Custom::AtlasPrivateEndpoint',
    LogicalResourceId: 'Registration',
    ResourceProperties: props,
    ...fields,
  });
}

const aws = (fields: Partial<AwsInterfaceEndpoint> = {}): InterfaceEndpoint => ({
  cloudProvider: 'AWS',
  interfaceEndpointId: VPCE,
  connectionStatus: 'PENDING_ACCEPTANCE',
  deleteRequested: false,
  errorMessage: null,
  ...fields,
});

describe('planning a registration request', () => {
  it('Create registers; invalid properties answer FAILED with a marker that names nothing', () => {
    expect(planEndpointRequest(req({}))).toEqual({ task: { kind: 'register' } });
    const bad = planEndpointRequest(req({ ResourceProperties: { ...props, EndpointId: 'vpc-123' } }));
    expect(bad).toMatchObject({ answer: { status: 'FAILED', physicalResourceId: 'not-created-r-1' } });
    expect('answer' in bad && bad.answer.reason).toMatch(/EndpointId "vpc-123" is not an AWS VPC endpoint id/);
  });

  it('Delete removes what its physical id names, and is a no-op for an id that names nothing', () => {
    expect(planEndpointRequest(req({ RequestType: 'Delete', PhysicalResourceId: ID }))).toEqual({ task: { kind: 'deregister', ref } });
    expect(planEndpointRequest(req({ RequestType: 'Delete', PhysicalResourceId: 'not-created-r-0' }))).toEqual({
      answer: { status: 'SUCCESS', physicalResourceId: 'not-created-r-0' },
    });
  });

  it('Update of the same registration reads it; another project, service or endpoint is a new registration', () => {
    const update = (next: Record<string, unknown>) =>
      planEndpointRequest(
        req({ RequestType: 'Update', PhysicalResourceId: ID, ResourceProperties: { ...props, ...next }, OldResourceProperties: props }),
      );
    expect(update({})).toEqual({ task: { kind: 'refresh-endpoint', ref } });
    expect(update({ Profile: 'other' })).toEqual({ task: { kind: 'refresh-endpoint', ref } });
    expect(update({ EndpointId: 'vpce-11111111111111111' })).toEqual({ task: { kind: 'register' } });
    expect(update({ EndpointServiceId: 'aaaaaaaaaaaaaaaaaaaaaaaa' })).toEqual({ task: { kind: 'register' } });
    expect(update({ EndpointId: '' })).toMatchObject({ answer: { status: 'FAILED', physicalResourceId: ID } });
  });

  it("an Update that changes what Atlas cannot change in place (Azure's IP, GCP's rules) fails before any call, keeping the id", () => {
    const azure = { ...props, ProviderName: 'AZURE', EndpointId: AZURE_ID, PrivateEndpointIpAddress: '10.0.1.4' };
    const azureId = `${PROJECT}--${SERVICE}--${AZURE_ID}`;
    const update = (before: Record<string, unknown>, after: Record<string, unknown>, id: string) =>
      planEndpointRequest(req({ RequestType: 'Update', PhysicalResourceId: id, ResourceProperties: after, OldResourceProperties: before }));
    expect(update(azure, { ...azure, Profile: 'other' }, azureId)).toEqual({
      task: { kind: 'refresh-endpoint', ref: { projectId: PROJECT, serviceId: SERVICE, provider: 'AZURE', endpointId: AZURE_ID } },
    });
    const changed = update(azure, { ...azure, PrivateEndpointIpAddress: '10.0.1.5' }, azureId);
    expect(changed).toMatchObject({ answer: { status: 'FAILED', physicalResourceId: azureId } });
    expect('answer' in changed && changed.answer.reason).toMatch(/cannot change registration .* in place .*Give a new EndpointId/);
    const gcp = {
      ...props,
      ProviderName: 'GCP',
      EndpointId: 'atlas-group',
      GcpProjectId: 'my-gcp-project',
      Endpoints: [{ EndpointName: 'atlas-group-0', IpAddress: '10.128.0.10' }],
    };
    const gcpId = `${PROJECT}--${SERVICE}--atlas-group`;
    expect(update(gcp, { ...gcp, Endpoints: [{ EndpointName: 'atlas-group-0', IpAddress: '10.128.0.11' }] }, gcpId)).toMatchObject({
      answer: { status: 'FAILED', physicalResourceId: gcpId },
    });
    expect(update(gcp, { ...gcp, EndpointId: 'atlas-group-2' }, gcpId)).toEqual({ task: { kind: 'register' } });
  });
});

describe('judging a registration', () => {
  const clock = { now: 1_000_000, deadlineAt: 1_000_000 + 600_000, polls: 0 };

  it('AVAILABLE succeeds with every attribute', () => {
    const v = judgeConnection(aws({ connectionStatus: 'AVAILABLE' }), ref, IDS, clock, true);
    expect(v).toEqual({
      outcome: 'READY',
      answer: {
        status: 'SUCCESS',
        physicalResourceId: ID,
        data: {
          InterfaceEndpointId: VPCE,
          ConnectionStatus: 'AVAILABLE',
          DeleteRequested: 'false',
          ErrorMessage: '',
          EndpointServiceId: SERVICE,
          ProjectId: PROJECT,
          ProviderName: 'AWS',
          PrivateEndpointConnectionName: '',
          PrivateEndpointIpAddress: '',
          GcpProjectId: '',
          EndpointGroupName: '',
        },
      },
    });
  });

  it("an Azure or GCP registration's attributes carry what Atlas reports for it", () => {
    const azureRef = { ...ref, provider: 'AZURE' as const, endpointId: AZURE_ID };
    const az: AzurePrivateEndpoint = {
      cloudProvider: 'AZURE',
      status: 'AVAILABLE',
      privateEndpointIPAddress: '10.0.1.4',
      privateEndpointResourceId: AZURE_ID,
      privateEndpointConnectionName: '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9%2Fapp-rg%2Fatlas-pe',
      errorMessage: null,
    };
    const v = judgeConnection(az, azureRef, IDS, clock, true);
    expect('answer' in v && v.answer.data).toMatchObject({
      InterfaceEndpointId: AZURE_ID,
      ProviderName: 'AZURE',
      PrivateEndpointIpAddress: '10.0.1.4',
      PrivateEndpointConnectionName: '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9%2Fapp-rg%2Fatlas-pe',
      GcpProjectId: '',
    });
    const g: GcpEndpointGroup = {
      cloudProvider: 'GCP',
      status: 'FAILED',
      endpointGroupName: 'atlas-group',
      gcpProjectId: 'my-gcp-project',
      errorMessage: 'forwarding rule not found',
    };
    const failed = judgeConnection(g, { ...ref, provider: 'GCP', endpointId: 'atlas-group' }, IDS, clock, true);
    expect(failed).toMatchObject({
      outcome: 'FAILED',
      answer: { status: 'FAILED', data: { GcpProjectId: 'my-gcp-project', EndpointGroupName: 'atlas-group' } },
    });
    expect('answer' in failed && failed.answer.reason).toMatch(
      /FAILED: forwarding rule not found\. Check that each forwarding rule targets/,
    );
  });

  it("a REJECTED connection fails with Atlas's message unless enforcement is off", () => {
    const rejected = aws({ connectionStatus: 'REJECTED', errorMessage: 'endpoint in another account' });
    const enforced = judgeConnection(rejected, ref, IDS, clock, true);
    expect(enforced).toMatchObject({
      outcome: 'FAILED',
      answer: { status: 'FAILED', physicalResourceId: ID, data: { ConnectionStatus: 'REJECTED' } },
    });
    expect(enforced.outcome !== 'WAIT' && enforced.answer.reason).toMatch(
      /REJECTED: endpoint in another account.*EnforceConnectionSuccess/,
    );
    expect(judgeConnection(rejected, ref, IDS, clock, false)).toMatchObject({
      outcome: 'READY',
      answer: { status: 'SUCCESS', data: { ConnectionStatus: 'REJECTED' } },
    });
  });

  it('waits while Atlas settles the connection, with the poll schedule and within the deadline', () => {
    expect(judgeConnection(aws(), ref, IDS, clock, true)).toEqual({
      outcome: 'WAIT',
      waitSeconds: pollWaitSeconds(),
      lastStatus: 'PENDING_ACCEPTANCE',
    });
    expect(judgeConnection(aws({ connectionStatus: 'PENDING' }), ref, IDS, { ...clock, polls: 3 }, true)).toEqual({
      outcome: 'WAIT',
      waitSeconds: pollWaitSeconds(),
      lastStatus: 'PENDING',
    });
    const late = judgeConnection(aws(), ref, IDS, { ...clock, deadlineAt: clock.now }, true);
    expect(late).toMatchObject({ outcome: 'DEADLINE', answer: { status: 'FAILED', physicalResourceId: ID } });
    expect(late.outcome !== 'WAIT' && late.answer.reason).toMatch(/Timed out.*PENDING_ACCEPTANCE/);
  });

  it('a registration that disappeared or is being deleted fails', () => {
    const gone = judgeConnection(undefined, ref, IDS, clock, true);
    expect(gone.outcome !== 'WAIT' && gone.answer.reason).toMatch(/disappeared from Atlas \(404\)/);
    expect(judgeConnection(aws({ connectionStatus: 'DELETING' }), ref, IDS, clock, true)).toMatchObject({ outcome: 'FAILED' });
    expect(judgeConnection(aws({ connectionStatus: 'AVAILABLE', deleteRequested: true }), ref, IDS, clock, true)).toMatchObject({
      outcome: 'FAILED',
    });
  });

  it('a registration taken over answers its id on success only: a failure, a deletion, a 404 or the deadline answer the id given', () => {
    const adopted = { ready: ID, failed: 'not-created-r-1' };
    const rejected = judgeConnection(aws({ connectionStatus: 'REJECTED' }), ref, adopted, clock, true);
    expect(rejected).toMatchObject({ outcome: 'FAILED', answer: { physicalResourceId: 'not-created-r-1' } });
    expect(judgeConnection(aws({ connectionStatus: 'DELETING' }), ref, adopted, clock, true)).toMatchObject({
      answer: { physicalResourceId: 'not-created-r-1' },
    });
    expect(judgeConnection(undefined, ref, adopted, clock, true)).toMatchObject({ answer: { physicalResourceId: 'not-created-r-1' } });
    expect(judgeConnection(aws(), ref, adopted, { ...clock, deadlineAt: clock.now }, true)).toMatchObject({
      outcome: 'DEADLINE',
      answer: { physicalResourceId: 'not-created-r-1' },
    });
    expect(judgeConnection(aws({ connectionStatus: 'AVAILABLE' }), ref, adopted, clock, true)).toMatchObject({
      outcome: 'READY',
      answer: { physicalResourceId: ID },
    });
    expect(judgeConnection(aws({ connectionStatus: 'REJECTED' }), ref, adopted, clock, false)).toMatchObject({
      outcome: 'READY',
      answer: { physicalResourceId: ID },
    });
  });

  it('a removal is done at 404 and waits while the registration is still there', () => {
    expect(judgeRemoval(undefined, ID, clock)).toEqual({ outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: ID } });
    expect(judgeRemoval(aws({ connectionStatus: 'DELETING', deleteRequested: true }), ID, clock)).toEqual({
      outcome: 'WAIT',
      waitSeconds: pollWaitSeconds(),
      lastStatus: 'DELETING',
    });
    // Atlas accepted the removal: at the deadline the Delete succeeds, Atlas finishes on its own.
    expect(judgeRemoval(aws({ connectionStatus: 'DELETING', deleteRequested: true }), ID, { ...clock, deadlineAt: clock.now })).toEqual({
      outcome: 'DEADLINE',
      answer: { status: 'SUCCESS', physicalResourceId: ID },
    });
  });
});

describe('the status table per provider', () => {
  const azure = (status: AzurePrivateEndpoint['status']): InterfaceEndpoint => ({
    cloudProvider: 'AZURE',
    status,
    deleteRequested: false,
    errorMessage: null,
  });
  const gcp = (status: GcpEndpointGroup['status']): InterfaceEndpoint => ({
    cloudProvider: 'GCP',
    status,
    deleteRequested: false,
    errorMessage: null,
  });

  it("reads each provider's own words", () => {
    expect(
      ['PENDING_ACCEPTANCE', 'PENDING', 'AVAILABLE', 'REJECTED', 'DELETING'].map(
        (s) => connectionOf(aws({ connectionStatus: s as AwsInterfaceEndpoint['connectionStatus'] })).state,
      ),
    ).toEqual(['pending', 'pending', 'ready', 'failed', 'deleting']);
    expect((['INITIATING', 'AVAILABLE', 'FAILED', 'DELETING'] as const).map((s) => connectionOf(azure(s)).state)).toEqual([
      'pending',
      'ready',
      'failed',
      'deleting',
    ]);
    expect((['INITIATING', 'VERIFIED', 'AVAILABLE', 'FAILED', 'DELETING'] as const).map((s) => connectionOf(gcp(s)).state)).toEqual([
      'pending',
      'pending',
      'ready',
      'failed',
      'deleting',
    ]);
  });

  it('keeps waiting on a status Atlas added after the table, and takes deleteRequested as deleting', () => {
    expect(connectionOf(aws({ connectionStatus: 'SOMETHING_NEW' as AwsInterfaceEndpoint['connectionStatus'] })).state).toBe('pending');
    expect(connectionOf(aws({ connectionStatus: 'AVAILABLE', deleteRequested: true })).state).toBe('deleting');
  });
});

describe('the registration body', () => {
  it("is each provider's shape in the contract: AWS the vpce id, AZURE the resource id and IP, GCP the group, project and rules", () => {
    expect(registrationBody(VPCE, { provider: 'AWS' })).toEqual({ cloudProvider: 'AWS', id: VPCE });
    expect(registrationBody(AZURE_ID, { provider: 'AZURE', privateEndpointIpAddress: '10.0.1.4' })).toEqual({
      cloudProvider: 'AZURE',
      id: AZURE_ID,
      privateEndpointIPAddress: '10.0.1.4',
    });
    expect(
      registrationBody('atlas-group', {
        provider: 'GCP',
        gcpProjectId: 'my-gcp-project',
        endpoints: [{ endpointName: 'atlas-group-0', ipAddress: '10.128.0.10' }],
      }),
    ).toEqual({
      cloudProvider: 'GCP',
      endpointGroupName: 'atlas-group',
      gcpProjectId: 'my-gcp-project',
      endpoints: [{ endpointName: 'atlas-group-0', ipAddress: '10.128.0.10' }],
    });
  });
});

describe("a GCP endpoint group against its service's mode", () => {
  const rules = (n: number) => Array.from({ length: n }, (_, i) => ({ endpointName: `atlas-group-${i}`, ipAddress: `10.128.0.${i + 10}` }));
  const group = (n: number, endpointId = 'atlas-group') =>
    ({
      projectId: PROJECT,
      provider: 'GCP',
      endpointServiceId: SERVICE,
      endpointId,
      details: { provider: 'GCP', gcpProjectId: 'my-gcp-project', endpoints: rules(n) },
      credentials: {},
      enforceConnectionSuccess: true,
      adoptExisting: false,
      clusterNames: [],
      serviceTimeoutSeconds: 3600,
    }) as const;
  const service = (portMappingEnabled: boolean, attachments: number): EndpointService => ({
    cloudProvider: 'GCP',
    id: SERVICE,
    regionName: 'CENTRAL_US',
    status: 'AVAILABLE',
    errorMessage: null,
    portMappingEnabled,
    serviceAttachmentNames: Array.from({ length: attachments }, (_, i) => `projects/p-x/regions/us-central1/serviceAttachments/sa-${i}`),
  });

  it('with port mapping takes exactly one forwarding rule, named as the EndpointId', () => {
    expect(gcpEndpointsProblem(group(1, 'atlas-group-0'), service(true, 1))).toBeUndefined();
    expect(gcpEndpointsProblem(group(2, 'atlas-group-0'), service(true, 1))).toMatch(/exactly one forwarding rule, and Endpoints gives 2/);
    expect(gcpEndpointsProblem(group(1, 'atlas-group'), service(true, 1))).toMatch(/EndpointId must be "atlas-group-0"/);
  });

  it('without port mapping takes one forwarding rule per service attachment', () => {
    expect(gcpEndpointsProblem(group(6), service(false, 6))).toBeUndefined();
    expect(gcpEndpointsProblem(group(1), service(false, 6))).toMatch(/6 service attachments: .* Endpoints gives 1/);
    // While Atlas has not listed the attachments yet, the register itself is left to judge.
    expect(gcpEndpointsProblem(group(1), service(false, 0))).toBeUndefined();
  });
});

describe('a registration found in place by a register (409)', () => {
  it('is ours after an attempt that may have registered it; otherwise taken over only with AdoptExisting', () => {
    expect(ownerOfRegistration(true, false, false)).toBe('ours');
    expect(ownerOfRegistration(true, true, false)).toBe('ours');
    expect(ownerOfRegistration(false, true, false)).toBe('adopt');
    expect(ownerOfRegistration(false, false, false)).toBe('refuse');
  });

  it("while the stack rolls back it takes it over: the rollback's Update back to the stack's original registration finds it registered", () => {
    expect(ownerOfRegistration(false, false, true)).toBe('adopt');
    expect(ownerOfRegistration(true, false, true)).toBe('ours');
  });

  it('without the opt-in, the reason names the service and the endpoint and says what to do', () => {
    const reason = registeredAlreadyReason(ref, aws({ connectionStatus: 'AVAILABLE' }));
    expect(reason).toContain(SERVICE);
    expect(reason).toContain(VPCE);
    expect(reason).toContain(PROJECT);
    expect(reason).toMatch(/connection AVAILABLE/);
    expect(reason).toMatch(/set AdoptExisting to true/);
    expect(reason).toMatch(/remove the registration in Atlas/);
  });
});
