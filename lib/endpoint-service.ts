/**
 * `Custom::AtlasPrivateEndpointService`: one Atlas private endpoint service (one provider and region in
 * one project), created, updated and deleted by CloudFormation through the provider.
 */
import type { CustomResource, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { CloudProvider } from '../lambda/model/provider';
import { parseServiceProperties, RESOURCE_TYPE_SERVICE } from '../lambda/model/service-properties';
import { atlasCustomResource } from './atlas-resource';
import type { AtlasPrivateEndpointProvider } from './provider';

export interface AtlasPrivateEndpointServiceProps {
  /** The provider deployed in this app. Give this or `serviceToken`. */
  readonly provider?: AtlasPrivateEndpointProvider;
  /** The ServiceToken of a provider deployed elsewhere (for example imported from its stack's export). */
  readonly serviceToken?: string;
  /** Atlas project (group) id: 24 hexadecimal digits. */
  readonly projectId: string;
  /** The cloud provider of the endpoint service. */
  readonly providerName: CloudProvider;
  /** The provider's region, in the cloud's spelling (`us-east-1`, `eastus2`, `us-central1`) or Atlas's (`US_EAST_1`). */
  readonly region: string;
  /**
   * Profile of the Secrets Manager secret `cfn/atlas/profile/{profile}` holding the Atlas credentials.
   * @default 'default' (unless `credentialsSecretArn` is given)
   */
  readonly profile?: string;
  /** ARN of the Secrets Manager secret holding the Atlas credentials; takes precedence over `profile`. */
  readonly credentialsSecretArn?: string;
  /**
   * GCP only: use Private Service Connect port mapping (one service attachment instead of 50). Set at creation.
   * @default Atlas's default (false)
   */
  readonly portMappingEnabled?: boolean;
  /** AWS only: further regions whose interface endpoints may connect (cross-region PrivateLink). Updated in place. */
  readonly supportedRemoteRegions?: string[];
  /**
   * Take over a service that already exists for this provider and region instead of failing.
   * @default false
   */
  readonly adoptExisting?: boolean;
  /**
   * How long CloudFormation waits for the provider's answer (1 second to 1 hour). The provider answers before then.
   * @default Duration.hours(1)
   */
  readonly serviceTimeout?: Duration;
}

export class AtlasPrivateEndpointService extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: AtlasPrivateEndpointServiceProps) {
    super(scope, id);
    this.resource = atlasCustomResource(this, {
      ...props,
      resourceType: RESOURCE_TYPE_SERVICE,
      parse: parseServiceProperties,
      properties: {
        ProjectId: props.projectId,
        ProviderName: props.providerName,
        Region: props.region,
        ...(props.portMappingEnabled !== undefined ? { PortMappingEnabled: props.portMappingEnabled } : {}),
        ...(props.supportedRemoteRegions !== undefined ? { SupportedRemoteRegions: props.supportedRemoteRegions } : {}),
        ...(props.adoptExisting !== undefined ? { AdoptExisting: props.adoptExisting } : {}),
      },
    });
  }

  /** `{ProjectId}-{PrivateLinkId}-{ProviderName}-{Region}`. */
  get physicalId(): string {
    return this.resource.ref;
  }
  /** The Atlas endpoint service id. */
  get privateLinkId(): string {
    return this.resource.getAttString('PrivateLinkId');
  }
  /** AWS: the PrivateLink endpoint service name an interface endpoint connects to. */
  get endpointServiceName(): string {
    return this.resource.getAttString('EndpointServiceName');
  }
  get status(): string {
    return this.resource.getAttString('Status');
  }
  get errorMessage(): string {
    return this.resource.getAttString('ErrorMessage');
  }
  /** AWS: comma-separated ids of the interface endpoints registered with the service. */
  get interfaceEndpoints(): string {
    return this.resource.getAttString('InterfaceEndpoints');
  }
  /** Azure: comma-separated resource paths of the private endpoints. */
  get privateEndpoints(): string {
    return this.resource.getAttString('PrivateEndpoints');
  }
  /** Azure. */
  get privateLinkServiceName(): string {
    return this.resource.getAttString('PrivateLinkServiceName');
  }
  /** Azure. */
  get privateLinkServiceResourceId(): string {
    return this.resource.getAttString('PrivateLinkServiceResourceId');
  }
  /** GCP: comma-separated endpoint group names. */
  get endpointGroupNames(): string {
    return this.resource.getAttString('EndpointGroupNames');
  }
  /** GCP: comma-separated service attachments (names only when the full URLs do not fit; see `serviceAttachmentBaseUrl`). */
  get serviceAttachmentNames(): string {
    return this.resource.getAttString('ServiceAttachmentNames');
  }
  /** GCP: the URL every service attachment shares, up to its name. */
  get serviceAttachmentBaseUrl(): string {
    return this.resource.getAttString('ServiceAttachmentBaseUrl');
  }
  /** The region in Atlas's spelling. */
  get regionName(): string {
    return this.resource.getAttString('RegionName');
  }
}
