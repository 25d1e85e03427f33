import { App, CfnParameter, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONNECTION_STRINGS_ATTRIBUTE, connectionAttributeNames, SINGLE_CLUSTER_ATTRIBUTES } from '../../lambda/model/connection-strings';
import { AtlasPrivateEndpoint, AtlasPrivateEndpointProvider, AtlasPrivateLink, AtlasValidationError } from '../../lib';
import { evaluate } from '../support/cfn-template';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const env = { account: '123456789012', region: 'us-east-1' };

function build(extra: Partial<ConstructorParameters<typeof AtlasPrivateLink>[2]> = {}) {
  const stack = new Stack(new App(), 'App', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
  const link = new AtlasPrivateLink(stack, 'Atlas', { vpc, projectId: PROJECT, ...extra });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }
  >;
  const idOf = (type: string) =>
    Object.entries(resources)
      .filter(([, r]) => r.Type === type)
      .map(([k]) => k);
  return { stack, vpc, link, template, resources, idOf };
}

describe('AtlasPrivateLink', () => {
  const { template, resources, idOf, link, stack } = build();
  const [serviceId] = idOf('Custom::AtlasPrivateEndpointService');
  const [registrationId] = idOf('Custom::AtlasPrivateEndpoint');
  const [endpointId] = idOf('AWS::EC2::VPCEndpoint');

  it("creates one interface endpoint pointed at the endpoint service's name, in the 3 private subnets, without private DNS", () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    const vpce = resources[endpointId].Properties;
    expect(vpce).toMatchObject({
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: false,
      ServiceName: { 'Fn::GetAtt': [serviceId, 'EndpointServiceName'] },
    });
    const privateSubnets = Object.entries(resources)
      .filter(([k, r]) => r.Type === 'AWS::EC2::Subnet' && /Private/.test(k))
      .map(([k]) => ({ Ref: k }));
    expect(privateSubnets).toHaveLength(3);
    expect(vpce.SubnetIds).toEqual(privateSubnets);
  });

  it("allows TCP 1024-65535 from the VPC's CIDR, and nothing else in", () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        { IpProtocol: 'tcp', FromPort: 1024, ToPort: 65535, CidrIp: { 'Fn::GetAtt': [Match.stringLikeRegexp('Vpc'), 'CidrBlock'] } },
      ],
    });
  });

  it("registers the interface endpoint by its Ref with the service's id, through the same ServiceToken", () => {
    const reg = resources[registrationId].Properties;
    expect(reg).toMatchObject({
      ProjectId: PROJECT,
      ProviderName: 'AWS',
      EndpointId: { Ref: endpointId },
      EndpointServiceId: { 'Fn::GetAtt': [serviceId, 'PrivateLinkId'] },
    });
    expect(reg.ServiceToken).toEqual(resources[serviceId].Properties.ServiceToken);
    expect(resources[serviceId].Properties).toMatchObject({ ProviderName: 'AWS', Region: 'us-east-1' });
  });

  it('orders creation service → interface endpoint → registration (deletion runs in reverse)', () => {
    expect(resources[endpointId].DependsOn ?? []).toContain(serviceId);
    expect(resources[registrationId].DependsOn ?? []).toContain(endpointId);
  });

  it('exposes the pieces and connections for allowTo/allowFrom idioms', () => {
    expect(stack.resolve(link.endpointServiceName)).toEqual({ 'Fn::GetAtt': [serviceId, 'EndpointServiceName'] });
    expect(stack.resolve(link.vpcEndpointId)).toEqual({ Ref: endpointId });
    expect(stack.resolve(link.connectionStatus)).toEqual({ 'Fn::GetAtt': [registrationId, 'ConnectionStatus'] });
    expect(link.connections.defaultPort?.toString()).toBe('1024-65535');
    expect(link.provider).toBeInstanceOf(AtlasPrivateEndpointProvider);
  });

  it('takes peers, a port range, subnets and a shared provider', () => {
    const stack2 = new Stack(new App(), 'Two', { env });
    const vpc = new ec2.Vpc(stack2, 'Vpc', {
      maxAzs: 2,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const provider = new AtlasPrivateEndpointProvider(stack2, 'Provider');
    const link2 = new AtlasPrivateLink(stack2, 'Atlas', {
      vpc,
      projectId: PROJECT,
      provider,
      allowFrom: [ec2.Peer.ipv4('10.9.0.0/16')],
      portRange: { fromPort: 27015, toPort: 27017 },
      privateDnsEnabled: true,
    });
    const t = Template.fromStack(stack2);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 27015, ToPort: 27017, CidrIp: '10.9.0.0/16' }],
    });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      PrivateDnsEnabled: true,
      SubnetIds: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('Isolated') })]),
    });
    expect(link2.provider).toBe(provider);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  it("refuses a region other than the VPC's at synth time, saying why", () => {
    const stack3 = new Stack(new App(), 'Three', { env });
    const vpc = new ec2.Vpc(stack3, 'Vpc', { maxAzs: 2 });
    expect(() => new AtlasPrivateLink(stack3, 'Atlas', { vpc, projectId: PROJECT, region: 'eu-west-1' })).toThrow(
      /region eu-west-1 is not the VPC's region us-east-1/,
    );
    expect(() => new AtlasPrivateLink(stack3, 'Same', { vpc, projectId: PROJECT, region: 'US_EAST_1' })).not.toThrow();
    expect(() => new AtlasPrivateLink(stack3, 'Ports', { vpc, projectId: PROJECT, portRange: { fromPort: 70000, toPort: 1 } })).toThrow(
      /not a TCP port range/,
    );
  });
});

