/**
 * The plain CloudFormation examples, read as CloudFormation reads them: YAML with short-form tags, every
 * custom resource's properties checked by the Lambda's own parser, every Fn::GetAtt naming an attribute
 * the resource really returns, and the templates' custom resources run through the local runner against
 * the emulator in dependency order (AWS resources are CloudFormation's own and skipped, with stand-in ids).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEndpointProperties, RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { parseServiceProperties, RESOURCE_TYPE_SERVICE } from '../../lambda/model/service-properties';
import { DEFAULT_PROJECT_ID, startAtlasEmulator, type AtlasEmulator } from '../../local/atlas-emulator';
import { synthesizeProvider } from '../../local/runner/definition';
import { asCloudFormationSends, LocalRunner, type RequestResult } from '../../local/runner/runner';
import { expectWellAnswered } from '../support/answers';
import {
  type CfnTemplate,
  creationOrder,
  evaluate,
  evaluateConditions,
  type EvaluationContext,
  getAtts,
  parseTemplate,
} from '../support/cfn-template';

const DIR = join(__dirname, '..', '..', 'examples', 'cloudformation');
const load = (name: string) => parseTemplate(readFileSync(join(DIR, name), 'utf8'));
const REGION = 'us-east-1'; // the local runner's stack region
const TOKEN = 'arn:aws:lambda:us-east-1:000000000000:function:AtlasPrivateEndpointProvider';
const PSEUDO = { 'AWS::Region': REGION, 'AWS::AccountId': '000000000000', 'AWS::Partition': 'aws', 'AWS::StackName': 'example' };

// CloudFormation's own resources are not deployed here: their Ref and attributes are stand-ins of the right shape.
const AWS_STAND_INS: Record<string, { ref: string; attributes: Record<string, string> }> = {
  'AWS::EC2::VPCEndpoint': {
    ref: 'vpce-0a1b2c3d4e5f60718',
    attributes: { Id: 'vpce-0a1b2c3d4e5f60718', CreationTimestamp: '2026-01-01T00:00:00Z' },
  },
  'AWS::EC2::SecurityGroup': {
    ref: 'sg-0123456789abcdef0',
    attributes: { GroupId: 'sg-0123456789abcdef0', VpcId: 'vpc-0123456789abcdef0' },
  },
};

const AZURE_PRIVATE_ENDPOINT =
  '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe';

const exportName = () => {
  const outputs = synthesizeProvider().template.Outputs as Record<string, { Export?: { Name: string } }>;
  return Object.values(outputs)
    .map((o) => o.Export?.Name)
    .filter(Boolean);
};

interface Deployed {
  type: string;
  physicalResourceId: string;
  properties: Record<string, unknown>;
  data: Record<string, string>;
}

/** Creates the template's custom resources in dependency order, as CloudFormation would. */
async function deploy(runner: LocalRunner, template: CfnTemplate, parameters: Record<string, string | string[]>) {
  const deployed = new Map<string, Deployed>();
  const base: EvaluationContext = {
    parameters,
    pseudo: PSEUDO,
    importValue: (name) => {
      expect(exportName()).toContain(name);
      return TOKEN;
    },
    ref: (id) => deployed.get(id)?.physicalResourceId ?? AWS_STAND_INS[template.Resources[id].Type].ref,
    attribute: (id, name) => {
      const value = deployed.get(id)?.data[name] ?? AWS_STAND_INS[template.Resources[id]?.Type]?.attributes[name];
      if (value === undefined) throw new Error(`Fn::GetAtt ${id}.${name}: the resource returned no such attribute`);
      return value;
    },
  };
  const ctx: EvaluationContext = { ...base, conditions: evaluateConditions(template.Conditions ?? {}, base) };
  const results: RequestResult[] = [];
  for (const id of creationOrder(template)) {
    const resource = template.Resources[id];
    if (!resource.Type.startsWith('Custom::')) continue;
    const { ServiceToken, ...properties } = evaluate(resource.Properties, ctx) as Record<string, unknown>;
    expect(ServiceToken).toBe(TOKEN);
    const { create } = await runner.create(properties, { logicalResourceId: id, resourceType: resource.Type });
    results.push(create);
    expect({ id, status: create.status, reason: create.reason }).toEqual({ id, status: 'SUCCESS', reason: undefined });
    deployed.set(id, { type: resource.Type, physicalResourceId: create.physicalResourceId, properties, data: create.data ?? {} });
  }
  // An output whose condition is false is not there, and its Fn::GetAtt is never read.
  const present = Object.entries(template.Outputs ?? {}).filter(([, o]) => !o.Condition || ctx.conditions![o.Condition]);
  const outputs = Object.fromEntries(present.map(([k, o]) => [k, evaluate(o.Value, ctx)]));
  return { deployed, outputs, results, present: Object.fromEntries(present) };
}

