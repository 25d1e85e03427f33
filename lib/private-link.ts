/**
 * A working AWS PrivateLink connection to Atlas in one construct: the Atlas endpoint service, a VPC
 * interface endpoint pointed at it in every chosen subnet with a security group for Atlas's ports, and the
 * registration of that interface endpoint with Atlas, waited for until the connection is AVAILABLE.
 * CloudFormation creates them in that order and deletes them in reverse.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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
}

/**
 * A working AWS PrivateLink connection to MongoDB Atlas: an `AtlasPrivateEndpointService` in the VPC's
 * region, an `ec2.InterfaceVpcEndpoint` connected to it (one subnet per availability zone, a security group
 * open to `allowFrom` on Atlas's ports, private DNS off), and an `AtlasPrivateEndpoint` that registers the
 * interface endpoint and waits until Atlas accepts it. CloudFormation creates them in that order and deletes
 * them in reverse. Creates a provider too, unless given `provider` or `serviceToken`.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const vpc = new ec2.Vpc(this, 'Vpc');
 * const atlas = new AtlasPrivateLink(this, 'Atlas', {
 *   vpc,
 *   projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
 *   serviceToken: Fn.importValue('AtlasPrivateEndpointServiceToken'),
 * });
 * atlas.connections.allowDefaultPortFrom(myFunction);
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
      ...(props.serviceTimeout ? { serviceTimeout: props.serviceTimeout } : {}),
    });
    this.registration.node.addDependency(this.vpcEndpoint);

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
}

function defaultSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return { subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
}

/** us-east-1 and US_EAST_1 are the same region. */
function normalise(region: string): string {
  return region.trim().toLowerCase().replace(/_/g, '-');
}
