/**
 * `Custom::AtlasPrivateEndpoint`: registers one interface endpoint (an AWS VPC endpoint, an Azure private
 * endpoint or a GCP endpoint group) with an Atlas private endpoint service and waits until Atlas has accepted
 * the connection.
 */
import { type CustomResource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CONNECTION_STRINGS_ATTRIBUTE, SINGLE_CLUSTER_ATTRIBUTES } from '../lambda/model/connection-strings';
import { parseEndpointProperties, RESOURCE_TYPE_ENDPOINT } from '../lambda/model/endpoint-properties';
import type { CloudProvider } from '../lambda/model/provider';
import { atlasCustomResource } from './atlas-resource';
import { AtlasValidationError } from './errors';
import type { AtlasResourceProps } from './resource-props';

/** A GCP forwarding rule of an endpoint group registered with {@link AtlasPrivateEndpoint}. */
export interface AtlasGcpForwardingRule {
  /** The forwarding rule's name in the GCP project. */
  readonly endpointName: string;
  /** The internal IPv4 address the forwarding rule resolves to. */
  readonly ipAddress: string;
}

/** Properties of {@link AtlasPrivateEndpoint}. */
export interface AtlasPrivateEndpointProps extends AtlasResourceProps {
  /**
   * The cloud provider of the endpoint service: `AWS`, `AZURE` or `GCP`.
   * @default 'AWS'
   */
  readonly providerName?: CloudProvider;
  /** The Atlas endpoint service id (`AtlasPrivateEndpointService.privateLinkId`). */
  readonly endpointServiceId: string;
  /**
   * What to register: for AWS the VPC endpoint id (`vpce-…`); for AZURE the private endpoint's resource id
   * (`/subscriptions/…/providers/Microsoft.Network/privateEndpoints/…`); for GCP the endpoint group name (for a
   * service with port mapping, the name of its one forwarding rule).
   */
  readonly endpointId: string;
  /**
   * AZURE only, and required there: the private IP address Azure gave the private endpoint.
   * @default - none (AWS and GCP)
   */
  readonly privateEndpointIpAddress?: string;
  /**
   * GCP only, and required there: the id of the Google Cloud project that holds the forwarding rules.
   * @default - none (AWS and AZURE)
   */
  readonly gcpProjectId?: string;
  /**
   * GCP only, and required there: the forwarding rules of the endpoint group, one per service attachment of a
   * service without port mapping, exactly one for a service with port mapping.
   * @default - none (AWS and AZURE)
   */
  readonly endpoints?: AtlasGcpForwardingRule[];
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
  /**
   * The project's clusters the application connects to through this endpoint (at most 10 Atlas cluster
   * names). When given, Create answers only once each of them publishes a private-endpoint connection string
   * for this interface endpoint (Atlas publishes them minutes after the registration is AVAILABLE), and
   * returns them: with one cluster as `connectionString`, `srvConnectionString` and
   * `srvShardOptimizedConnectionString`, with several as the JSON map `connectionStrings`.
   *
   * The wait is part of the registration's request, bounded by its deadline (`serviceTimeout`): a cluster
   * that does not exist fails the request at once; one that is still changing is waited for. A cluster deleted
   * or renamed after the registration succeeded is the user's business: the strings already returned stay
   * as they were. This wait needs no more than Project Read Only access for the Atlas credentials.
   *
   * A list token (a `CommaDelimitedList` parameter, `Fn.split`) is passed on, but then the number of clusters
   * is unknown at synth time and none of the connection-string attributes can be read here.
   * @default - no wait for connection strings, and no connection-string attributes
   */
  readonly clusterNames?: string[];
}

/**
 * The registration of an interface endpoint with an Atlas private endpoint service
 * (`Custom::AtlasPrivateEndpoint`): for AWS a VPC interface endpoint you manage yourself, for AZURE a private
 * endpoint (its resource id and private IP address), for GCP an endpoint group (its project and forwarding rules). Create waits until
 * Atlas reports the connection `AVAILABLE` (or, without enforcement, settled either way); delete removes the
 * registration and waits until it is gone. `AtlasPrivateLink` makes the service, the interface endpoint and
 * this registration in one.
 *
 * Given `clusterNames`, it also waits until those clusters publish their private-endpoint connection
 * strings for the interface endpoint, and returns them (`connectionString`, `srvConnectionString`,
 * `srvShardOptimizedConnectionString` for one cluster; `connectionStrings` for several).
 *
 * @exampleMetadata fixture=construct
 * @example
 * const registration = new AtlasPrivateEndpoint(this, 'Registration', {
 *   provider,
 *   projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
 *   endpointServiceId: service.privateLinkId,
 *   endpointId: vpcEndpoint.vpcEndpointId,
 *   clusterNames: ['Cluster0'],
 * });
 * new CfnOutput(this, 'MongoDbUri', { value: registration.srvConnectionString });
 */
