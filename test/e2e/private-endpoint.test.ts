/**
 * End to end through the local runner for `Custom::AtlasPrivateEndpoint`: registering an interface
 * endpoint with a service, as AtlasPrivateLink's stack does after its VPC endpoint exists.
 */
import { ENDPOINT_ATTRIBUTE_NAMES } from '../../lambda/lifecycle/registration/attributes';
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { DEFAULT_PROJECT_ID } from '../../local/atlas-emulator';
import { expectWellAnswered } from '../support/answers';
import { useRunner } from '../support/emulator';

const PROJECT = DEFAULT_PROJECT_ID;
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const registration = { logicalResourceId: 'Registration', resourceType: RESOURCE_TYPE_ENDPOINT };
const serviceProps = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' };

const env = useRunner();

async function service(): Promise<{ physicalResourceId: string; id: string }> {
  const { create } = await env.runner.create(serviceProps, { logicalResourceId: 'Service' });
  expect(create.status).toBe('SUCCESS');
  return { physicalResourceId: create.physicalResourceId, id: create.data!.Id };
}

const endpointsOf = (serviceId: string) => {
  const s = env.emulator.services(PROJECT).find((x) => x.id === serviceId);
  return s && s.cloudProvider === 'AWS' ? s.interfaceEndpoints : undefined;
};

