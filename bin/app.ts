#!/usr/bin/env node
/**
 * The provider stack, deployed once per account and region. It exports its ServiceToken so that other
 * stacks, plain CloudFormation templates and Service Catalog products can use
 * `Custom::AtlasPrivateEndpointService` with `ServiceToken: !ImportValue AtlasPrivateEndpointServiceToken`.
 *
 * Context (all optional): `profiles` (comma-separated secret profiles the provider may read, default
 * `default`), `exportName` (default `AtlasPrivateEndpointServiceToken`).
 */
import { App, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AtlasPrivateEndpointProvider } from '../lib';

export class AtlasPrivateEndpointProviderStack extends Stack {
  readonly provider: AtlasPrivateEndpointProvider;

  constructor(scope: Construct, id: string, props: StackProps & { profiles?: string[]; exportName?: string } = {}) {
    super(scope, id, props);
    this.provider = new AtlasPrivateEndpointProvider(this, 'Provider', { profiles: props.profiles });
    new CfnOutput(this, 'ServiceToken', {
      value: this.provider.serviceToken,
      exportName: props.exportName ?? 'AtlasPrivateEndpointServiceToken',
      description: 'ServiceToken for Custom::AtlasPrivateEndpointService',
    });
  }
}

if (require.main === module) {
  const app = new App();
  const profiles = (app.node.tryGetContext('profiles') as string | undefined)?.split(',').map((p) => p.trim()).filter(Boolean);
  new AtlasPrivateEndpointProviderStack(app, 'AtlasPrivateEndpointProvider', {
    profiles,
    exportName: app.node.tryGetContext('exportName') as string | undefined,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
}