export class AtlasPrivateEndpoint extends Construct {
  /** The custom resource. */
  readonly resource: CustomResource;
  /** How many clusters the registration waits for; undefined when `clusterNames` is or holds a token. */
  private readonly clusterCount: number | undefined;

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
        ...(props.privateEndpointIpAddress !== undefined ? { PrivateEndpointIpAddress: props.privateEndpointIpAddress } : {}),
        ...(props.gcpProjectId !== undefined ? { GcpProjectId: props.gcpProjectId } : {}),
        ...(props.endpoints !== undefined
          ? { Endpoints: props.endpoints.map((e) => ({ EndpointName: e.endpointName, IpAddress: e.ipAddress })) }
          : {}),
        ...(props.enforceConnectionSuccess !== undefined ? { EnforceConnectionSuccess: props.enforceConnectionSuccess } : {}),
        ...(props.adoptExisting !== undefined ? { AdoptExisting: props.adoptExisting } : {}),
        // An empty list waits for nothing, as no list does: left out, so that adding [] is no update.
        ...(props.clusterNames !== undefined && (Token.isUnresolved(props.clusterNames) || props.clusterNames.length > 0)
          ? { ClusterNames: props.clusterNames }
          : {}),
      },
    });
    const names = props.clusterNames ?? [];
    // A name that is a token may turn out empty or a duplicate, which the provider refuses: the count is known
    // only when every name is.
    this.clusterCount = Token.isUnresolved(names) || names.some((n) => Token.isUnresolved(n)) ? undefined : names.length;
  }

  /**
   * The physical id: `{ProjectId}--{EndpointServiceId}--{EndpointId}`.
   * @attribute
   */
  get physicalId(): string {
    return this.resource.ref;
  }
  /**
   * The registered interface endpoint's id: `vpce-…` (AWS), the private endpoint's resource id (AZURE), the
   * endpoint group name (GCP).
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
  /**
   * AZURE: the name Atlas gives the private endpoint connection; empty elsewhere.
   * @attribute
   */
  get privateEndpointConnectionName(): string {
    return this.resource.getAttString('PrivateEndpointConnectionName');
  }
  /**
   * AZURE: the private endpoint's IP address as Atlas has it; empty elsewhere.
   * @attribute
   */
  get privateEndpointIpAddress(): string {
    return this.resource.getAttString('PrivateEndpointIpAddress');
  }
  /**
   * GCP: the Google Cloud project of the endpoint group as Atlas has it; empty elsewhere.
   * @attribute
   */
  get gcpProjectId(): string {
    return this.resource.getAttString('GcpProjectId');
  }
  /**
   * GCP: the endpoint group name Atlas reports (with port mapping, the forwarding rule's name); empty elsewhere.
   * @attribute
   */
  get endpointGroupName(): string {
    return this.resource.getAttString('EndpointGroupName');
  }
  /**
   * The private-endpoint connection string (`mongodb://…`, every host and port) of the one cluster in
   * `clusterNames`. Connection strings carry no credentials.
   * @attribute
   */
  get connectionString(): string {
    return this.singleClusterAttribute('connectionString');
  }
  /**
   * The private-endpoint SRV connection string (`mongodb+srv://…`) of the one cluster in `clusterNames`.
   * @attribute
   */
  get srvConnectionString(): string {
    return this.singleClusterAttribute('srvConnectionString');
  }
  /**
   * The shard-optimized private-endpoint SRV connection string of the one cluster in `clusterNames`; empty
   * when Atlas gives none (a replica set).
   * @attribute
   */
  get srvShardOptimizedConnectionString(): string {
    return this.singleClusterAttribute('srvShardOptimizedConnectionString');
  }
  /**
   * With two or more `clusterNames`: a JSON object from cluster name to
   * `{ connectionString, srvConnectionString, srvShardOptimizedConnectionString? }`, the cluster's
   * private-endpoint connection strings for this interface endpoint.
   * @attribute
   */
  get connectionStrings(): string {
    if (this.clusterCount === undefined) throw this.unknownCount('connectionStrings');
    if (this.clusterCount < 2) {
      throw new AtlasValidationError(
        this.clusterCount === 0
          ? 'connectionStrings needs clusterNames: give the names of two or more clusters to wait for.'
          : `connectionStrings is answered for two or more clusterNames; this registration names one: read connectionString, srvConnectionString or srvShardOptimizedConnectionString.`,
        this,
      );
    }
    return this.resource.getAttString(CONNECTION_STRINGS_ATTRIBUTE);
  }

  /** The registration answers one cluster's strings as plain attributes, and only then. */
  private singleClusterAttribute(name: keyof typeof SINGLE_CLUSTER_ATTRIBUTES): string {
    if (this.clusterCount === undefined) throw this.unknownCount(name);
    if (this.clusterCount !== 1) {
      throw new AtlasValidationError(
        this.clusterCount === 0
          ? `${name} needs clusterNames: give the name of the cluster whose connection string to wait for.`
          : `${name} is answered for exactly one cluster; this registration names ${this.clusterCount}: read connectionStrings, a JSON object by cluster name.`,
        this,
      );
    }
    return this.resource.getAttString(SINGLE_CLUSTER_ATTRIBUTES[name]);
  }

  /**
   * Which attributes the registration answers depends on the number of clusters: reading one that is not
   * answered would fail the deployment after the wait, so none is offered when the number is unknown.
   */
  private unknownCount(name: string): AtlasValidationError {
    return new AtlasValidationError(
      `${name} cannot be read: clusterNames is a list token or holds one, so the number of clusters, which decides between ConnectionString, SrvConnectionString and SrvShardOptimizedConnectionString (one cluster) and ConnectionStrings (several), is unknown at synth time. Give clusterNames as a list of strings, or read the attribute you know the registration answers with resource.getAttString().`,
      this,
    );
  }
}