describe('Custom::AtlasPrivateEndpoint', () => {
  it('registers the interface endpoint and waits until Atlas reports it AVAILABLE', async () => {
    const svc = await service();
    const props = { ProjectId: PROJECT, EndpointServiceId: svc.id, EndpointId: VPCE };
    const { create } = await env.runner.create(props, registration);
    expect(create.status).toBe('SUCCESS');
    expect(create.physicalResourceId).toBe(`${PROJECT}--${svc.id}--${VPCE}`);
    expect(create.data).toEqual({
      InterfaceEndpointId: VPCE,
      ConnectionStatus: 'AVAILABLE',
      DeleteRequested: 'false',
      ErrorMessage: '',
      EndpointServiceId: svc.id,
      ProjectId: PROJECT,
      ProviderName: 'AWS',
      PrivateEndpointConnectionName: '',
      PrivateEndpointIpAddress: '',
      GcpProjectId: '',
      EndpointGroupName: '',
    });
    expect(Object.keys(create.data!).sort()).toEqual([...ENDPOINT_ATTRIBUTE_NAMES].sort());
    expect(create.simulatedSeconds).toBeGreaterThanOrEqual(90); // PENDING_ACCEPTANCE, then PENDING
    expect(endpointsOf(svc.id)).toEqual([VPCE]);
    expect(env.emulator.services(PROJECT)[0].status).toBe('AVAILABLE');
    expectWellAnswered(env.runner);
  });

  it("REJECTED with enforcement: FAILED with Atlas's message, and the rollback removes the registration", async () => {
    const svc = await service();
    env.emulator.faults.nextEndpoint({ outcome: 'REJECTED', errorMessage: 'Endpoint was rejected by the service owner' });
    const { create, rollback } = await env.runner.create({ ProjectId: PROJECT, EndpointServiceId: svc.id, EndpointId: VPCE }, registration);
    expect(create.status).toBe('FAILED');
    expect(create.reason).toMatch(/REJECTED: Endpoint was rejected by the service owner/);
    expect(create.physicalResourceId).toBe(`${PROJECT}--${svc.id}--${VPCE}`);
    expect(rollback?.status).toBe('SUCCESS');
    expectWellAnswered(env.runner);
  });

  it('REJECTED without enforcement: SUCCESS, and the attributes say REJECTED and why', async () => {
    const svc = await service();
    env.emulator.faults.nextEndpoint({ outcome: 'REJECTED', errorMessage: 'Endpoint was rejected by the service owner' });
    const { create } = await env.runner.create(
      { ProjectId: PROJECT, EndpointServiceId: svc.id, EndpointId: VPCE, EnforceConnectionSuccess: false },
      registration,
    );
    expect(create.status).toBe('SUCCESS');
    expect(create.data).toMatchObject({ ConnectionStatus: 'REJECTED', ErrorMessage: 'Endpoint was rejected by the service owner' });
    expectWellAnswered(env.runner);
  });

  it('deleting the last interface endpoint takes the service with it, and both Deletes succeed', async () => {
    const svc = await service();
    const props = { ProjectId: PROJECT, EndpointServiceId: svc.id, EndpointId: VPCE };
    const { create } = await env.runner.create(props, registration);
    const removed = await env.runner.delete({ physicalResourceId: create.physicalResourceId, properties: props }, registration);
    expect(removed.status).toBe('SUCCESS');
    expect(env.emulator.services(PROJECT).map((s) => s.status)).toEqual(['DELETING']); // Atlas's own doing
    const gone = await env.runner.delete(
      { physicalResourceId: svc.physicalResourceId, properties: serviceProps },
      { logicalResourceId: 'Service' },
    );
    expect(gone.status).toBe('SUCCESS');
    expect(env.emulator.services(PROJECT)).toEqual([]);
    // And once the service is gone, a late Delete of either finds 404: success.
    expect((await env.runner.delete({ physicalResourceId: create.physicalResourceId, properties: props }, registration)).status).toBe(
      'SUCCESS',
    );
    expect(
      (await env.runner.delete({ physicalResourceId: svc.physicalResourceId, properties: serviceProps }, { logicalResourceId: 'Service' }))
        .status,
    ).toBe('SUCCESS');
    expectWellAnswered(env.runner);
  });

  it('a registration step that crashes after registering does not register twice', async () => {
    const svc = await service();
    // The crash comes after the POST (the step past the look).
    await env.restart({ faults: [{ step: 'act', when: 'after', match: (s) => s.task.kind === 'register' && s.task.checked === true }] });
    const { create } = await env.runner.create({ ProjectId: PROJECT, EndpointServiceId: svc.id, EndpointId: VPCE }, registration);
    expect(create.status).toBe('SUCCESS');
    expect(endpointsOf(svc.id)).toEqual([VPCE]);
    expect(env.runner.reports.filter((r) => r.error)).toHaveLength(1);
    expect(env.emulator.requests.filter((r) => r.operation === 'createEndpoint' && r.status !== 401).map((r) => r.status)).toEqual([
      201, 409,
    ]);
    expectWellAnswered(env.runner);
  });

  it('the same registration delivered twice registers once and answers once', async () => {
    const svc = await service();
    const r = await env.runner.send(
      'Create',
      { ProjectId: PROJECT, EndpointServiceId: svc.id, EndpointId: VPCE },
      { ...registration, deliveries: 2 },
    );
    expect(r).toMatchObject({ status: 'SUCCESS', answers: 1 });
    expect(endpointsOf(svc.id)).toEqual([VPCE]);
    expectWellAnswered(env.runner);
  });

  it('a new VPC endpoint is a new registration; CloudFormation then removes the old one, leaving the service', async () => {
    const svc = await service();
    const props = { ProjectId: PROJECT, EndpointServiceId: svc.id, EndpointId: VPCE };
    const { create } = await env.runner.create(props, registration);
    const next = { ...props, EndpointId: 'vpce-0ffffffffffffffff' };
    const { update, cleanup } = await env.runner.update(
      { physicalResourceId: create.physicalResourceId, properties: props },
      next,
      registration,
    );
    expect(update.status).toBe('SUCCESS');
    expect(update.physicalResourceId).toBe(`${PROJECT}--${svc.id}--vpce-0ffffffffffffffff`);
    expect(cleanup?.status).toBe('SUCCESS');
    env.emulator.advance(600);
    expect(endpointsOf(svc.id)).toEqual(['vpce-0ffffffffffffffff']);
    const same = await env.runner.update(
      { physicalResourceId: update.physicalResourceId, properties: next },
      { ...next, EnforceConnectionSuccess: false },
      registration,
    );
    expect(same.update).toMatchObject({ status: 'SUCCESS', physicalResourceId: update.physicalResourceId });
    expectWellAnswered(env.runner);
  });

  it('names the missing service and where its id comes from', async () => {
    const { create } = await env.runner.create(
      { ProjectId: PROJECT, EndpointServiceId: 'aaaaaaaaaaaaaaaaaaaaaaaa', EndpointId: VPCE },
      registration,
    );
    expect(create.status).toBe('FAILED');
    expect(create.reason).toMatch(/no AWS private endpoint service aaaaaaaaaaaaaaaaaaaaaaaa.*PrivateLinkId/);
    expectWellAnswered(env.runner);
  });
});