/** Deletes them in reverse order. */
async function destroy(runner: LocalRunner, deployed: Map<string, Deployed>) {
  for (const [id, r] of [...deployed].reverse()) {
    const result = await runner.delete(
      { physicalResourceId: r.physicalResourceId, properties: r.properties },
      { logicalResourceId: id, resourceType: r.type },
    );
    expect({ id, status: result.status }).toEqual({ id, status: 'SUCCESS' });
  }
}

describe.each([
  ['private-endpoint-service.yaml', ['ProjectId', 'ProviderName', 'Region', 'Profile']],
  ['private-link.yaml', ['ProjectId', 'VpcId', 'SubnetIds', 'ClientCidr', 'Profile', 'ClusterName']],
  ['azure-private-endpoint.yaml', ['ProjectId', 'EndpointServiceId', 'PrivateEndpointResourceId', 'PrivateEndpointIpAddress', 'Profile']],
  ['gcp-endpoint-group.yaml', ['ProjectId', 'EndpointServiceId', 'GcpProjectId', 'ForwardingRuleName', 'IpAddress', 'Profile']],
])('examples/cloudformation/%s', (file, parameterNames) => {
  const template = load(file);

  it('parses, short-form tags included, and asks for the documented parameters', () => {
    expect(Object.keys(template.Parameters ?? {}).sort()).toEqual([...parameterNames].sort());
    expect(JSON.stringify(template)).not.toMatch(/"!/); // no tag left unread as text
    for (const r of Object.values(template.Resources).filter((x) => x.Type.startsWith('Custom::'))) {
      expect(r.Properties!.ServiceToken).toEqual({ 'Fn::ImportValue': 'AtlasPrivateEndpointServiceToken' });
    }
  });

  it("gives every custom resource properties the Lambda's parser accepts", () => {
    const parameters: Record<string, string | string[]> = {
      ProjectId: DEFAULT_PROJECT_ID,
      ProviderName: 'GCP',
      Region: 'us-central1',
      Profile: 'default',
      VpcId: 'vpc-1',
      SubnetIds: ['subnet-1'],
      ClientCidr: '10.0.0.0/16',
      EndpointServiceId: '64a1b2c3d4e5f6a7b8c9d0e1',
      PrivateEndpointResourceId: AZURE_PRIVATE_ENDPOINT,
      PrivateEndpointIpAddress: '10.0.1.4',
      GcpProjectId: 'my-gcp-project',
      ForwardingRuleName: 'atlas-psc',
      IpAddress: '10.128.0.20',
      ClusterName: 'Cluster0',
    };
    const ctx: EvaluationContext = {
      parameters,
      pseudo: PSEUDO,
      importValue: () => TOKEN,
      ref: () => 'vpce-0a1b2c3d4e5f60718',
      attribute: () => '64a1b2c3d4e5f6a7b8c9d0e1',
    };
    const conditions = evaluateConditions(template.Conditions ?? {}, ctx);
    let checked = 0;
    for (const [id, r] of Object.entries(template.Resources)) {
      if (!r.Type.startsWith('Custom::')) continue;
      const props = asCloudFormationSends(evaluate(r.Properties, { ...ctx, conditions })) as Record<string, unknown>;
      const parsed =
        r.Type === RESOURCE_TYPE_SERVICE
          ? parseServiceProperties(props)
          : r.Type === RESOURCE_TYPE_ENDPOINT
            ? parseEndpointProperties(props)
            : undefined;
      expect(parsed).toBeDefined();
      expect({ id, problems: parsed!.ok ? [] : parsed!.problems }).toEqual({ id, problems: [] });
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('fails the parser on a typo in a property, so the check above can tell', () => {
    const service = Object.entries(template.Resources).find(([, r]) => r.Type === RESOURCE_TYPE_SERVICE);
    if (!service) {
      // A registration-only template: a typo in its properties fails the registration's parser.
      const [, r] = Object.entries(template.Resources).find(([, x]) => x.Type === RESOURCE_TYPE_ENDPOINT)!;
      expect(parseEndpointProperties({ ...(r.Properties as object), ServiceToken: TOKEN, EndpointIdd: 'x' }).ok).toBe(false);
      return;
    }
    const [id] = service;
    const parsed = parseServiceProperties({
      ...(template.Resources[id].Properties as object),
      ProjectId: DEFAULT_PROJECT_ID,
      Region: 'us-east-1',
      ProviderName: 'AWS',
      Profile: 'default',
      ServiceToken: TOKEN,
      Regoin: 'x',
    });
    expect(parsed.ok).toBe(false);
  });
});

it('reads a tag CloudFormation does not know as an error, not as text', () => {
  expect(() => parseTemplate('Resources:\n  A:\n    Type: X\n    Properties:\n      P: !GetAttr A.B\n')).toThrow(
    /Unresolved tag: !GetAttr/,
  );
  expect(parseTemplate('Resources:\n  A:\n    Type: X\n    Properties:\n      P: !GetAtt A.B.C\n').Resources.A.Properties).toEqual({
    P: { 'Fn::GetAtt': ['A', 'B.C'] },
  });
});

describe('the examples against the emulator', () => {
  let emulator: AtlasEmulator;
  let runner: LocalRunner;
  beforeAll(async () => {
    emulator = await startAtlasEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    emulator.reset();
    runner = await LocalRunner.start({ emulator });
  });
  afterEach(async () => {
    await runner.stop();
  });

  it.each([
    ['AWS', 'us-east-1'],
    ['AZURE', 'eastus2'],
    ['GCP', 'us-central1'],
  ])(
    'private-endpoint-service.yaml for %s %s: creates, outputs every attribute from what the resource returned, deletes',
    async (provider, region) => {
      const template = load('private-endpoint-service.yaml');
      const { deployed, outputs } = await deploy(runner, template, {
        ProjectId: DEFAULT_PROJECT_ID,
        ProviderName: provider,
        Region: region,
        Profile: 'default',
      });
      const [service] = [...deployed.values()];
      // Every attribute the resource returns has an output, and every output reads a returned attribute.
      const read = getAtts(template.Outputs).map(([, name]) => name);
      expect([...read].sort()).toEqual(Object.keys(service.data).sort());
      expect(outputs.ProviderName ?? outputs.ServiceProviderName).toBe(provider);
      if (provider === 'AWS') expect(outputs.EndpointServiceName).toMatch(/^com\.amazonaws\.vpce\.us-east-1\.vpce-svc-/);
      expect(emulator.services(DEFAULT_PROJECT_ID)).toHaveLength(1);
      await destroy(runner, deployed);
      expect(emulator.services(DEFAULT_PROJECT_ID)).toHaveLength(0);
      expectWellAnswered(runner);
    },
  );

  it.each([
    ['', 'no cluster: no connection string output'],
    ['Cluster0', 'ClusterName Cluster0: the registration also waits for its private connection string, which the stack outputs'],
  ])(
    'private-link.yaml with ClusterName "%s" (%s): the endpoint service, then (the interface endpoint, skipped) the registration, AVAILABLE; deleted in reverse',
    async (clusterName) => {
      if (clusterName) emulator.addCluster({ name: clusterName, providerName: 'AWS', regions: ['US_EAST_1'] });
      const template = load('private-link.yaml');
      const { deployed, outputs, results, present } = await deploy(runner, template, {
        ProjectId: DEFAULT_PROJECT_ID,
        VpcId: 'vpc-0123456789abcdef0',
        SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        ClientCidr: '10.0.0.0/16',
        Profile: 'default',
        ClusterName: clusterName,
      });
      expect(results.map((r) => r.resourceType)).toEqual([RESOURCE_TYPE_SERVICE, RESOURCE_TYPE_ENDPOINT]);
      expect(outputs.ConnectionStatus).toBe('AVAILABLE');
      if (clusterName) {
        const entry = emulator
          .clusters(DEFAULT_PROJECT_ID)
          .find((c) => c.name === clusterName)
          ?.connectionStrings?.privateEndpoint?.find((e) =>
            e.endpoints?.some((x) => x.endpointId === AWS_STAND_INS['AWS::EC2::VPCEndpoint'].ref),
          );
        expect(entry?.srvConnectionString).toMatch(/^mongodb\+srv:\/\//);
        expect(outputs.SrvConnectionString).toBe(entry?.srvConnectionString);
        expect(outputs.ConnectionString).toBe(entry?.connectionString);
      } else {
        expect(Object.keys(outputs)).not.toContain('SrvConnectionString');
      }
      expect(outputs.InterfaceEndpointId).toBe(AWS_STAND_INS['AWS::EC2::VPCEndpoint'].ref);
      const [service] = emulator.services(DEFAULT_PROJECT_ID);
      expect(service.cloudProvider === 'AWS' && service.interfaceEndpoints).toEqual([AWS_STAND_INS['AWS::EC2::VPCEndpoint'].ref]);
      // Every Fn::GetAtt on a custom resource, in the outputs that are there, names an attribute its answer carried.
      for (const [id, name] of getAtts({ ...template.Resources, ...present })) {
        const d = deployed.get(id);
        if (d) expect(Object.keys(d.data)).toContain(name);
      }
      await destroy(runner, deployed);
      expect(emulator.services(DEFAULT_PROJECT_ID)).toHaveLength(0);
      expectWellAnswered(runner);
    },
  );

  it.each([
    [
      'azure-private-endpoint.yaml',
      { ProviderName: 'AZURE', Region: 'eastus2' },
      { PrivateEndpointResourceId: AZURE_PRIVATE_ENDPOINT, PrivateEndpointIpAddress: '10.0.1.4' },
      AZURE_PRIVATE_ENDPOINT,
    ],
    [
      'gcp-endpoint-group.yaml',
      { ProviderName: 'GCP', Region: 'us-central1', PortMappingEnabled: 'true' },
      { GcpProjectId: 'my-gcp-project', ForwardingRuleName: 'atlas-psc', IpAddress: '10.128.0.20' },
      'atlas-psc',
    ],
  ])(
    '%s: registers with the service a stack made before, AVAILABLE, outputs from what it returned; deleted, the service stays',
    async (file, serviceProps, parameters, key) => {
      const { create: svc } = await runner.create({ ProjectId: DEFAULT_PROJECT_ID, ...serviceProps }, { logicalResourceId: 'Service' });
      expect(svc.status).toBe('SUCCESS');
      const template = load(file);
      const { deployed, outputs } = await deploy(runner, template, {
        ProjectId: DEFAULT_PROJECT_ID,
        EndpointServiceId: svc.data!.Id,
        Profile: 'default',
        ...parameters,
      });
      expect(outputs.ConnectionStatus).toBe('AVAILABLE');
      const [service] = emulator.services(DEFAULT_PROJECT_ID);
      const held =
        service.cloudProvider === 'AZURE' ? service.privateEndpoints : service.cloudProvider === 'GCP' ? service.endpointGroupNames : [];
      expect(held).toEqual([key]);
      for (const [id, name] of getAtts({ ...template.Resources, ...template.Outputs })) {
        const d = deployed.get(id);
        if (d) expect(Object.keys(d.data)).toContain(name);
      }
      await destroy(runner, deployed);
      const [after] = emulator.services(DEFAULT_PROJECT_ID);
      expect(
        after.cloudProvider === 'AZURE' ? after.privateEndpoints : after.cloudProvider === 'GCP' ? after.endpointGroupNames : [],
      ).toEqual([]);
      const d = await runner.delete(
        { physicalResourceId: svc.physicalResourceId, properties: { ProjectId: DEFAULT_PROJECT_ID, ...serviceProps } },
        { logicalResourceId: 'Service' },
      );
      expect(d.status).toBe('SUCCESS');
      expectWellAnswered(runner);
    },
  );
});
