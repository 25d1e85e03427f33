/**
 * `Custom::AtlasPrivateEndpoint`: registers one interface endpoint (an AWS VPC endpoint) with an Atlas
 * private endpoint service and waits until Atlas has accepted the connection.
 */
import type { CustomResource, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { parseEndpointProperties, RESOURCE_TYPE_ENDPOINT } from '../lambda/model/endpoint-properties';
import type { CloudProvider } from '../lambda/model/provider';
import { atlasCustomResource } from './atlas-resource';
import type { AtlasPrivateEndpointProvider } from './provider';

export interface AtlasPrivateEndpointProps {
  /** The provider deployed in this app. Give this or `serviceToken`. */
  readonly provider?: AtlasPrivateEndpointProvider;
  /** The ServiceToken of a provider deployed elsewhere. */
  readonly serviceToken?: string;
  /** Atlas project (group) id: 24 hexadecimal digits. */
  readonly projectId: string;
  /**
   * The cloud provider of the endpoint service. Only AWS is supported so far.
   * @default 'AWS'
   */
  readonly providerName?: CloudProvider;
  /** The Atlas endpoint service id (`AtlasPrivateEndpointService.privateLinkId`). */
  readonly endpointServiceId: string;
  /** The interface endpoint to register: for AWS the VPC endpoint id (`vpce-…`). */
  readonly endpointId: string;
  /**
   * Profile of the Secrets Manager secret `cfn/atlas/profile/{profile}` holding the Atlas credentials.
   * @default 'default' (unless `credentialsSecretArn` is given)
   */
  readonly profile?: string;
  /** ARN of the Secrets Manager secret holding the Atlas credentials; takes precedence over `profile`. */
  readonly credentialsSecretArn?: string;
  /**
   * Fail unless Atlas reports the connection AVAILABLE; when false, succeed once Atlas has settled it
   * either way (the `connectionStatus` attribute says which).
   * @default true
   */
  readonly enforceConnectionSuccess?: boolean;
  /**
   * How long CloudFormation waits for the provider's answer.
   * @default Duration.hours(1)
   */
  readonly serviceTimeout?: Duration;
}

export class AtlasPrivateEndpoint extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: AtlasPrivateEndpointProps) {
    super(scope, id);
    this.resource = atlasCustomResource(this, {
      ...props,
      resourceType: RESOURCE_TYPE_ENDPOINT,
      parse: parseEndpointProperties,
      properties: {
        ProjectId: props.projectId,
        ProviderName: props.providerName ?? 'AWS',
        EndpointServiceId: props.endpointServiceId,
        EndpointId: props.endpointId,
        ...(props.enforceConnectionSuccess !== undefined ? { EnforceConnectionSuccess: props.enforceConnectionSuccess } : {}),
      },
    });
  }

  /** `{ProjectId}--{EndpointServiceId}--{EndpointId}`. */
  get physicalId(): string {
    return this.resource.ref;
  }
  /** The registered interface endpoint's id (`vpce-…`). */
  get interfaceEndpointId(): string {
    return this.resource.getAttString('InterfaceEndpointId');
  }
  /** Atlas's connection status: AVAILABLE once accepted (REJECTED only when enforcement is off). */
  get connectionStatus(): string {
    return this.resource.getAttString('ConnectionStatus');
  }
  /** "true" while Atlas is removing the registration. */
  get deleteRequested(): string {
    return this.resource.getAttString('DeleteRequested');
  }
  get errorMessage(): string {
    return this.resource.getAttString('ErrorMessage');
  }
}
