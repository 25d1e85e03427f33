/**
 * The provider as a stack of its own, deployed once per account and region, publishing its ServiceToken for
 * other stacks, plain CloudFormation templates and Service Catalog products.
 */
import { CfnOutput, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { AtlasPrivateEndpointProvider, type AtlasPrivateEndpointProviderProps } from './provider';

/** The export that holds the ServiceToken: `ServiceToken: !ImportValue AtlasPrivateEndpointServiceToken`. */
export const SERVICE_TOKEN_EXPORT_NAME = 'AtlasPrivateEndpointServiceToken';
/** The SSM String parameter that holds the ServiceToken (what Service Catalog products read). */
export const SERVICE_TOKEN_PARAMETER_NAME = '/atlas/private-endpoint/service-token';

/** Properties of {@link AtlasPrivateEndpointProviderStack}: a stack's, the provider's, and where the token goes. */
export interface AtlasPrivateEndpointProviderStackProps extends StackProps, AtlasPrivateEndpointProviderProps {
  /**
   * Name of the export holding the ServiceToken (unique in the account and region).
   * @default 'AtlasPrivateEndpointServiceToken'
   */
  readonly exportName?: string;
  /**
   * Name of the SSM String parameter holding the ServiceToken.
   * @default '/atlas/private-endpoint/service-token'
   */
  readonly serviceTokenParameterName?: string;
}

/**
 * A stack holding one {@link AtlasPrivateEndpointProvider}, which publishes the ServiceToken as the export
 * `AtlasPrivateEndpointServiceToken` and the SSM String parameter `/atlas/private-endpoint/service-token`.
 * It needs no lookup: it synthesizes without credentials and deploys to any account, region and partition.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const app = new App();
 * new AtlasPrivateEndpointProviderStack(app, 'AtlasPrivateEndpointProvider', {
 *   profiles: ['default', 'prod'],
 *   logLevel: 'INFO',
 *   removalPolicy: RemovalPolicy.RETAIN,
 * });
 */
export class AtlasPrivateEndpointProviderStack extends Stack {
  /** The default name of the export holding the ServiceToken: `AtlasPrivateEndpointServiceToken`. */
  static readonly SERVICE_TOKEN_EXPORT_NAME: string = SERVICE_TOKEN_EXPORT_NAME;
  /** The default name of the SSM String parameter holding the ServiceToken: `/atlas/private-endpoint/service-token`. */
  static readonly SERVICE_TOKEN_PARAMETER_NAME: string = SERVICE_TOKEN_PARAMETER_NAME;

  /** The provider. */
  readonly provider: AtlasPrivateEndpointProvider;
  /** The parameter holding the ServiceToken. */
  readonly serviceTokenParameter: ssm.StringParameter;

  /**
   * Creates the stack with its provider, export and parameter.
   * @param scope the app (or stage)
   * @param id the stack's id, and its name unless `stackName` is given
   * @param props options; every one has a default
   */
  constructor(scope: Construct, id: string, props: AtlasPrivateEndpointProviderStackProps = {}) {
    super(scope, id, { description: 'MongoDB Atlas private endpoint custom resource provider', ...props });
    this.provider = new AtlasPrivateEndpointProvider(this, 'Provider', props);
    new CfnOutput(this, 'ServiceToken', {
      value: this.provider.serviceToken,
      exportName: props.exportName ?? SERVICE_TOKEN_EXPORT_NAME,
      description: 'ServiceToken of Custom::AtlasPrivateEndpointService and Custom::AtlasPrivateEndpoint',
    });
    const parameterName = props.serviceTokenParameterName ?? SERVICE_TOKEN_PARAMETER_NAME;
    this.serviceTokenParameter = new ssm.StringParameter(this, 'ServiceTokenParameter', {
      parameterName,
      // A deploy-time name (the packaged template's parameter) is a path, as the default is.
      simpleName: Token.isUnresolved(parameterName) ? false : !parameterName.startsWith('/'),
      stringValue: this.provider.serviceToken,
      description: 'ServiceToken of Custom::AtlasPrivateEndpointService and Custom::AtlasPrivateEndpoint',
    });
  }
}