describe('AtlasPrivateEndpoint', () => {
  it('checks its properties at synth time', () => {
    const stack = new Stack();
    const token = 'arn:aws:lambda:us-east-1:123456789012:function:f';
    expect(
      () =>
        new AtlasPrivateEndpoint(stack, 'A', {
          serviceToken: token,
          projectId: PROJECT,
          endpointServiceId: '6b0afe2c5721d53048387adc',
          endpointId: 'eni-1',
        }),
    ).toThrow(/EndpointId "eni-1" is not an AWS VPC endpoint id/);
    expect(
      () =>
        new AtlasPrivateEndpoint(stack, 'Short', {
          serviceToken: token,
          projectId: PROJECT,
          endpointServiceId: '6b0afe2c5721d53048387adc',
          endpointId: 'vpce-0123456789abcdef0',
          serviceTimeout: Duration.seconds(100),
        }),
    ).toThrow(/ServiceTimeout 100 is too short.*smallest ServiceTimeout that works is 109 seconds/);
    const ok = new AtlasPrivateEndpoint(stack, 'B', {
      serviceToken: token,
      projectId: PROJECT,
      endpointServiceId: '6b0afe2c5721d53048387adc',
      endpointId: 'vpce-0123456789abcdef0',
      enforceConnectionSuccess: false,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::AtlasPrivateEndpoint', {
      EnforceConnectionSuccess: false,
      ServiceTimeout: '3600',
    });
    expect(ok.connectionStatus).toBeDefined();
  });

  it('passes AdoptExisting only when asked, and checks it like the provider does', () => {
    const stack = new Stack();
    const base = {
      serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      projectId: PROJECT,
      endpointServiceId: '6b0afe2c5721d53048387adc',
      endpointId: 'vpce-0123456789abcdef0',
    };
    new AtlasPrivateEndpoint(stack, 'Plain', base);
    new AtlasPrivateEndpoint(stack, 'Adopting', { ...base, adoptExisting: true });
    const regs = Object.values(Template.fromStack(stack).findResources('Custom::AtlasPrivateEndpoint')).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    expect(regs.map((p) => p.AdoptExisting)).toEqual([undefined, true]);
  });
});

