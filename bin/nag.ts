/**
 * cdk-nag's AWS Solutions checks over every stack of the app, and the findings this project accepts, each on
 * the one construct it concerns, for the one finding (rule and resource), with the reason it cannot be fixed.
 * Everything else is fixed in the constructs (own log policies, no managed policies, encrypted state machine
 * data, rotation, flow logs, literal CIDRs in the example).
 */
import { type App, type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AppStacks } from './stacks';

/** Adds the checks as a policy-validation plugin: `cdk synth` fails on any finding not acknowledged below. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** The findings acknowledged, construct by construct. */
export function acknowledgeNagFindings(stacks: AppStacks): void {
  const { provider } = stacks.provider;
  const machinePolicy = provider.stateMachine.role.node.findChild('DefaultPolicy');
  acknowledge(machinePolicy, {
    [`AwsSolutions-IAM5[Resource::<${logicalIdOf(provider.stepFunction)}.Arn>:*]`]:
      "CDK's LambdaInvoke task grants the step function and its qualified ARNs (:*); the wait loop invokes only this provider's step function, unqualified.",
    'AwsSolutions-IAM5[Resource::*]':
      'Only the log-delivery actions Step Functions needs to log to CloudWatch Logs and the X-Ray trace actions, which AWS offers on "*" alone.',
  });

  // Both functions ask CloudFormation about the stack and logical id of each request they serve.
  const stackRead = `AwsSolutions-IAM5[Resource::${arnAsNagShowsIt(stacks.provider, 'cloudformation', 'stack/*/*')}]`;
  const stackReadReason =
    'The provider serves any stack of its account and region, whose names are not known when it is deployed; it may only read (DescribeStackResource, DescribeStacks) stacks of its own account and region, to check each request with CloudFormation before acting.';
  for (const fn of [provider.onEventFunction, provider.stepFunction]) {
    acknowledge(fn.role!.node.findChild('DefaultPolicy'), { [stackRead]: stackReadReason });
  }

  const catalog = stacks.catalog.node.findChild('Catalog');
  const launchPolicy = catalog.node.findChild('LaunchRole').node.findChild('DefaultPolicy');
  acknowledge(launchPolicy, {
    'AwsSolutions-IAM5[Resource::*]':
      'The launch role needs EC2 Describe* (offered on "*" only), CloudFormation GetTemplateSummary/ValidateTemplate (on "*" only), and s3:GetObject on the Service Catalog template bucket, whose name is not known and which a tag condition narrows.',
    [`AwsSolutions-IAM5[Resource::${arnAsNagShowsIt(stacks.catalog, 'cloudformation', 'stack/SC-*')}]`]:
      'Service Catalog names the stacks it launches SC-<account>-pp-<id>, unknown before launch; the role may manage only those.',
    [`AwsSolutions-IAM5[Resource::${arnAsNagShowsIt(stacks.catalog, 'ec2', '*')}]`]:
      'Only CreateVpcEndpoint and CreateSecurityGroup, only through CloudFormation (aws:CalledVia): a launch creates them with ids unknown before, in a VPC and subnets the launch parameters name.',
    [`AwsSolutions-IAM5[Resource::${arnAsNagShowsIt(stacks.catalog, 'ec2', 'vpc-endpoint/*')}]`]:
      "Interface endpoint ids are unknown before launch: later writes only on those carrying the product's tag (aws:ResourceTag), tagging only at creation (ec2:CreateAction), through CloudFormation only.",
    [`AwsSolutions-IAM5[Resource::${arnAsNagShowsIt(stacks.catalog, 'ec2', 'security-group/*')}]`]:
      "Security group ids are unknown before launch: writes only on those carrying the product's tag, tagging only at creation; ModifyVpcEndpoint may name a group only together with a tagged endpoint; through CloudFormation only.",
    [`AwsSolutions-IAM5[Resource::${arnAsNagShowsIt(stacks.catalog, 'ec2', 'subnet/*')}]`]:
      'ModifyVpcEndpoint names the subnets an interface endpoint moves to (a launch parameter); it also needs the tagged endpoint; through CloudFormation only.',
    [`AwsSolutions-IAM5[Resource::${arnAsNagShowsIt(stacks.catalog, 'ec2', 'security-group-rule/*')}]`]:
      'The rules of the tagged security group get ids when made; the ingress and egress writes also need the tagged group; through CloudFormation only.',
  });
  acknowledge(catalog.node.findChild('PrivateLinkTemplate').node.findChild('SecurityGroup'), {
    'AwsSolutions-EC23':
      "The ingress CIDR is the product's ClientCidr launch parameter, chosen by whoever launches it; cdk-nag cannot read a parameter's value.",
  });
}

function acknowledge(scope: IConstruct, findings: Record<string, string>): void {
  for (const [id, reason] of Object.entries(findings)) Validations.of(scope).acknowledge({ id, reason });
}

/** An ARN in this stack as cdk-nag writes it in a finding's id: pseudo parameters as `<AWS::Region>`, else literal. */
function arnAsNagShowsIt(stack: Stack, service: string, resource: string): string {
  const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:${part(stack.partition, 'Partition')}:${service}:${part(stack.region, 'Region')}:${part(stack.account, 'AccountId')}:${resource}`;
}

function logicalIdOf(fn: IConstruct): string {
  return Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement);
}
