/**
 * A working AWS PrivateLink connection to Atlas in one construct: the Atlas endpoint service, a VPC
 * interface endpoint pointed at it in every chosen subnet with a security group for Atlas's ports, and the
 * registration of that interface endpoint with Atlas, waited for until the connection is AVAILABLE.
 * CloudFormation creates them in that order and deletes them in reverse.
 */
import { SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AtlasPrivateEndpointService } from './endpoint-service';
import { AtlasPrivateEndpoint } from './private-endpoint';
import { AtlasValidationError } from './errors';
import { AtlasPrivateEndpointProvider } from './provider';
import type { AtlasResourceProps } from './resource-props';

/** A range of TCP ports, named as in an EC2 security group rule. */
export interface PortRange {
  /** The first port (1-65535). */
  readonly fromPort: number;
  /** The last port (`fromPort` to 65535). */
  readonly toPort: number;
}

/** The TCP ports Atlas documents for AWS private endpoints. */
export const ATLAS_PRIVATE_ENDPOINT_PORTS: PortRange = { fromPort: 1024, toPort: 65535 };

/** Properties of {@link AtlasPrivateLink}. */
export interface AtlasPrivateLinkProps extends AtlasResourceProps {
  /** The VPC the interface endpoint goes into. */
  readonly vpc: ec2.IVpc;
  /**
   * Where the interface endpoint's network interfaces go (at most one subnet per availability zone is used).
   * @default the VPC's private subnets (with egress, else isolated), one per availability zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The AWS region of the Atlas endpoint service, in either spelling. It must be the VPC's region.
   * @default the stack's region
   */
  readonly region?: string;
  /**
   * Further security groups for the interface endpoint (one is always created for Atlas's ports).
   * @default none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Who may connect to Atlas through the interface endpoint.
   * @default the VPC's IPv4 CIDR block
   */
  readonly allowFrom?: ec2.IPeer[];
  /**
   * Atlas's ports on the interface endpoint.
   * @default 1024 to 65535, as Atlas documents
   */
  readonly portRange?: PortRange;
  /**
   * Private DNS on the interface endpoint. Atlas's private endpoint connection strings resolve without it.
   * @default false
   */
  readonly privateDnsEnabled?: boolean;
  /**
   * Take over the project's existing endpoint service for this region instead of failing. It applies to the
   * endpoint service only: the registration is of the interface endpoint this construct creates, which
   * nothing can have registered before.
   * @default false
   */
  readonly adoptExisting?: boolean;
  /**
   * Fail unless Atlas accepts the connection.
   * @default true
   */
  readonly enforceConnectionSuccess?: boolean;
  /**
   * The project's clusters the application connects to through this PrivateLink (at most 10 Atlas cluster
   * names). When given, the registration succeeds only once each of them publishes a private-endpoint
   * connection string for the interface endpoint, so that the application gets a string that works:
   * `connectionString`, `srvConnectionString` and `srvShardOptimizedConnectionString` for one cluster,
   * `connectionStrings` for several. The wait is bounded by the registration's deadline (`serviceTimeout`); a
   * cluster deleted later is the user's business. It needs no more than Project Read Only access for the Atlas
   * credentials. See `AtlasPrivateEndpointProps.clusterNames`.
   * @default - no wait for connection strings, and no connection-string attributes
   */
  readonly clusterNames?: string[];
  /**
   * Write the connection strings of `clusterNames` (required then) into a Secrets Manager secret,
   * `connectionStringSecret`: for one cluster the JSON object
   * `{ "connectionString", "srvConnectionString", "srvShardOptimizedConnectionString" }`, for several the
   * `connectionStrings` JSON object by cluster name.
   *
   * Connection strings carry no credentials (hosts, ports and options only; the user and password stay
   * with the application), so the attributes are fine in environment variables. A secret suits services that
   * inject secrets, such as an ECS task's `secrets` or a Lambda function reading the secret at start. The
   * template holds only a reference to the registration's attributes, never the strings themselves.
   * cdk-nag's AwsSolutions-SMG4 reports the secret for lacking rotation: a connection string has nothing to
   * rotate (no credential; it changes only when the endpoint or the cluster does), so acknowledge that finding
   * on the secret.
   * @default false
   */
  readonly connectionStringSecret?: boolean;
  /**
   * The KMS key that encrypts `connectionStringSecret`.
   * @default - the account's AWS managed key for Secrets Manager (`aws/secretsmanager`)
   */
  readonly connectionStringSecretEncryptionKey?: kms.IKey;
}

