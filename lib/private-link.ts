/**
 * A working AWS PrivateLink connection to Atlas in one construct: the Atlas endpoint service, a VPC
 * interface endpoint pointed at it in every chosen subnet with a security group for Atlas's ports, and the
 * registration of that interface endpoint with Atlas, waited for until the connection is AVAILABLE.
 * CloudFormation creates them in that order and deletes them in reverse.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { AtlasPrivateEndpointService } from './endpoint-service';
import { AtlasPrivateEndpoint } from './private-endpoint';
import { AtlasPrivateEndpointProvider } from './provider';

/** The TCP ports Atlas documents for AWS private endpoints. */
export const ATLAS_PRIVATE_ENDPOINT_PORTS = { from: 1024, to: 65535 } as const;

export interface AtlasPrivateLinkProps {
  /** The VPC the interface endpoint goes into. */
  readonly vpc: ec2.IVpc;
  /**
   * Where the interface endpoint's network interfaces go (at most one subnet per availability zone is used).
   * @default the VPC's private subnets (with egress, else isolated), one per availability zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Atlas project (group) id: 24 hexadecimal digits. */
  readonly projectId: string;
  /**
   * The AWS region of the Atlas endpoint service, in either spelling. It must be the VPC's region.
   * @default the stack's region
   */
  readonly region?: string;
  /**
   * Profile of the Secrets Manager secret `cfn/atlas/profile/{profile}` holding the Atlas credentials.
   * @default 'default' (unless `credentialsSecretArn` is given)
   */
  readonly profile?: string;
  /** ARN of the Secrets Manager secret holding the Atlas credentials; takes precedence over `profile`. */
  readonly credentialsSecretArn?: string;
  /**
   * A provider deployed in this app.
   * @default one is created inside this construct (unless `serviceToken` is given)
   */
  readonly provider?: AtlasPrivateEndpointProvider;
  /** The ServiceToken of a provider deployed elsewhere. */
  readonly serviceToken?: string;
  /** Further security groups for the interface endpoint (one is always created for Atlas's ports). */
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
  readonly portRange?: { readonly from: number; readonly to: number };
  /**
   * Private DNS on the interface endpoint. Atlas's private endpoint connection strings resolve without it.
   * @default false
   */
  readonly privateDnsEnabled?: boolean;
  /**
   * Take over the project's existing endpoint service for this region instead of failing.
   * @default false
   */
  readonly adoptExisting?: boolean;
  /**
   * Fail unless Atlas accepts the connection.
   * @default true
   */
  readonly enforceConnectionSuccess?: boolean;
  /**
   * How long CloudFormation waits for each Atlas resource.
   * @default Duration.hours(1)
   */
  readonly serviceTimeout?: Duration;
}

export class AtlasPrivateLink extends Construct implements ec2.IConnectable {
  readonly endpointService: AtlasPrivateEndpointService;
  readonly vpcEndpoint: ec2.InterfaceVpcEndpoint;
  readonly registration: AtlasPrivateEndpoint;
  readonly securityGroup: ec2.SecurityGroup;
  /** Allow traffic to Atlas through the endpoint: `privateLink.connections.allowDefaultPortFrom(fn)`. */
  readonly connections: ec2.Connections;
  /** The provider the resources use: the one given, or one created here; undefined with a `serviceToken`. */
  readonly provider?: AtlasPrivateEndpointProvider;

  constructor(scope: Construct, id: string, props: AtlasPrivateLinkProps) {
    super(scope, id);
    if (props.provider && props.serviceToken) throw new Error(`${this.node.path}: give at most one of provider or serviceToken.`);
    const stack = Stack.of(this);
    const region = props.region ?? stack.region;
    const vpcRegion = props.vpc.env.region;
    if (!Token.isUnresolved(region) && !Token.isUnresolved(vpcRegion) && normalise(region) !== normalise(vpcRegion)) {
      throw new Error(
        `${this.node.path}: region ${region} is not the VPC's region ${vpcRegion}. An interface endpoint connects to an endpoint service in its own region: create the Atlas endpoint service in ${vpcRegion}.`,
      );
    }
    const ports = props.portRange ?? ATLAS_PRIVATE_ENDPOINT_PORTS;
    if (!(Number.isInteger(ports.from) && Number.isInteger(ports.to) && ports.from >= 1 && ports.from <= ports.to && ports.to <= 65535)) {
      throw new Error(`${this.node.path}: portRange ${ports.from}-${ports.to} is not a TCP port range (1-65535, from ≤ to).`);
    }

    this.provider = props.provider ?? (props.serviceToken ? undefined : new AtlasPrivateEndpointProvider(this, 'Provider'));
    const via = this.provider ? { provider: this.provider } : { serviceToken: props.serviceToken! };
    const credentials = { ...(props.profile !== undefined ? { profile: props.profile } : {}), ...(props.credentialsSecretArn !== undefined ? { credentialsSecretArn: props.credentialsSecretArn } : {}) };

    this.endpointService = new AtlasPrivateEndpointService(this, 'EndpointService', {
      ...via,
      ...credentials,
      projectId: props.projectId,
      providerName: 'AWS',
      region,
      ...(props.adoptExisting !== undefined ? { adoptExisting: props.adoptExisting } : {}),
      ...(props.serviceTimeout ? { serviceTimeout: props.serviceTimeout } : {}),
    });

    const port = ec2.Port.tcpRange(ports.from, ports.to);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Atlas private endpoint: TCP ${ports.from}-${ports.to} to MongoDB Atlas`,
      allowAllOutbound: false,
    });
    for (const peer of props.allowFrom ?? [ec2.Peer.ipv4(props.vpc.vpcCidrBlock)]) {
      this.securityGroup.addIngressRule(peer, port, 'MongoDB Atlas through the private endpoint');
    }

    this.vpcEndpoint = new ec2.InterfaceVpcEndpoint(this, 'VpcEndpoint', {
      vpc: props.vpc,
      // A token resolved at deploy time: no lookup at synth.
      service: new ec2.InterfaceVpcEndpointService(this.endpointService.endpointServiceName, ports.from),
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

  /** The PrivateLink endpoint service name Atlas created. */
  get endpointServiceName(): string {
    return this.endpointService.endpointServiceName;
  }
  /** The interface endpoint's id (`vpce-…`). */
  get vpcEndpointId(): string {
    return this.vpcEndpoint.vpcEndpointId;
  }
  /** Atlas's connection status of the registration (AVAILABLE once the deployment succeeded). */
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