describe('AtlasPrivateEndpoint on Azure and GCP', () => {
  const base = {
    serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
    projectId: PROJECT,
    endpointServiceId: '6b0afe2c5721d53048387adc',
  };
  const AZURE_ID =
    '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe';

  it('writes the provider properties into the template and reads their attributes', () => {
    const stack = new Stack();
    const az = new AtlasPrivateEndpoint(stack, 'Azure', {
      ...base,
      providerName: 'AZURE',
      endpointId: AZURE_ID,
      privateEndpointIpAddress: '10.0.1.4',
    });
    new AtlasPrivateEndpoint(stack, 'Gcp', {
      ...base,
      providerName: 'GCP',
      endpointId: 'atlas-group',
      gcpProjectId: 'my-gcp-project',
      endpoints: [{ endpointName: 'atlas-group-0', ipAddress: '10.128.0.10' }],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::AtlasPrivateEndpoint', {
      ProviderName: 'AZURE',
      EndpointId: AZURE_ID,
      PrivateEndpointIpAddress: '10.0.1.4',
    });
    template.hasResourceProperties('Custom::AtlasPrivateEndpoint', {
      ProviderName: 'GCP',
      EndpointId: 'atlas-group',
      GcpProjectId: 'my-gcp-project',
      Endpoints: [{ EndpointName: 'atlas-group-0', IpAddress: '10.128.0.10' }],
    });
    expect(stack.resolve(az.privateEndpointIpAddress)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Azure/), 'PrivateEndpointIpAddress'],
    });
  });

  it('refuses at synth what the provider would refuse, naming the construct', () => {
    const stack = new Stack();
    expect(() => new AtlasPrivateEndpoint(stack, 'NoIp', { ...base, providerName: 'AZURE', endpointId: AZURE_ID })).toThrow(
      /NoIp.*PrivateEndpointIpAddress is required|PrivateEndpointIpAddress is required[\s\S]*NoIp/,
    );
    expect(
      () =>
        new AtlasPrivateEndpoint(stack, 'BadRule', {
          ...base,
          providerName: 'GCP',
          endpointId: 'atlas-group',
          gcpProjectId: 'my-gcp-project',
          endpoints: [{ endpointName: 'atlas-group-0', ipAddress: '10.128.0.300' }],
        }),
    ).toThrow(/Endpoints\[0\].IpAddress "10.128.0.300" is not an IPv4 address/);
    expect(
      () => new AtlasPrivateEndpoint(stack, 'Mixed', { ...base, endpointId: 'vpce-0123456789abcdef0', gcpProjectId: 'my-gcp-project' }),
    ).toThrow(/GcpProjectId belongs to GCP registrations; this one is AWS/);
  });
});

describe('AtlasPrivateLink with adoptExisting', () => {
  it('adopts the endpoint service only: the registration is of the interface endpoint it creates', () => {
    const { template } = build({ adoptExisting: true });
    template.hasResourceProperties('Custom::AtlasPrivateEndpointService', { AdoptExisting: true });
    const regs = Object.values(template.findResources('Custom::AtlasPrivateEndpoint')).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    expect(regs).toHaveLength(1);
    expect(regs[0]).not.toHaveProperty('AdoptExisting');
  });
});

// clusterNames: the property in the template, the connection-string attributes read by the names the provider
// answers (by the number of clusters), the optional secret built from them, and what cdk-nag says about it.

const endpointBase = {
  serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  projectId: PROJECT,
  endpointServiceId: '6b0afe2c5721d53048387adc',
  endpointId: 'vpce-0123456789abcdef0',
};

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resourcesOf = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Resources;
const idsOf = (resources: Resources, type: string) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([k]) => k);

/** What `fn` throws, checked to be a synth-time error naming `path`. */
function thrown(fn: () => unknown, path: string): string {
  try {
    fn();
  } catch (e) {
    expect(AtlasValidationError.isAtlasValidationError(e)).toBe(true);
    expect((e as AtlasValidationError).constructPath).toBe(path);
    return (e as Error).message;
  }
  throw new Error('nothing thrown');
}