/**
 * A working AWS PrivateLink connection to MongoDB Atlas: an `AtlasPrivateEndpointService` in the VPC's
 * region, an `ec2.InterfaceVpcEndpoint` connected to it (one subnet per availability zone, a security group
 * open to `allowFrom` on Atlas's ports, private DNS off), and an `AtlasPrivateEndpoint` that registers the
 * interface endpoint and waits until Atlas accepts it. CloudFormation creates them in that order and deletes
 * them in reverse. Creates a provider too, unless given `provider` or `serviceToken`.
 *
 * Given `clusterNames`, the deployment also waits until those clusters publish their private-endpoint
 * connection strings for the interface endpoint and hands them on as attributes (and, if asked, in a Secrets
 * Manager secret), so that what runs downstream gets a string that already works.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const vpc = new ec2.Vpc(this, 'Vpc');
 * const atlas = new AtlasPrivateLink(this, 'Atlas', {
 *   vpc,
 *   projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
 *   serviceToken: Fn.importValue('AtlasPrivateEndpointServiceToken'),
 *   clusterNames: ['Cluster0'],
 * });
 * const app = new lambda.Function(this, 'App', {
 *   runtime: lambda.Runtime.NODEJS_22_X,
 *   handler: 'index.handler',
 *   code: lambda.Code.fromAsset('app'),
 *   vpc,
 *   // No credentials in it: the application adds its database user's.
 *   environment: { MONGODB_URI: atlas.srvConnectionString },
 * });
 * atlas.connections.allowDefaultPortFrom(app);
 */
export class AtlasPrivateLink extends Construct implements ec2.IConnectable {
  /** The TCP ports Atlas documents for AWS private endpoints: 1024 to 65535 (the default `portRange`). */
  static readonly ATLAS_PORT_RANGE: PortRange = ATLAS_PRIVATE_ENDPOINT_PORTS;

  /** The Atlas endpoint service. */
  readonly endpointService: AtlasPrivateEndpointService;
  /** The interface endpoint connected to the endpoint service. */
  readonly vpcEndpoint: ec2.InterfaceVpcEndpoint;
  /** The interface endpoint's registration with Atlas. */
  readonly registration: AtlasPrivateEndpoint;
  /** The security group that opens Atlas's ports on the interface endpoint to `allowFrom`. */
  readonly securityGroup: ec2.SecurityGroup;
  /** Allow traffic to Atlas through the endpoint: `privateLink.connections.allowDefaultPortFrom(fn)`. */
  readonly connections: ec2.Connections;
  /** The provider the resources use: the one given, or one created here; undefined with a `serviceToken`. */
  readonly provider?: AtlasPrivateEndpointProvider;
  /**
   * The secret holding the connection strings of `clusterNames`, when `connectionStringSecret` is true.
   */
  readonly connectionStringSecret?: secretsmanager.ISecret;

