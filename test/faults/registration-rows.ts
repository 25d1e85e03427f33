/**
 * Registrations on Azure and GCP: each provider's create, cancellation, refusal by Atlas, delete and take-over,
 * with the same guarantees as the AWS rows (nothing left that no stack holds, nothing removed that the stack did
 * not make). A GCP endpoint group is also checked against its service's mode before Atlas sees it.
 */
import type { CloudProvider } from '../../lambda/model/provider';
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { PROJECT, type ScenarioContext } from './harness';
import type { MatrixRow } from './scenarios';

const registration = { logicalResourceId: 'Registration', resourceType: RESOURCE_TYPE_ENDPOINT };
const service = { logicalResourceId: 'Service' };

const AZURE_ID =
  '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe';
const GCP_GROUP = 'atlas-group';
/** A GCP service without port mapping has 6 service attachments (recorded): one forwarding rule each. */
const GCP_RULES = Array.from({ length: 6 }, (_, i) => ({ EndpointName: `${GCP_GROUP}-${i}`, IpAddress: `10.128.0.${10 + i}` }));

type RegistrationProvider = Exclude<CloudProvider, 'AWS'>;

/** The id Atlas knows the registration by, and the registration's properties on this provider. */
const KEY: Record<RegistrationProvider, string> = { AZURE: AZURE_ID, GCP: GCP_GROUP };
function registrationProps(provider: RegistrationProvider, serviceId: string, extra: Record<string, unknown> = {}) {
  const common = { ProjectId: PROJECT, ProviderName: provider, EndpointServiceId: serviceId };
  return provider === 'AZURE'
    ? { ...common, EndpointId: AZURE_ID, PrivateEndpointIpAddress: '10.0.1.4', ...extra }
    : { ...common, EndpointId: GCP_GROUP, GcpProjectId: 'my-gcp-project', Endpoints: GCP_RULES, ...extra };
}

/** The body someone else would register the same endpoint with. */
function outsiderBody(provider: RegistrationProvider) {
  return provider === 'AZURE'
    ? { cloudProvider: 'AZURE' as const, id: AZURE_ID, privateEndpointIPAddress: '10.0.1.4' }
    : {
        cloudProvider: 'GCP' as const,
        endpointGroupName: GCP_GROUP,
        gcpProjectId: 'my-gcp-project',
        endpoints: GCP_RULES.map((r) => ({ endpointName: r.EndpointName, ipAddress: r.IpAddress })),
      };
}

async function serviceOf(ctx: ScenarioContext, extra: Record<string, unknown> = {}): Promise<string> {
  const { create } = await ctx.create(ctx.props(extra), service);
  ctx.check(create.status === 'SUCCESS', `service ${create.status}: ${create.reason}`);
  return create.data!.Id;
}

/** The keys of the registrations Atlas holds on the service (Azure private endpoints, GCP endpoint groups). */
function registered(ctx: ScenarioContext, serviceId: string): string[] {
  const s = ctx.emulator.services(PROJECT).find((x) => x.id === serviceId);
  if (!s) return [];
  return (s.cloudProvider === 'AZURE' ? s.privateEndpoints : s.cloudProvider === 'GCP' ? s.endpointGroupNames : s.interfaceEndpoints) ?? [];
}

async function deleteService(ctx: ScenarioContext): Promise<void> {
  const d = await ctx.delete(service);
  ctx.check(d.status === 'SUCCESS', `service Delete ${d.status}: ${d.reason}`);
}