describe('AtlasPrivateEndpoint with clusterNames', () => {
  it('writes ClusterNames into the registration only when clusters are named', () => {
    const stack = new Stack();
    new AtlasPrivateEndpoint(stack, 'One', { ...endpointBase, clusterNames: ['Cluster0'] });
    new AtlasPrivateEndpoint(stack, 'Two', { ...endpointBase, clusterNames: ['Cluster0', 'analytics-1'] });
    new AtlasPrivateEndpoint(stack, 'None', endpointBase);
    new AtlasPrivateEndpoint(stack, 'Empty', { ...endpointBase, clusterNames: [] });
    const resources = resourcesOf(stack);
    const byId = Object.fromEntries(
      idsOf(resources, 'Custom::AtlasPrivateEndpoint').map((id) => [id.replace(/[0-9A-F]{8}$/, ''), resources[id].Properties]),
    );
    expect(byId.One.ClusterNames).toEqual(['Cluster0']);
    expect(byId.Two.ClusterNames).toEqual(['Cluster0', 'analytics-1']);
    expect(byId.None).not.toHaveProperty('ClusterNames');
    expect(byId.Empty).not.toHaveProperty('ClusterNames');
  });

  it('refuses at synth what the provider would refuse, naming the construct', () => {
    const stack = new Stack(new App(), 'Checks');
    expect(thrown(() => new AtlasPrivateEndpoint(stack, 'Bad', { ...endpointBase, clusterNames: ['my_cluster'] }), 'Checks/Bad')).toMatch(
      /ClusterNames holds "my_cluster", which is not an Atlas cluster name/,
    );
    expect(thrown(() => new AtlasPrivateEndpoint(stack, 'Twice', { ...endpointBase, clusterNames: ['a', 'a'] }), 'Checks/Twice')).toMatch(
      /names cluster "a" twice/,
    );
    const eleven = Array.from({ length: 11 }, (_, i) => `c${i}`);
    expect(thrown(() => new AtlasPrivateEndpoint(stack, 'Many', { ...endpointBase, clusterNames: eleven }), 'Checks/Many')).toMatch(
      /names 11 clusters; one registration waits for at most 10/,
    );
  });

  it('with one cluster, reads the three plain attributes the provider answers for one cluster', () => {
    const stack = new Stack();
    const reg = new AtlasPrivateEndpoint(stack, 'Reg', { ...endpointBase, clusterNames: ['Cluster0'] });
    const [id] = idsOf(resourcesOf(stack), 'Custom::AtlasPrivateEndpoint');
    const read = [reg.connectionString, reg.srvConnectionString, reg.srvShardOptimizedConnectionString].map((v) => stack.resolve(v));
    expect(read).toEqual(connectionAttributeNames(['Cluster0']).map((a) => ({ 'Fn::GetAtt': [id, a] })));
    expect(read.map((r) => r['Fn::GetAtt'][1])).toEqual(['ConnectionString', 'SrvConnectionString', 'SrvShardOptimizedConnectionString']);
    expect(thrown(() => reg.connectionStrings, 'Default/Reg')).toMatch(/names one: read connectionString/);
  });

  it('with several clusters, reads the ConnectionStrings map and refuses the single-cluster attributes', () => {
    const stack = new Stack();
    const reg = new AtlasPrivateEndpoint(stack, 'Reg', { ...endpointBase, clusterNames: ['Cluster0', 'Cluster1'] });
    const [id] = idsOf(resourcesOf(stack), 'Custom::AtlasPrivateEndpoint');
    expect(stack.resolve(reg.connectionStrings)).toEqual({ 'Fn::GetAtt': [id, 'ConnectionStrings'] });
    expect(connectionAttributeNames(['Cluster0', 'Cluster1'])).toEqual([CONNECTION_STRINGS_ATTRIBUTE]);
    for (const read of [() => reg.connectionString, () => reg.srvConnectionString, () => reg.srvShardOptimizedConnectionString]) {
      expect(thrown(read, 'Default/Reg')).toMatch(/exactly one cluster; this registration names 2: read connectionStrings/);
    }
  });

  it('without clusterNames, refuses every connection-string attribute, saying to give clusterNames', () => {
    const stack = new Stack();
    const reg = new AtlasPrivateEndpoint(stack, 'Reg', endpointBase);
    for (const read of [() => reg.connectionString, () => reg.srvConnectionString, () => reg.connectionStrings]) {
      expect(thrown(read, 'Default/Reg')).toMatch(/needs clusterNames/);
    }
  });

  it('with a list token, passes it on but refuses every connection-string attribute: the count is unknown', () => {
    const stack = new Stack();
    const names = new CfnParameter(stack, 'ClusterNames', { type: 'CommaDelimitedList' });
    const reg = new AtlasPrivateEndpoint(stack, 'Reg', { ...endpointBase, clusterNames: names.valueAsList });
    const [id] = idsOf(resourcesOf(stack), 'Custom::AtlasPrivateEndpoint');
    expect(resourcesOf(stack)[id].Properties.ClusterNames).toEqual({ Ref: 'ClusterNames' });
    for (const read of [() => reg.connectionString, () => reg.srvConnectionString, () => reg.connectionStrings]) {
      expect(thrown(read, 'Default/Reg')).toMatch(
        /clusterNames is a list token or holds one, so the number of clusters.*is unknown at synth time/,
      );
    }
    // The way out the message names: the attribute the user knows the registration answers.
    expect(stack.resolve(reg.resource.getAttString(SINGLE_CLUSTER_ATTRIBUTES.srvConnectionString))).toEqual({
      'Fn::GetAtt': [id, 'SrvConnectionString'],
    });
  });

  it('does not count a literal list holding a token: the token may turn out empty, and the provider would count otherwise', () => {
    const stack = new Stack();
    const reg = new AtlasPrivateEndpoint(stack, 'Reg', { ...endpointBase, clusterNames: ['Cluster0', Fn.importValue('AppCluster')] });
    expect(() => reg.connectionStrings).toThrow(/connectionStrings cannot be read: clusterNames is a list token or holds one/);
    expect(() => reg.srvConnectionString).toThrow(/Default\/Reg/);
  });

  it('refuses an empty name beside others at synth, as the provider would at deploy', () => {
    const stack = new Stack();
    expect(() => new AtlasPrivateEndpoint(stack, 'Reg', { ...endpointBase, clusterNames: ['Cluster0', ''] })).toThrow(
      /holds "", which is not an Atlas cluster name.*\(at Default\/Reg\)/s,
    );
  });
});