  /**
   * Declares the endpoint service, the interface endpoint with its security group, and the registration.
   * @param scope the construct it belongs to
   * @param id its id within `scope`
   * @param props the VPC, the Atlas project, and options; `vpc` and `projectId` are required
   */
  constructor(scope: Construct, id: string, props: AtlasPrivateLinkProps) {
    super(scope, id);
    if (props.provider && props.serviceToken) throw new AtlasValidationError('Give at most one of provider or serviceToken.', this);
    const stack = Stack.of(this);
    const region = props.region ?? stack.region;
    const vpcRegion = props.vpc.env.region;
    if (!Token.isUnresolved(region) && !Token.isUnresolved(vpcRegion) && normalise(region) !== normalise(vpcRegion)) {
      throw new AtlasValidationError(
        `region ${region} is not the VPC's region ${vpcRegion}. An interface endpoint connects to an endpoint service in its own region: create the Atlas endpoint service in ${vpcRegion}.`,
        this,
      );
    }
    const clusterNames = props.clusterNames ?? [];
    if (props.connectionStringSecret && !Token.isUnresolved(clusterNames) && clusterNames.length === 0) {
      throw new AtlasValidationError(
        'connectionStringSecret needs clusterNames: give the names of the clusters whose connection strings the secret holds.',
        this,
      );
    }
    const ports = props.portRange ?? ATLAS_PRIVATE_ENDPOINT_PORTS;
    const { fromPort, toPort } = ports;
    if (!(Number.isInteger(fromPort) && Number.isInteger(toPort) && fromPort >= 1 && fromPort <= toPort && toPort <= 65535)) {
      throw new AtlasValidationError(`portRange ${fromPort}-${toPort} is not a TCP port range (1-65535, fromPort ≤ toPort).`, this);
    }

    this.provider = props.provider ?? (props.serviceToken ? undefined : new AtlasPrivateEndpointProvider(this, 'Provider'));
    const via = this.provider ? { provider: this.provider } : { serviceToken: props.serviceToken! };
    const credentials = {
      ...(props.profile !== undefined ? { profile: props.profile } : {}),
      ...(props.credentialsSecretArn !== undefined ? { credentialsSecretArn: props.credentialsSecretArn } : {}),
    };

    this.endpointService = new AtlasPrivateEndpointService(this, 'EndpointService', {
      ...via,
      ...credentials,
      projectId: props.projectId,
      providerName: 'AWS',
      region,
      ...(props.adoptExisting !== undefined ? { adoptExisting: props.adoptExisting } : {}),
      ...(props.serviceTimeout ? { serviceTimeout: props.serviceTimeout } : {}),
    });

    const port = ec2.Port.tcpRange(fromPort, toPort);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Atlas private endpoint: TCP ${fromPort}-${toPort} to MongoDB Atlas`,
      allowAllOutbound: false,
    });
    for (const peer of props.allowFrom ?? [ec2.Peer.ipv4(props.vpc.vpcCidrBlock)]) {
      this.securityGroup.addIngressRule(peer, port, 'MongoDB Atlas through the private endpoint');
    }

    this.vpcEndpoint = new ec2.InterfaceVpcEndpoint(this, 'VpcEndpoint', {
      vpc: props.vpc,
      // A token resolved at deploy time: no lookup at synth.
      service: new ec2.InterfaceVpcEndpointService(this.endpointService.endpointServiceName, fromPort),
      subnets: { ...(props.vpcSubnets ?? defaultSubnets(props.vpc)), onePerAz: true },
      securityGroups: [this.securityGroup, ...(props.securityGroups ?? [])],
      privateDnsEnabled: props.privateDnsEnabled ?? false,
      open: false,
    });
    this.vpcEndpoint.node.addDependency(this.endpointService);

    this.registration = new AtlasPrivateEndpoint(this, 'Registration', {
      ...via,
      ...credentials,
      projectId: props.projectId,
      providerName: 'AWS',
      endpointServiceId: this.endpointService.privateLinkId,
      endpointId: this.vpcEndpoint.vpcEndpointId,
      ...(props.enforceConnectionSuccess !== undefined ? { enforceConnectionSuccess: props.enforceConnectionSuccess } : {}),
      ...(props.clusterNames !== undefined ? { clusterNames: props.clusterNames } : {}),
      ...(props.serviceTimeout ? { serviceTimeout: props.serviceTimeout } : {}),
    });
    this.registration.node.addDependency(this.vpcEndpoint);

    if (props.connectionStringSecret) {
      if (Token.isUnresolved(clusterNames)) {
        throw new AtlasValidationError(
          'connectionStringSecret needs clusterNames as a list of strings: with a list token the number of clusters, which decides what the registration answers, is unknown at synth time.',
          this,
        );
      }
      // Fn::GetAtt of the registration's attributes: CloudFormation fills the secret once the registration has
      // its connection strings, and the template never holds them.
      const attribute = (value: string) => SecretValue.resourceAttribute(value);
      const registration = this.registration;
      this.connectionStringSecret = new secretsmanager.Secret(this, 'ConnectionStringSecret', {
        description: `MongoDB Atlas private-endpoint connection strings (no credentials) through ${this.node.path}`,
        ...(clusterNames.length === 1
          ? {
              secretObjectValue: {
                connectionString: attribute(registration.connectionString),
                srvConnectionString: attribute(registration.srvConnectionString),
                srvShardOptimizedConnectionString: attribute(registration.srvShardOptimizedConnectionString),
              },
            }
          : { secretStringValue: attribute(registration.connectionStrings) }),
        ...(props.connectionStringSecretEncryptionKey ? { encryptionKey: props.connectionStringSecretEncryptionKey } : {}),
      });
    }

    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: port });
  }

  /**
   * The PrivateLink endpoint service name Atlas created.
   * @attribute
   */
  get endpointServiceName(): string {
    return this.endpointService.endpointServiceName;
  }
  /**
   * The interface endpoint's id (`vpce-…`).
   * @attribute
   */
  get vpcEndpointId(): string {
    return this.vpcEndpoint.vpcEndpointId;
  }
  /**
   * Atlas's connection status of the registration (`AVAILABLE` once the deployment succeeded).
   * @attribute
   */
  get connectionStatus(): string {
    return this.registration.connectionStatus;
  }
  /**
   * The private-endpoint connection string (`mongodb://…`) of the one cluster in `clusterNames`; no
   * credentials in it. See `AtlasPrivateEndpoint.connectionString`.
   * @attribute
   */
  get connectionString(): string {
    return this.registration.connectionString;
  }
  /**
   * The private-endpoint SRV connection string (`mongodb+srv://…`) of the one cluster in `clusterNames`.
   * @attribute
   */
  get srvConnectionString(): string {
    return this.registration.srvConnectionString;
  }
  /**
   * The shard-optimized private-endpoint SRV connection string of the one cluster in `clusterNames`; empty
   * for a replica set.
   * @attribute
   */
  get srvShardOptimizedConnectionString(): string {
    return this.registration.srvShardOptimizedConnectionString;
  }
  /**
   * With two or more `clusterNames`: a JSON object from cluster name to its private-endpoint connection
   * strings. See `AtlasPrivateEndpoint.connectionStrings`.
   * @attribute
   */
  get connectionStrings(): string {
    return this.registration.connectionStrings;
  }
}

function defaultSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return { subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
}

/** us-east-1 and US_EAST_1 are the same region. */
function normalise(region: string): string {
  return region.trim().toLowerCase().replace(/_/g, '-');
}
