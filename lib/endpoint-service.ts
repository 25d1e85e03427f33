/**
 * `Custom::AtlasPrivateEndpointService`: one Atlas private endpoint service (one provider and region in
 * one project), created, updated and deleted by CloudFormation through the provider.
 */
import type { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { CloudProvider } from '../lambda/model/provider';
import { parseServiceProperties, RESOURCE_TYPE_SERVICE } from '../lambda/model/service-properties';
import { atlasCustomResource } from './atlas-resource';
import type { AtlasResourceProps } from './resource-props';

/** Properties of {@link AtlasPrivateEndpointService}. */
export interface AtlasPrivateEndpointServiceProps extends AtlasResourceProps {
  /** The cloud provider of the endpoint service: `AWS`, `AZURE` or `GCP`. */
  readonly providerName: CloudProvider;
  /** The provider's region, in the cloud's spelling (`us-east-1`, `eastus2`, `us-central1`) or Atlas's (`US_EAST_1`). */
  readonly region: string;
  /**
   * GCP only: use Private Service Connect port mapping (one service attachment instead of 50). Set at creation.
   * @default Atlas's default (false)
   */
  readonly portMappingEnabled?: boolean;
  /**
   * AWS only: further regions whose interface endpoints may connect (cross-region PrivateLink). Updated in place.
   * @default none
   */
  readonly supportedRemoteRegions?: string[];
  /**
   * Take over a service that already exists for this provider and region instead of failing. Once the
   * Create succeeds the service is this resource's: deleting the resource deletes it. A Create that fails
   * after adopting it leaves it in place.
   * @default false
   */
  readonly adoptExisting?: boolean;
}

/**
 * An Atlas private endpoint service (`Custom::AtlasPrivateEndpointService`): the endpoint service Atlas runs
 * for one cloud provider and region in a project, which interface endpoints connect to. CloudFormation
 * creates, updates and deletes it through the provider, each request waited for until Atlas has finished;
 * a change of project, provider or region replaces it. Its properties are checked at synth with the same
 * parser the provider uses.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const service = new AtlasPrivateEndpointService(this, 'AtlasEndpointService', {
 *   serviceToken: Fn.importValue('AtlasPrivateEndpointServiceToken'),
 *   projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
 *   providerName: 'AWS',
 *   region: 'us-east-1',
 * });
 * new ec2.InterfaceVpcEndpoint(this, 'Endpoint', {
 *   vpc,
 *   service: new ec2.InterfaceVpcEndpointService(service.endpointServiceName, 1024),
 * });
 */
export class AtlasPrivateEndpointService extends Construct {
  /** The custom resource. */
  readonly resource: CustomResource;

  /**
   * Declares the endpoint service and checks its properties.
   * @param scope the construct it belongs to
   * @param id its id within `scope`
   * @param props the service's project, provider and region, and which provider and credentials serve it
   */
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

  /**
   * The physical id: `{ProjectId}-{PrivateLinkId}-{ProviderName}-{Region}` (region in Atlas's spelling). A service
   * made by a replacing update adds `~` and the id of the service it replaced (so a rollback can take that one
   * back); the part before the first `~` is Terraform's import id.
   * @attribute
   */
  get physicalId(): string {
    return this.resource.ref;
  }
  /**
   * The Atlas endpoint service id (`PrivateLinkId`).
   * @attribute
   */
  get privateLinkId(): string {
    return this.resource.getAttString('PrivateLinkId');
  }
  /**
   * AWS: the PrivateLink endpoint service name an interface endpoint connects to.
   * @attribute
   */
  get endpointServiceName(): string {
    return this.resource.getAttString('EndpointServiceName');
  }
  /**
   * Atlas's status of the service (`AVAILABLE`, `WAITING_FOR_USER`, ...).
   * @attribute
   */
  get status(): string {
    return this.resource.getAttString('Status');
  }
  /**
   * Atlas's error message for the service; empty unless Atlas reports one.
   * @attribute
   */
  get errorMessage(): string {
    return this.resource.getAttString('ErrorMessage');
  }
  /**
   * AWS: comma-separated ids of the interface endpoints registered with the service.
   * @attribute
   */
  get interfaceEndpoints(): string {
    return this.resource.getAttString('InterfaceEndpoints');
  }
  /**
   * Azure: comma-separated resource paths of the private endpoints.
   * @attribute
   */
  get privateEndpoints(): string {
    return this.resource.getAttString('PrivateEndpoints');
  }
  /**
   * Azure: the Private Link service name.
   * @attribute
   */
  get privateLinkServiceName(): string {
    return this.resource.getAttString('PrivateLinkServiceName');
  }
  /**
   * Azure: the Private Link service resource id.
   * @attribute
   */
  get privateLinkServiceResourceId(): string {
    return this.resource.getAttString('PrivateLinkServiceResourceId');
  }
  /**
   * GCP: comma-separated endpoint group names.
   * @attribute
   */
  get endpointGroupNames(): string {
    return this.resource.getAttString('EndpointGroupNames');
  }
  /**
   * GCP: comma-separated service attachments (names only when the full URLs do not fit; see `serviceAttachmentBaseUrl`).
   * @attribute
   */
  get serviceAttachmentNames(): string {
    return this.resource.getAttString('ServiceAttachmentNames');
  }
  /**
   * GCP: the URL every service attachment shares, up to its name.
   * @attribute
   */
  get serviceAttachmentBaseUrl(): string {
    return this.resource.getAttString('ServiceAttachmentBaseUrl');
  }
  /**
   * The region in Atlas's spelling (`US_EAST_1`).
   * @attribute
   */
  get regionName(): string {
    return this.resource.getAttString('RegionName');
  }
}
