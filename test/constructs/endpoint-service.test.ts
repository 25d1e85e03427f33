import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AtlasPrivateEndpointProvider, AtlasPrivateEndpointService } from '../../lib';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';

describe('AtlasPrivateEndpointService', () => {
  it("declares Custom::AtlasPrivateEndpointService with the provider's ServiceToken and a ServiceTimeout", () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const provider = new AtlasPrivateEndpointProvider(stack, 'Provider');
    const service = new AtlasPrivateEndpointService(stack, 'Service', {
      provider,
      projectId: PROJECT,
      providerName: 'AWS',
      region: 'us-east-1',
      supportedRemoteRegions: ['us-west-2'],
      serviceTimeout: Duration.minutes(30),
    });
    const template = Template.fromStack(stack);
    template.hasResource('Custom::AtlasPrivateEndpointService', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProviderOnEventFunction'), 'Arn'] },
        ProjectId: PROJECT,
        ProviderName: 'AWS',
        Region: 'us-east-1',
        SupportedRemoteRegions: ['us-west-2'],
        ServiceTimeout: '1800',
      },
      DeletionPolicy: 'Delete',
    });
    expect(service.physicalId).toBeDefined();
  });

  it('exposes typed attribute getters as Fn::GetAtt', () => {
    const stack = new Stack();
    const service = new AtlasPrivateEndpointService(stack, 'Service', {
      serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      projectId: PROJECT,
      providerName: 'GCP',
      region: 'us-central1',
    });
    const logicalId = stack.getLogicalId(service.resource.node.defaultChild as never);
    for (const [getter, attribute] of [
      ['endpointServiceName', 'EndpointServiceName'],
      ['privateLinkId', 'PrivateLinkId'],
      ['status', 'Status'],
      ['errorMessage', 'ErrorMessage'],
      ['serviceAttachmentNames', 'ServiceAttachmentNames'],
      ['serviceAttachmentBaseUrl', 'ServiceAttachmentBaseUrl'],
      ['regionName', 'RegionName'],
    ] as const) {
      expect(stack.resolve(service[getter])).toEqual({ 'Fn::GetAtt': [logicalId, attribute] });
    }
  });

  it("takes a plain serviceToken, such as an import of the provider stack's export", () => {
    const stack = new Stack();
    new AtlasPrivateEndpointService(stack, 'Service', {
      serviceToken: Fn.importValue('AtlasPrivateEndpointServiceToken'),
      projectId: PROJECT,
      providerName: 'AZURE',
      region: 'eastus2',
    });
    Template.fromStack(stack).hasResourceProperties('Custom::AtlasPrivateEndpointService', {
      ServiceToken: { 'Fn::ImportValue': 'AtlasPrivateEndpointServiceToken' },
      ServiceTimeout: '3600',
    });
  });

  it('fails synth with the property, the value and what is accepted', () => {
    const stack = new Stack();
    const token = 'arn:aws:lambda:us-east-1:123456789012:function:f';
    expect(
      () =>
        new AtlasPrivateEndpointService(stack, 'A', { serviceToken: token, projectId: PROJECT, providerName: 'AWS', region: 'eastus2' }),
    ).toThrow(/Region "eastus2" is a region of AZURE, not of AWS/);
    expect(
      () =>
        new AtlasPrivateEndpointService(stack, 'B', { serviceToken: token, projectId: 'nope', providerName: 'AWS', region: 'us-east-1' }),
    ).toThrow(/ProjectId "nope"/);
    expect(
      () =>
        new AtlasPrivateEndpointService(stack, 'C', {
          serviceToken: token,
          projectId: PROJECT,
          providerName: 'AWS',
          region: 'us-east-1',
          portMappingEnabled: true,
        }),
    ).toThrow(/GCP only/);
    expect(() => new AtlasPrivateEndpointService(stack, 'D', { projectId: PROJECT, providerName: 'AWS', region: 'us-east-1' })).toThrow(
      /exactly one of provider or serviceToken/,
    );
  });

  it('fails synth for a serviceTimeout too short for the deadline, naming the construct and the smallest that works', () => {
    const stack = new Stack();
    const base = {
      serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      projectId: PROJECT,
      providerName: 'AWS' as const,
      region: 'us-east-1',
    };
    expect(() => new AtlasPrivateEndpointService(stack, 'Short', { ...base, serviceTimeout: Duration.seconds(108) })).toThrow(
      /ServiceTimeout 108 is too short.*The smallest ServiceTimeout that works is 109 seconds\. \(at Default\/Short\)/,
    );
    expect(() => new AtlasPrivateEndpointService(stack, 'Two', { ...base, serviceTimeout: Duration.minutes(1) })).toThrow(
      /smallest ServiceTimeout that works is 109/,
    );
    new AtlasPrivateEndpointService(stack, 'Smallest', { ...base, serviceTimeout: Duration.seconds(109) });
    Template.fromStack(stack).hasResourceProperties('Custom::AtlasPrivateEndpointService', { ServiceTimeout: '109' });
  });

  it('accepts tokens it cannot check at synth time', () => {
    const stack = new Stack();
    expect(
      () =>
        new AtlasPrivateEndpointService(stack, 'S', {
          serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
          projectId: Fn.importValue('ProjectId'),
          providerName: 'AWS',
          region: Stack.of(stack).region,
        }),
    ).not.toThrow();
  });

  it('lets the provider read the secret the resource names', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const provider = new AtlasPrivateEndpointProvider(stack, 'Provider', { profiles: [], credentialsSecretArns: [] });
    new AtlasPrivateEndpointService(stack, 'Service', {
      provider,
      projectId: PROJECT,
      providerName: 'AWS',
      region: 'us-east-1',
      profile: 'team-a',
    });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('secret:cfn/atlas/profile/team-a-??????');
  });
});
