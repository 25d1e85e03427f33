import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ENDPOINT_ATTRIBUTE_NAMES } from '../../lambda/lifecycle/registration/attributes';
import { SERVICE_ATTRIBUTE_NAMES } from '../../lambda/lifecycle/service/attributes';
import { parseEndpointProperties } from '../../lambda/model/endpoint-properties';
import { parseServiceProperties } from '../../lambda/model/service-properties';
import { asCloudFormationSends } from '../../local/runner/runner';
import { AtlasPrivateEndpointCatalog } from '../../lib';
import { type CfnTemplate, creationOrder, evaluate, getAtts } from '../support/cfn-template';

// Pinned: a later write to the parameter (a new version) cannot redirect launches to another function.
const TOKEN = '{{resolve:ssm:/atlas/private-endpoint/service-token:1}}';

function build(props: ConstructorParameters<typeof AtlasPrivateEndpointCatalog>[2] = {}) {
  const app = new App();
  const stack = new Stack(app, 'Catalog');
  const catalog = new AtlasPrivateEndpointCatalog(stack, 'Catalog', props);
  const template = Template.fromStack(stack);
  const dir = app.synth().directory;
  const product = (s: { templateFile: string }) => JSON.parse(readFileSync(join(dir, s.templateFile), 'utf8')) as CfnTemplate;
  return {
    stack,
    catalog,
    template,
    json: template.toJSON() as CfnTemplate,
    endpointService: product(catalog.endpointServiceTemplate),
    privateLink: product(catalog.privateLinkTemplate),
  };
}

const ids = (t: CfnTemplate, type: string) =>
  Object.entries(t.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([k]) => k);

// What Fn::GetAtt may read on each resource type the product templates use.
const ATTRIBUTES: Record<string, readonly string[]> = {
  'Custom::AtlasPrivateEndpointService': SERVICE_ATTRIBUTE_NAMES,
  'Custom::AtlasPrivateEndpoint': ENDPOINT_ATTRIBUTE_NAMES,
  'AWS::EC2::VPCEndpoint': ['Id', 'CreationTimestamp', 'DnsEntries', 'NetworkInterfaceIds'],
  'AWS::EC2::SecurityGroup': ['GroupId', 'VpcId', 'Id'],
};