function rowsFor(provider: RegistrationProvider): MatrixRow[] {
  const key = KEY[provider];
  const rows: MatrixRow[] = [
    {
      name: 'registration: create waits for AVAILABLE, attributes from Atlas, delete waits until it is gone',
      async run(ctx) {
        const svc = await serviceOf(ctx);
        const { create } = await ctx.create(registrationProps(provider, svc), registration);
        ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
        ctx.check(create.physicalResourceId === `${PROJECT}--${svc}--${key}`, `answered ${create.physicalResourceId}`);
        ctx.check(create.data?.ConnectionStatus === 'AVAILABLE', `ConnectionStatus ${create.data?.ConnectionStatus}`);
        ctx.check(create.simulatedSeconds >= 60, `answered after ${create.simulatedSeconds} s, before Atlas could have made it AVAILABLE`);
        if (provider === 'AZURE') {
          ctx.check(
            create.data?.PrivateEndpointIpAddress === '10.0.1.4',
            `PrivateEndpointIpAddress ${create.data?.PrivateEndpointIpAddress}`,
          );
          ctx.check(/%2Fapp-rg%2Fatlas-pe$/.test(create.data?.PrivateEndpointConnectionName ?? ''), 'no PrivateEndpointConnectionName');
        } else {
          ctx.check(create.data?.GcpProjectId === 'my-gcp-project' && create.data?.EndpointGroupName === GCP_GROUP, 'GCP attributes');
        }
        const body = ctx.emulator.requests.find((q) => q.operation === 'createEndpoint' && q.status === 201);
        ctx.check(body !== undefined, 'no register reached Atlas');
        const d = await ctx.delete(registration);
        ctx.check(d.status === 'SUCCESS', `registration Delete ${d.status}: ${d.reason}`);
        ctx.check(!registered(ctx, svc).includes(key), 'the registration is still there after its Delete answered');
        await deleteService(ctx);
      },
    },
    {
      name: "registration FAILED by Atlas: FAILED with Atlas's errorMessage, the rollback removes it",
      async run(ctx) {
        const svc = await serviceOf(ctx);
        ctx.emulator.faults.nextEndpoint({
          outcome: 'REJECTED',
          errorMessage: 'The private endpoint connection was rejected by its owner',
        });
        const { create, rollback } = await ctx.create(registrationProps(provider, svc), registration);
        ctx.check(
          create.status === 'FAILED' && /FAILED: The private endpoint connection was rejected by its owner/.test(create.reason ?? ''),
          `registration ${create.status}: ${create.reason}`,
        );
        ctx.check(
          create.physicalResourceId === `${PROJECT}--${svc}--${key}`,
          `the answer does not name what it made: ${create.physicalResourceId}`,
        );
        ctx.check(rollback?.status === 'SUCCESS', 'rollback');
        ctx.check(!registered(ctx, svc).includes(key), 'the rollback left the refused registration');
        await deleteService(ctx);
      },
    },
    {
      name: 'registration FAILED with enforcement off: SUCCESS, and the attributes say FAILED',
      async run(ctx) {
        const svc = await serviceOf(ctx);
        ctx.emulator.faults.nextEndpoint({ outcome: 'REJECTED' });
        const { create } = await ctx.create(registrationProps(provider, svc, { EnforceConnectionSuccess: false }), registration);
        ctx.check(
          create.status === 'SUCCESS' && create.data?.ConnectionStatus === 'FAILED',
          `${create.status} ${create.data?.ConnectionStatus}`,
        );
        ctx.check((await ctx.delete(registration)).status === 'SUCCESS', 'registration Delete');
        await deleteService(ctx);
      },
    },
    {
      name: 'cancelled Create of a registration: nothing lands after the Delete, and the service can then be deleted',
      async run(ctx) {
        const svc = await serviceOf(ctx);
        const { rollback } = await ctx.cancelledCreate(registrationProps(provider, svc), 5, registration);
        ctx.check(rollback.status === 'SUCCESS', `registration Delete ${rollback.status}: ${rollback.reason}`);
        await ctx.runner.drain();
        ctx.check(!registered(ctx, svc).includes(key), 'a registration outlived the cancelled Create');
        await deleteService(ctx);
      },
    },
    {
      name: 'cancelled while the register step is still in flight (its POST landed): the Delete waits it out and removes the registration',
      runner: { faults: [{ step: 'act', when: 'timeout', match: (s) => s.task.kind === 'register' && s.task.checked === true }] },
      async run(ctx) {
        const svc = await serviceOf(ctx);
        const { create, rollback } = await ctx.cancelledCreate(registrationProps(provider, svc), 20, registration);
        ctx.check(create.abandoned, 'the registration answered before CloudFormation gave up');
        ctx.check(rollback.status === 'SUCCESS', `registration Delete ${rollback.status}: ${rollback.reason}`);
        ctx.check(
          ctx.runner.reports.some((r) => r.before.undo?.[0]?.task.kind === 'find-registered'),
          'the Delete did not look for the registration the step in flight may have made',
        );
        await deleteService(ctx);
      },
    },
    {
      name: "a register whose answer was lost: the 409 that follows is the request's own, and the rollback of its failure removes it",
      async run(ctx) {
        const svc = await serviceOf(ctx);
        ctx.emulator.faults.inject({ operation: 'createEndpoint' }, { kind: 'drop-after-processing' });
        ctx.emulator.faults.nextEndpoint({ outcome: 'REJECTED' });
        const { create, rollback } = await ctx.create(registrationProps(provider, svc), registration);
        ctx.check(create.status === 'FAILED', `registration ${create.status}: ${create.reason}`);
        ctx.check(create.physicalResourceId === `${PROJECT}--${svc}--${key}`, `answered ${create.physicalResourceId}`);
        const posts = ctx.emulator.requests.filter((q) => q.operation === 'createEndpoint' && q.status !== 401).map((q) => q.status);
        ctx.check(posts.includes(409), `no 409 after the lost answer (register answered ${posts.join(', ')}): the row does not test it`);
        ctx.check(rollback?.status === 'SUCCESS', 'rollback');
        await deleteService(ctx);
      },
    },
    {
      name: 'a registration that already exists is not taken over without the opt-in, and stays',
      async run(ctx) {
        const svc = await serviceOf(ctx);
        await ctx.outsider.createInterfaceEndpoint(PROJECT, svc, outsiderBody(provider));
        ctx.foreign(`${svc}/${key}`);
        const { create, rollback } = await ctx.create(registrationProps(provider, svc), registration);
        ctx.check(create.status === 'FAILED', `registration ${create.status}: someone else's registration was taken over`);
        ctx.check(
          create.reason?.includes(key) === true && /set AdoptExisting to true/.test(create.reason ?? ''),
          `the reason does not name the registration and the opt-in: ${create.reason}`,
        );
        ctx.check(!create.physicalResourceId.includes(key), `the answer names the registration: ${create.physicalResourceId}`);
        ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      },
    },
    {
      name: "a registration taken over with the opt-in becomes the stack's: the stack's Delete removes it",
      async run(ctx) {
        const svc = await serviceOf(ctx);
        await ctx.outsider.createInterfaceEndpoint(PROJECT, svc, outsiderBody(provider));
        const { create } = await ctx.create(registrationProps(provider, svc, { AdoptExisting: true }), registration);
        ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
        ctx.check(create.physicalResourceId === `${PROJECT}--${svc}--${key}`, `answered ${create.physicalResourceId}`);
        const d = await ctx.delete(registration);
        ctx.check(d.status === 'SUCCESS', `registration Delete ${d.status}: ${d.reason}`);
        ctx.check(!registered(ctx, svc).includes(key), 'the registration is still there');
        await deleteService(ctx);
      },
    },
    {
      name: 'a registration taken over with the opt-in and then failing stays in place: the rollback leaves it',
      async run(ctx) {
        const svc = await serviceOf(ctx);
        ctx.emulator.faults.nextEndpoint({ outcome: 'STUCK_PENDING' });
        await ctx.outsider.createInterfaceEndpoint(PROJECT, svc, outsiderBody(provider));
        ctx.foreign(`${svc}/${key}`);
        const { create, rollback } = await ctx.create(
          registrationProps(provider, svc, { AdoptExisting: true, ServiceTimeout: 300 }),
          registration,
        );
        ctx.check(create.status === 'FAILED' && /Timed out/.test(create.reason ?? ''), `registration ${create.status}: ${create.reason}`);
        ctx.check(/stays in Atlas/.test(create.reason ?? ''), `the reason does not say it stays: ${create.reason}`);
        ctx.check(!create.physicalResourceId.includes(key), `the answer names the taken-over registration: ${create.physicalResourceId}`);
        ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      },
    },
    {
      name: 'an Update that changes what Atlas cannot change in place fails before any call; the stack keeps its registration',
      async run(ctx) {
        const svc = await serviceOf(ctx);
        const { create } = await ctx.create(registrationProps(provider, svc), registration);
        ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
        const changed =
          provider === 'AZURE'
            ? { PrivateEndpointIpAddress: '10.0.1.5' }
            : { Endpoints: GCP_RULES.map((r, i) => (i === 0 ? { ...r, IpAddress: '10.128.0.99' } : r)) };
        const before = ctx.emulator.requests.filter((q) => q.method !== 'GET').length;
        const { update } = await ctx.update(registrationProps(provider, svc, changed), registration);
        ctx.check(
          update.status === 'FAILED' && /cannot change registration/.test(update.reason ?? ''),
          `Update ${update.status}: ${update.reason}`,
        );
        ctx.check(ctx.emulator.requests.filter((q) => q.method !== 'GET').length === before, 'the refused Update wrote to Atlas');
        ctx.check(registered(ctx, svc).includes(key), 'the registration is gone');
      },
    },
  ];
  if (provider === 'GCP') {
    rows.push(
      {
        name: 'endpoint group with fewer forwarding rules than the service has attachments: FAILED before the register, naming the count',
        async run(ctx) {
          const svc = await serviceOf(ctx);
          const { create, rollback } = await ctx.create(
            registrationProps(provider, svc, { Endpoints: GCP_RULES.slice(0, 2) }),
            registration,
          );
          ctx.check(
            create.status === 'FAILED' && /6 service attachments.*Endpoints gives 2/.test(create.reason ?? ''),
            `registration ${create.status}: ${create.reason}`,
          );
          ctx.check(!ctx.emulator.requests.some((q) => q.operation === 'createEndpoint'), 'the register reached Atlas');
          ctx.check(rollback?.status === 'SUCCESS', 'rollback');
          await deleteService(ctx);
        },
      },
      {
        name: 'port-mapped service: one forwarding rule registers (known by its name) and is removed; two are refused before the register',
        async run(ctx) {
          const svc = await serviceOf(ctx, { PortMappingEnabled: true });
          const one = [{ EndpointName: 'atlas-psc', IpAddress: '10.128.0.20' }];
          const { create: two } = await ctx.create(
            registrationProps(provider, svc, {
              EndpointId: 'atlas-psc',
              Endpoints: [...one, { EndpointName: 'atlas-psc-2', IpAddress: '10.128.0.21' }],
            }),
            { ...registration, logicalResourceId: 'Two' },
          );
          ctx.check(
            two.status === 'FAILED' && /exactly one forwarding rule/.test(two.reason ?? ''),
            `two rules: ${two.status} ${two.reason}`,
          );
          const { create } = await ctx.create(registrationProps(provider, svc, { EndpointId: 'atlas-psc', Endpoints: one }), registration);
          ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
          ctx.check(create.physicalResourceId === `${PROJECT}--${svc}--atlas-psc`, `answered ${create.physicalResourceId}`);
          ctx.check((await ctx.delete(registration)).status === 'SUCCESS', 'registration Delete');
          ctx.check(!registered(ctx, svc).includes('atlas-psc'), 'the registration is still there');
          await deleteService(ctx);
        },
      },
    );
  }
  return rows.map((row) => ({ ...row, provider, name: `${provider}: ${row.name}` }));
}

export const registrationRows: MatrixRow[] = [...rowsFor('AZURE'), ...rowsFor('GCP')];
