import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AtlasPrivateEndpoint, AtlasPrivateEndpointProvider, AtlasPrivateLink } from '../../lib';

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