describe('AtlasPrivateEndpointCatalog', () => {
  const { template, json, endpointService, privateLink, catalog } = build();

  it('makes one portfolio holding the two named products, each launched with the launch role', () => {
    template.resourceCountIs('AWS::ServiceCatalog::Portfolio', 1);
    const products = ids(json, 'AWS::ServiceCatalog::CloudFormationProduct').map((id) => json.Resources[id].Properties!.Name);
    expect(products.sort()).toEqual(['Atlas PrivateLink (AWS)', 'Atlas private endpoint service']);
    const [portfolio] = ids(json, 'AWS::ServiceCatalog::Portfolio');
    const [role] = ids(json, 'AWS::IAM::Role');
    const constraints = ids(json, 'AWS::ServiceCatalog::LaunchRoleConstraint').map((id) => json.Resources[id].Properties!);
    expect(constraints).toHaveLength(2);
    for (const c of constraints) expect(c).toMatchObject({ PortfolioId: { Ref: portfolio }, RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } });
    expect(ids(json, 'AWS::ServiceCatalog::PortfolioProductAssociation')).toHaveLength(2);
    expect(json.Resources[role].Properties!.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'servicecatalog.amazonaws.com' } }],
    });
  });

  it("gives every custom resource of both products the token resolved from the provider's SSM parameter", () => {
    for (const t of [endpointService, privateLink]) {
      const custom = Object.values(t.Resources).filter((r) => r.Type.startsWith('Custom::'));
      expect(custom.length).toBeGreaterThan(0);
      for (const r of custom) expect(r.Properties!.ServiceToken).toBe(TOKEN);
      // Nothing for a CDK bootstrap: Service Catalog launches the template as it is.
      expect(JSON.stringify(t)).not.toMatch(/BootstrapVersion|cdk-bootstrap|AssetParameters/);
    }
    expect(ids(privateLink, 'Custom::AtlasPrivateEndpointService')).toHaveLength(1);
    expect(ids(privateLink, 'Custom::AtlasPrivateEndpoint')).toHaveLength(1);
  });

  it('asks for project, provider, region and profile; and for the chain project, profile, VPC, subnets and who may connect', () => {
    expect(Object.keys(endpointService.Parameters ?? {}).sort()).toEqual(['Profile', 'ProjectId', 'ProviderName', 'Region']);
    expect(endpointService.Parameters!.ProviderName.AllowedValues).toEqual(['AWS', 'AZURE', 'GCP']);
    expect(endpointService.Parameters!.Profile.Default).toBe('default');
    expect(Object.keys(privateLink.Parameters ?? {}).sort()).toEqual(['ClientCidr', 'Profile', 'ProjectId', 'SubnetIds', 'VpcId']);
    expect(privateLink.Parameters!.VpcId.Type).toBe('AWS::EC2::VPC::Id');
    expect(privateLink.Parameters!.SubnetIds.Type).toBe('List<AWS::EC2::Subnet::Id>');
  });

  it('gives the custom resources properties the Lambda accepts, once CloudFormation has filled in the parameters', () => {
    const cases: [CfnTemplate, Record<string, string | string[]>][] = [
      [endpointService, { ProjectId: '5f1e0a1b2c3d4e5f6a7b8c9d', ProviderName: 'AZURE', Region: 'eastus2', Profile: 'default' }],
      [
        privateLink,
        {
          ProjectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
          Profile: 'prod',
          VpcId: 'vpc-1',
          SubnetIds: ['subnet-1', 'subnet-2'],
          ClientCidr: '10.0.0.0/16',
        },
      ],
    ];
    for (const [t, parameters] of cases) {
      for (const id of creationOrder(t)) {
        const r = t.Resources[id];
        if (!r.Type.startsWith('Custom::')) continue;
        const props = evaluate(r.Properties, {
          parameters,
          pseudo: { 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012', 'AWS::Partition': 'aws' },
          ref: () => 'vpce-0123456789abcdef0',
          attribute: (_id, name) => (name === 'PrivateLinkId' ? '64a1b2c3d4e5f6a7b8c9d0e1' : `${name}-value`),
          dynamic: () => 'arn:aws:lambda:eu-west-1:123456789012:function:OnEvent',
        });
        const raw = asCloudFormationSends(props) as Record<string, unknown>;
        const parsed = r.Type === 'Custom::AtlasPrivateEndpointService' ? parseServiceProperties(raw) : parseEndpointProperties(raw);
        expect({ id, problems: parsed.ok ? [] : parsed.problems }).toEqual({ id, problems: [] });
      }
    }
  });

  it('reads only attributes the resources return, and outputs every endpoint service attribute but the two echoing parameters', () => {
    for (const t of [endpointService, privateLink]) {
      for (const [id, attr] of getAtts({ ...t.Resources, ...t.Outputs })) {
        expect(ATTRIBUTES[t.Resources[id].Type]).toContain(attr);
      }
    }
    const outputs = Object.keys(endpointService.Outputs ?? {}).sort();
    expect(outputs).toEqual(SERVICE_ATTRIBUTE_NAMES.filter((a) => a !== 'ProjectId' && a !== 'ProviderName').sort());
  });

  it('creates the chain in order: endpoint service, then interface endpoint, then registration', () => {
    const order = creationOrder(privateLink).map((id) => privateLink.Resources[id].Type);
    expect(order.indexOf('Custom::AtlasPrivateEndpointService')).toBeLessThan(order.indexOf('AWS::EC2::VPCEndpoint'));
    expect(order.indexOf('AWS::EC2::SecurityGroup')).toBeLessThan(order.indexOf('AWS::EC2::VPCEndpoint'));
    expect(order.indexOf('AWS::EC2::VPCEndpoint')).toBeLessThan(order.indexOf('Custom::AtlasPrivateEndpoint'));
    const [vpce] = ids(privateLink, 'AWS::EC2::VPCEndpoint');
    expect(privateLink.Resources[vpce].Properties).toMatchObject({
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: false,
      SubnetIds: { Ref: 'SubnetIds' },
      VpcId: { Ref: 'VpcId' },
    });
    const [service] = ids(privateLink, 'Custom::AtlasPrivateEndpointService');
    expect(privateLink.Resources[service].Properties).toMatchObject({ ProviderName: 'AWS', Region: { Ref: 'AWS::Region' } });
  });

  it("limits the launch role's policy to exactly launching, updating and terminating the products", () => {
    const arn = (service: string, resource: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`],
      ],
    });
    const viaCfn = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };
    const tagged = { ...viaCfn, StringEquals: { 'aws:ResourceTag/AtlasPrivateEndpointProduct': 'PrivateLink' } };
    const ec2 = (type: string) => arn('ec2', `${type}/*`);
    // action → [resource, condition] pairs it is granted on.
    const expected: Record<string, [unknown, unknown][]> = {};
    const grant = (actions: string[], resources: unknown[], condition?: unknown) => {
      for (const a of actions) for (const r of resources) (expected[a] ??= []).push([r, condition]);
    };
    grant(
      ['CreateStack', 'UpdateStack', 'DeleteStack', 'DescribeStacks', 'DescribeStackEvents', 'SetStackPolicy'].map(
        (a) => `cloudformation:${a}`,
      ),
      [arn('cloudformation', 'stack/SC-*')],
    );
    grant(['cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'], ['*']);
    grant(['s3:GetObject'], ['*'], { StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' } });
    grant(['ssm:GetParameters'], [arn('ssm', 'parameter/atlas/private-endpoint/service-token')]);
    // The same pinned version of the parameter the products read.
    grant(['lambda:InvokeFunction'], [TOKEN]);
    grant(['ec2:CreateVpcEndpoint', 'ec2:CreateSecurityGroup'], [arn('ec2', '*')], viaCfn);
    grant(['ec2:CreateTags'], [ec2('vpc-endpoint'), ec2('security-group')], {
      ...viaCfn,
      StringEquals: { 'ec2:CreateAction': ['CreateVpcEndpoint', 'CreateSecurityGroup'] },
    });
    const sgRules = ['Authorize', 'Revoke'].flatMap((v) => ['Ingress', 'Egress'].map((d) => `ec2:${v}SecurityGroup${d}`));
    grant(
      ['ec2:ModifyVpcEndpoint', 'ec2:DeleteVpcEndpoints', 'ec2:DeleteSecurityGroup', ...sgRules, 'ec2:CreateTags', 'ec2:DeleteTags'],
      [ec2('vpc-endpoint'), ec2('security-group')],
      tagged,
    );
    grant(['ec2:ModifyVpcEndpoint'], [ec2('subnet'), ec2('security-group')], viaCfn);
    grant(sgRules, [ec2('security-group-rule')], viaCfn);
    grant(
      ['DescribeVpcEndpoints', 'DescribeSecurityGroups', 'DescribeVpcs', 'DescribeSubnets'].map((a) => `ec2:${a}`),
      ['*'],
    );

    const statements = ids(json, 'AWS::IAM::Policy').flatMap(
      (id) =>
        (
          json.Resources[id].Properties!.PolicyDocument as {
            Statement: { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[];
          }
        ).Statement,
    );
    const granted: Record<string, [unknown, unknown][]> = {};
    for (const st of statements) {
      expect(st.Effect).toBe('Allow');
      for (const action of ([] as string[]).concat(st.Action))
        for (const r of ([] as unknown[]).concat(st.Resource)) (granted[action] ??= []).push([r, st.Condition]);
    }
    const sorted = (m: Record<string, [unknown, unknown][]>) =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.map((x) => JSON.stringify(x)).sort()]));
    expect(sorted(granted)).toEqual(sorted(expected));
    // No EC2 write on the account's every resource without a condition.
    for (const [action, pairs] of Object.entries(granted))
      if (/^ec2:(?!Describe)/.test(action)) for (const [, condition] of pairs) expect(condition).toMatchObject(viaCfn);
    expect(ids(json, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    expect(json.Resources[ids(json, 'AWS::IAM::Role')[0]].Properties!.ManagedPolicyArns).toBeUndefined();
    expect(catalog.launchRole).toBeDefined();
  });

  it("outputs the portfolio's and both products' ids, one set per catalog", () => {
    const outputs = json.Outputs ?? {};
    const refs = Object.values(outputs).map((o) => JSON.stringify(o.Value));
    const [portfolio] = ids(json, 'AWS::ServiceCatalog::Portfolio');
    const products = ids(json, 'AWS::ServiceCatalog::CloudFormationProduct');
    expect(refs.sort()).toEqual([portfolio, ...products].map((id) => JSON.stringify({ Ref: id })).sort());
    const two = new Stack(new App(), 'TwoTeams');
    new AtlasPrivateEndpointCatalog(two, 'TeamA', { profiles: ['team-a'] });
    new AtlasPrivateEndpointCatalog(two, 'TeamB', { profiles: ['team-b'] });
    expect(Object.keys(Template.fromStack(two).toJSON().Outputs)).toHaveLength(6);
  });

  it('tags the interface endpoint and its security group, the tag the launch role requires for later writes', () => {
    for (const type of ['AWS::EC2::VPCEndpoint', 'AWS::EC2::SecurityGroup']) {
      const [id] = ids(privateLink, type);
      expect(privateLink.Resources[id].Properties!.Tags).toEqual([{ Key: 'AtlasPrivateEndpointProduct', Value: 'PrivateLink' }]);
    }
  });

  it("renders a team's profiles, projects and VPCs as the only values a launch may pick", () => {
    const A = '5f1e0a1b2c3d4e5f6a7b8c9d';
    const B = '0123456789abcdef01234567';
    const team = build({ profiles: ['team-a', 'team-a-ro'], projectIds: [A, B.toUpperCase()], vpcIds: ['vpc-0123456789abcdef0'] });
    for (const t of [team.endpointService, team.privateLink]) {
      expect(t.Parameters!.Profile).toMatchObject({ AllowedValues: ['team-a', 'team-a-ro'], Default: 'team-a' });
      expect(t.Parameters!.Profile.AllowedPattern).toBeUndefined();
      expect(t.Parameters!.ProjectId).toMatchObject({ AllowedValues: [A, B] });
      expect(t.Parameters!.ProjectId.AllowedPattern).toBeUndefined();
    }
    expect(team.privateLink.Parameters!.VpcId).toMatchObject({ AllowedValues: ['vpc-0123456789abcdef0'] });
    expect(() => build({ profiles: ['team-a'], defaultProfile: 'default' })).toThrow(/defaultProfile "default" is not one of profiles/);
    expect(() => build({ projectIds: ['nope'] })).toThrow(/"nope" is not an Atlas project id.*\(at Catalog\/Catalog\)/);
  });

  it('takes the ServiceToken as a function ARN, then reads no parameter at all', () => {
    const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:AtlasProvider-OnEvent';
    const { endpointService: t, privateLink: l, json: j } = build({ serviceToken: fn });
    for (const x of [t, l])
      for (const r of Object.values(x.Resources).filter((r) => r.Type.startsWith('Custom::'))) expect(r.Properties!.ServiceToken).toBe(fn);
    expect(JSON.stringify(j)).not.toMatch(/service-token|ssm:GetParameters/);
    expect(() => build({ serviceToken: 'arn:aws:iam::123456789012:role/x' })).toThrow(/is not a Lambda function ARN/);
  });

  it('grants roles, users and groups access to the portfolio', () => {
    const app = new App();
    const stack = new Stack(app, 'Grants');
    const role = new iam.Role(stack, 'Developers', { assumedBy: new iam.AccountRootPrincipal() });
    const user = iam.User.fromUserName(stack, 'Ana', 'ana');
    const group = new iam.Group(stack, 'Ops');
    const catalog = new AtlasPrivateEndpointCatalog(stack, 'Catalog', { principals: [role] });
    catalog.grantLaunch(user);
    catalog.grantLaunch(group);
    const t = Template.fromStack(stack).toJSON() as CfnTemplate;
    const principals = ids(t, 'AWS::ServiceCatalog::PortfolioPrincipalAssociation').map((id) =>
      JSON.stringify(t.Resources[id].Properties!.PrincipalARN),
    );
    expect(principals).toHaveLength(3);
    expect(principals.some((p) => p.includes(stack.getLogicalId(role.node.defaultChild as never)))).toBe(true);
    expect(principals.some((p) => p.includes(':user/ana'))).toBe(true);
    expect(principals.some((p) => p.includes(stack.getLogicalId(group.node.defaultChild as never)))).toBe(true);
  });

  it('reads the token from another parameter when told, and refuses a name SSM cannot hold', () => {
    const { endpointService: t, json: j } = build({ serviceTokenParameterName: '/team/atlas/token' });
    expect(t.Resources[ids(t, 'Custom::AtlasPrivateEndpointService')[0]].Properties!.ServiceToken).toBe(
      '{{resolve:ssm:/team/atlas/token:1}}',
    );
    expect(JSON.stringify(j)).toContain(':parameter/team/atlas/token');
    const v3 = build({ serviceTokenParameterVersion: 3 }).endpointService;
    expect(v3.Resources[ids(v3, 'Custom::AtlasPrivateEndpointService')[0]].Properties!.ServiceToken).toBe(
      '{{resolve:ssm:/atlas/private-endpoint/service-token:3}}',
    );
    expect(() => build({ serviceTokenParameterName: 'no-slash' })).toThrow(
      /serviceTokenParameterName "no-slash" is not an SSM parameter path.*\(at Catalog\/Catalog\)/,
    );
  });
});
