/**
 * The example stack of this repository's app: an `AtlasPrivateLink` in a new VPC, served by the provider
 * stack through its export. Environment-agnostic, so it synthesizes without credentials.
 */
import { CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AtlasPrivateLink, SERVICE_TOKEN_EXPORT_NAME } from '../lib';

/** The example VPC's address range; the only clients allowed to reach Atlas through the endpoint. */
export const EXAMPLE_VPC_CIDR = '10.0.0.0/16';

export interface PrivateLinkExampleStackProps extends StackProps {
  /** Atlas project id; when absent, the stack takes it as the `ProjectId` parameter at deploy time. */
  readonly projectId?: string;
  /** Credentials profile (secret `cfn/atlas/profile/{profile}`); the provider must be allowed to read it. */
  readonly profile?: string;
  /** The provider stack's export holding the ServiceToken. */
  readonly serviceTokenExportName?: string;
  /** How long the VPC's flow logs are kept. */
  readonly logRetention?: logs.RetentionDays;
}

export class PrivateLinkExampleStack extends Stack {
  readonly privateLink: AtlasPrivateLink;

  constructor(scope: Construct, id: string, props: PrivateLinkExampleStackProps = {}) {
    super(scope, id, { description: 'Example: AWS PrivateLink to MongoDB Atlas in a new VPC', ...props });
    const projectId =
      props.projectId ??
      new CfnParameter(this, 'ProjectId', {
        type: 'String',
        allowedPattern: '^[0-9a-f]{24}$',
        description: 'Atlas project id (24 hexadecimal digits)',
      }).valueAsString;

    // Isolated subnets: the interface endpoint needs no route out, so the example has no NAT gateway to pay for.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(EXAMPLE_VPC_CIDR),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH }),
      ),
    });

    this.privateLink = new AtlasPrivateLink(this, 'Atlas', {
      vpc,
      projectId,
      serviceToken: Fn.importValue(props.serviceTokenExportName ?? SERVICE_TOKEN_EXPORT_NAME),
      // The VPC's CIDR as a literal (the default reads it from the VPC at deploy time), so checks can see it.
      allowFrom: [ec2.Peer.ipv4(EXAMPLE_VPC_CIDR)],
      ...(props.profile !== undefined ? { profile: props.profile } : {}),
    });
    new CfnOutput(this, 'EndpointServiceName', {
      value: this.privateLink.endpointServiceName,
      description: 'The Atlas endpoint service name',
    });
    new CfnOutput(this, 'VpcEndpointId', {
      value: this.privateLink.vpcEndpointId,
      description: 'The interface endpoint connected to Atlas',
    });
  }
}