function privateLink(extra: Partial<ConstructorParameters<typeof AtlasPrivateLink>[2]> = {}) {
  const stack = new Stack(new App(), 'App', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const link = new AtlasPrivateLink(stack, 'Atlas', { vpc, projectId: PROJECT, ...extra });
  const resources = resourcesOf(stack);
  const [registrationId] = idsOf(resources, 'Custom::AtlasPrivateEndpoint');
  return { stack, vpc, link, resources, registrationId };
}

describe('AtlasPrivateLink with clusterNames', () => {
  it('passes clusterNames to its registration and reads its attributes from it', () => {
    const { stack, link, resources, registrationId } = privateLink({ clusterNames: ['Cluster0'] });
    expect(resources[registrationId].Properties.ClusterNames).toEqual(['Cluster0']);
    expect(stack.resolve(link.srvConnectionString)).toEqual({ 'Fn::GetAtt': [registrationId, 'SrvConnectionString'] });
    expect(stack.resolve(link.connectionString)).toEqual({ 'Fn::GetAtt': [registrationId, 'ConnectionString'] });
    expect(stack.resolve(link.srvShardOptimizedConnectionString)).toEqual({
      'Fn::GetAtt': [registrationId, 'SrvShardOptimizedConnectionString'],
    });
    expect(thrown(() => link.connectionStrings, 'App/Atlas/Registration')).toMatch(/read connectionString/);
  });

  it('reads the ConnectionStrings map with several clusters', () => {
    const { stack, link, registrationId } = privateLink({ clusterNames: ['Cluster0', 'Cluster1'] });
    expect(stack.resolve(link.connectionStrings)).toEqual({ 'Fn::GetAtt': [registrationId, 'ConnectionStrings'] });
    expect(thrown(() => link.srvConnectionString, 'App/Atlas/Registration')).toMatch(/read connectionStrings/);
  });

  it('writes no secret unless asked', () => {
    const { link, resources } = privateLink({ clusterNames: ['Cluster0'] });
    expect(idsOf(resources, 'AWS::SecretsManager::Secret')).toEqual([]);
    expect(link.connectionStringSecret).toBeUndefined();
  });

  it("with one cluster, writes the secret as a JSON object of the registration's three attributes", () => {
    const { stack, link, resources, registrationId } = privateLink({ clusterNames: ['Cluster0'], connectionStringSecret: true });
    const [secretId] = idsOf(resources, 'AWS::SecretsManager::Secret');
    expect(link.connectionStringSecret).toBeDefined();
    expect(stack.resolve(link.connectionStringSecret!.secretArn)).toEqual({ Ref: secretId });
    const secret = resources[secretId].Properties;
    expect(secret).not.toHaveProperty('GenerateSecretString');
    expect(secret).not.toHaveProperty('KmsKeyId');
    // What CloudFormation makes of it once the registration answers (strings as Atlas writes them).
    const answered: Record<string, string> = {
      ConnectionString: 'mongodb://pl-0-us-east-1.abcde.mongodb.net:1024,pl-0-us-east-1.abcde.mongodb.net:1025/?ssl=true&authSource=admin',
      SrvConnectionString: 'mongodb+srv://cluster0-pl-0.abcde.mongodb.net',
      SrvShardOptimizedConnectionString: '',
    };
    const value = evaluate(secret.SecretString, {
      parameters: {},
      pseudo: {},
      ref: (id) => id,
      attribute: (id, name) => {
        expect(id).toBe(registrationId);
        return answered[name];
      },
    });
    expect(JSON.parse(value as string)).toEqual({
      connectionString: answered.ConnectionString,
      srvConnectionString: answered.SrvConnectionString,
      srvShardOptimizedConnectionString: '',
    });
  });

  it('with several clusters, writes the ConnectionStrings attribute as is, encrypted with the given key', () => {
    const stack = new Stack(new App(), 'App', { env });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new AtlasPrivateLink(stack, 'Atlas', {
      vpc,
      projectId: PROJECT,
      clusterNames: ['Cluster0', 'Cluster1'],
      connectionStringSecret: true,
      connectionStringSecretEncryptionKey: key,
    });
    const resources = resourcesOf(stack);
    const [registrationId] = idsOf(resources, 'Custom::AtlasPrivateEndpoint');
    const [secretId] = idsOf(resources, 'AWS::SecretsManager::Secret');
    const [keyId] = idsOf(resources, 'AWS::KMS::Key');
    expect(resources[secretId].Properties).toMatchObject({
      SecretString: { 'Fn::GetAtt': [registrationId, 'ConnectionStrings'] },
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  it('refuses connectionStringSecret without clusterNames, or with a list token, naming the construct', () => {
    const stack = new Stack(new App(), 'App', { env });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    expect(
      thrown(() => new AtlasPrivateLink(stack, 'NoNames', { vpc, projectId: PROJECT, connectionStringSecret: true }), 'App/NoNames'),
    ).toMatch(/connectionStringSecret needs clusterNames/);
    expect(
      thrown(
        () => new AtlasPrivateLink(stack, 'Empty', { vpc, projectId: PROJECT, clusterNames: [], connectionStringSecret: true }),
        'App/Empty',
      ),
    ).toMatch(/connectionStringSecret needs clusterNames/);
    const names = new CfnParameter(stack, 'ClusterNames', { type: 'CommaDelimitedList' });
    expect(
      thrown(
        () =>
          new AtlasPrivateLink(stack, 'Listed', { vpc, projectId: PROJECT, clusterNames: names.valueAsList, connectionStringSecret: true }),
        'App/Listed',
      ),
    ).toMatch(/list token/);
  });

  it("cdk-nag's AWS Solutions checks report the secret for rotation only (SMG4), and take an acknowledgement on it", () => {
    const findings = (acknowledge: boolean) => {
      const { stack, link } = privateLink({ clusterNames: ['Cluster0'], connectionStringSecret: true });
      if (acknowledge) {
        Validations.of(link.connectionStringSecret!).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason: 'A connection string has nothing to rotate.',
        });
      }
      return new AwsSolutionsChecks()
        .validateScope(stack)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
        .filter((f) => f.includes('/ConnectionStringSecret'));
    };
    expect(findings(false)).toEqual([expect.stringMatching(/^AwsSolutions-SMG4 at App\/Atlas\/ConnectionStringSecret/)]);
    expect(findings(true)).toEqual([]);
  });
});
