/**
 * What Python, Java, C# and Go users reach instead of TypeScript's bare exports and union-typed parameters:
 * static members that say the same as the exports, and typed forms of `grantLaunch` that do what it does.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { MAX_STEP_FAILURES as CONTRACT_MAX_STEP_FAILURES } from '../../lambda/model/wait-loop';
import {
  ATLAS_PRIVATE_ENDPOINT_PORTS,
  AtlasPrivateEndpointCatalog,
  AtlasPrivateEndpointProvider,
  AtlasPrivateEndpointProviderStack,
  AtlasPrivateLink,
  CATALOG_PRODUCT_NAMES,
  PROVIDER_HANDLERS,
  PROVIDER_RUNTIME,
  ProviderHandler,
  providerHandlerDirectory,
  SERVICE_TOKEN_EXPORT_NAME,
  SERVICE_TOKEN_PARAMETER_NAME,
  WaitLoop,
} from '../../lib';
import type { CfnTemplate } from '../support/cfn-template';

describe('static members', () => {
  it('say what the TypeScript constants say', () => {
    expect(AtlasPrivateEndpointProviderStack.SERVICE_TOKEN_EXPORT_NAME).toBe(SERVICE_TOKEN_EXPORT_NAME);
    expect(AtlasPrivateEndpointProviderStack.SERVICE_TOKEN_PARAMETER_NAME).toBe(SERVICE_TOKEN_PARAMETER_NAME);
    expect(AtlasPrivateLink.ATLAS_PORT_RANGE).toEqual(ATLAS_PRIVATE_ENDPOINT_PORTS);
    expect(AtlasPrivateEndpointProvider.RUNTIME).toBe(PROVIDER_RUNTIME);
    expect(AtlasPrivateEndpointCatalog.ENDPOINT_SERVICE_PRODUCT_NAME).toBe(CATALOG_PRODUCT_NAMES.endpointService);
    expect(AtlasPrivateEndpointCatalog.PRIVATE_LINK_PRODUCT_NAME).toBe(CATALOG_PRODUCT_NAMES.privateLink);
    expect(WaitLoop.MAX_STEP_FAILURES).toBe(CONTRACT_MAX_STEP_FAILURES);
    expect([ProviderHandler.ON_EVENT, ProviderHandler.ON_STEP, ProviderHandler.ON_EVENT_FAILED]).toEqual([
      PROVIDER_HANDLERS.onEvent,
      PROVIDER_HANDLERS.onStep,
      PROVIDER_HANDLERS.onEventFailed,
    ]);
  });

  it("name the provider's real handlers and its one code asset", async () => {
    const handler = (await import('../../lambda/handler')) as Record<string, unknown>;
    for (const name of [ProviderHandler.ON_EVENT, ProviderHandler.ON_STEP, ProviderHandler.ON_EVENT_FAILED]) {
      expect(name).toMatch(/^index\.\w+$/);
      expect(typeof handler[name.slice('index.'.length)]).toBe('function');
    }
    const code = ProviderHandler.code();
    expect(code).toBeInstanceOf(lambda.AssetCode);
    expect((code as lambda.AssetCode).path).toBe(providerHandlerDirectory());
  });

  it('AtlasPrivateLink opens ATLAS_PORT_RANGE when no portRange is given', () => {
    const stack = new Stack(new App(), 'Ports', { env: { account: '111111111111', region: 'us-east-1' } });
    new AtlasPrivateLink(stack, 'Atlas', {
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }),
      projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
      serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:token',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        { IpProtocol: 'tcp', FromPort: AtlasPrivateLink.ATLAS_PORT_RANGE.fromPort, ToPort: AtlasPrivateLink.ATLAS_PORT_RANGE.toPort },
      ],
    });
  });
});

describe('grantLaunchToRole, grantLaunchToUser and grantLaunchToGroup', () => {
  /** The principals the portfolio is shared with, as each grant renders them. */
  function granted(grant: (catalog: AtlasPrivateEndpointCatalog, who: { role: iam.IRole; user: iam.IUser; group: iam.IGroup }) => void) {
    const stack = new Stack(new App(), 'Catalog');
    const who = {
      role: new iam.Role(stack, 'Developers', { assumedBy: new iam.AccountRootPrincipal() }),
      user: iam.User.fromUserName(stack, 'Ana', 'ana'),
      group: new iam.Group(stack, 'Ops'),
    };
    grant(new AtlasPrivateEndpointCatalog(stack, 'Catalog'), who);
    const t = Template.fromStack(stack).toJSON() as CfnTemplate;
    return Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::ServiceCatalog::PortfolioPrincipalAssociation')
      .map((r) => JSON.stringify(r.Properties))
      .sort();
  }

  it('share the portfolio exactly as grantLaunch does', () => {
    const typed = granted((c, w) => {
      c.grantLaunchToRole(w.role);
      c.grantLaunchToUser(w.user);
      c.grantLaunchToGroup(w.group);
    });
    expect(typed).toHaveLength(3);
    expect(typed).toEqual(
      granted((c, w) => {
        c.grantLaunch(w.role);
        c.grantLaunch(w.user);
        c.grantLaunch(w.group);
      }),
    );
  });
});
