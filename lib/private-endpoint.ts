/**
 * `Custom::AtlasPrivateEndpoint`: registers one interface endpoint (an AWS VPC endpoint) with an Atlas
 * private endpoint service and waits until Atlas has accepted the connection.
 */
import type { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { parseEndpointProperties, RESOURCE_TYPE_ENDPOINT } from '../lambda/model/endpoint-properties';
import type { CloudProvider } from '../lambda/model/provider';
import { atlasCustomResource } from './atlas-resource';
import type { AtlasResourceProps } from './resource-props';

/** Properties of {@link AtlasPrivateEndpoint}. */
export interface AtlasPrivateEndpointProps extends AtlasResourceProps {
  /**
   * The cloud provider of the endpoint service (`AWS`, `AZURE` or `GCP`). Only `AWS` is supported so far.
   * @default 'AWS'
   */
  readonly providerName?: CloudProvider;
  /** The Atlas endpoint service id (`AtlasPrivateEndpointService.privateLinkId`). */
  readonly endpointServiceId: string;
  /** The interface endpoint to register: for AWS the VPC endpoint id (`vpce-…`). */
  readonly endpointId: string;
  /**
   * Fail unless Atlas reports the connection AVAILABLE; when false, succeed once Atlas has settled it
   * either way (the `connectionStatus` attribute says which).
   * @default true
   */
  readonly enforceConnectionSuccess?: boolean;
  /**
   * Take over a registration of this interface endpoint with this service that exists before the Create
   * (made by another stack, Terraform or the console) instead of failing. Once the Create succeeds the
   * registration is this resource's: deleting the resource removes it. A Create that fails after taking it
   * over leaves it in place.
   * @default false
   */
  readonly adoptExisting?: boolean;
}

/**
 * The registration of an interface endpoint with an Atlas private endpoint service
 * (`Custom::AtlasPrivateEndpoint`): for AWS, a VPC interface endpoint you manage yourself. Create waits until
 * Atlas reports the connection `AVAILABLE` (or, without enforcement, settled either way); delete removes the
 * registration and waits until it is gone. `AtlasPrivateLink` makes the service, the interface endpoint and
 * this registration in one.
 *
 * @exampleMetadata fixture=construct
 * @example
 * new AtlasPrivateEndpoint(this, 'Registration', {
 *   provider,
 *   projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
 *   endpointServiceId: service.privateLinkId,
 *   endpointId: vpcEndpoint.vpcEndpointId,
 * });
 */
export class AtlasPrivateEndpoint extends Construct {
  /** The custom resource. */
  readonly resource: CustomResource;

  /**
   * Declares the registration and checks its properties.
   * @param scope the construct it belongs to
   * @param id its id within `scope`
   * @param props the endpoint service, the interface endpoint, and which provider and credentials serve it
   */
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
        ...(props.adoptExisting !== undefined ? { AdoptExisting: props.adoptExisting } : {}),
      },
    });
  }

  /**
   * The physical id: `{ProjectId}--{EndpointServiceId}--{EndpointId}`.
   * @attribute
   */
  get physicalId(): string {
    return this.resource.ref;
  }
  /**
   * The registered interface endpoint's id (`vpce-…`).
   * @attribute
   */
  get interfaceEndpointId(): string {
    return this.resource.getAttString('InterfaceEndpointId');
  }
  /**
   * Atlas's connection status: `AVAILABLE` once accepted (`REJECTED` only when enforcement is off).
   * @attribute
   */
  get connectionStatus(): string {
    return this.resource.getAttString('ConnectionStatus');
  }
  /**
   * `"true"` while Atlas is removing the registration.
   * @attribute
   */
  get deleteRequested(): string {
    return this.resource.getAttString('DeleteRequested');
  }
  /**
   * Atlas's error message for the registration; empty unless Atlas reports one.
   * @attribute
   */
  get errorMessage(): string {
    return this.resource.getAttString('ErrorMessage');
  }
}
