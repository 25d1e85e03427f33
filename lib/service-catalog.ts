/**
 * Service Catalog products for teams that launch Atlas private endpoints without writing templates: a
 * portfolio with "Atlas private endpoint service" and "Atlas PrivateLink (AWS)", and the launch role
 * Service Catalog assumes to create, update and terminate them.
 */
import { ArnFormat, Aws, CfnDynamicReference, CfnDynamicReferenceService, CfnOutput, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { CLOUD_PROVIDERS, type CloudProvider } from '../lambda/model/provider';
import { AtlasPrivateEndpointService } from './endpoint-service';
import { AtlasValidationError } from './errors';
import { AtlasPrivateEndpoint } from './private-endpoint';
import { ATLAS_PRIVATE_ENDPOINT_PORTS } from './private-link';
import { SERVICE_TOKEN_PARAMETER_NAME } from './provider-stack';

/** The product names end users see in Service Catalog. */
export const CATALOG_PRODUCT_NAMES = {
  /** The product that launches one endpoint service. */
  endpointService: 'Atlas private endpoint service',
  /** The product that launches the AWS chain: service, interface endpoint, registration. */
  privateLink: 'Atlas PrivateLink (AWS)',
} as const;

/** The EC2 actions CloudFormation makes for the PrivateLink product's interface endpoint and security group. */
export const PRIVATE_LINK_EC2_ACTIONS = [
  'ec2:CreateVpcEndpoint',
  'ec2:ModifyVpcEndpoint',
  'ec2:DeleteVpcEndpoints',
  'ec2:CreateSecurityGroup',
  'ec2:DeleteSecurityGroup',
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:RevokeSecurityGroupEgress',
  // Service Catalog tags the stack it launches and CloudFormation passes stack tags on to both resources.
  'ec2:CreateTags',
  'ec2:DeleteTags',
] as const;

/** EC2 reads, which AWS offers on `*` only. */
export const PRIVATE_LINK_EC2_READ_ACTIONS = [
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeSecurityGroups',
  // CloudFormation checks the VpcId and SubnetIds parameters (AWS-specific types) against the account.
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
] as const;

/** What Service Catalog does with the launched product's stack (its name starts with `SC-`). */
export const LAUNCH_STACK_ACTIONS = [
  'cloudformation:CreateStack',
  'cloudformation:UpdateStack',
  'cloudformation:DeleteStack',
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackEvents',
  'cloudformation:SetStackPolicy',
] as const;

/** CloudFormation template checks, which AWS offers on `*` only. */
export const LAUNCH_TEMPLATE_ACTIONS = ['cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'] as const;

/** Properties of {@link AtlasPrivateEndpointCatalog}. */
export interface AtlasPrivateEndpointCatalogProps {
  /**
   * The SSM String parameter holding the ServiceToken of the provider in this account and region.
   * @default '/atlas/private-endpoint/service-token', where the provider stack publishes it
   */
  readonly serviceTokenParameterName?: string;
  /**
   * The portfolio's name.
   * @default 'Atlas private endpoints'
   */
  readonly portfolioName?: string;
  /**
   * Who provides the portfolio, as end users see it.
   * @default 'Cloud platform team'
   */
  readonly providerName?: string;
  /**
   * Who owns the products, as end users see it.
   * @default the portfolio's `providerName`
   */
  readonly owner?: string;
  /**
   * The name of the products' version.
   * @default 'v1'
   */
  readonly productVersionName?: string;
  /**
   * The profile the products offer by default (secret `cfn/atlas/profile/{profile}`); the provider must be
   * allowed to read it.
   * @default 'default'
   */
  readonly defaultProfile?: string;
  /**
   * Roles, users and groups that may launch the products; more with `grantLaunch`.
   * @default none
   */
  readonly principals?: Array<iam.IRole | iam.IUser | iam.IGroup>;
}

/**
 * A Service Catalog portfolio with two products built on the provider deployed in the same account and
 * region:
 *
 * - "Atlas private endpoint service": one `Custom::AtlasPrivateEndpointService`, with parameters
 *   `ProjectId`, `ProviderName`, `Region` and `Profile`, and every attribute as an output.
 * - "Atlas PrivateLink (AWS)": the endpoint service in the launch region, an interface endpoint in the
 *   given VPC and subnets with a security group for Atlas's ports, and the endpoint's registration with
 *   Atlas; parameters `ProjectId`, `Profile`, `VpcId`, `SubnetIds` and `ClientCidr`.
 *
 * Both read the ServiceToken from the SSM parameter the provider stack writes, so the provider can be
 * deployed (and replaced) on its own. Service Catalog launches, updates and terminates them with
 * `launchRole`, which may do exactly that: run the product's stack, read the token parameter, invoke the
 * ServiceToken function and manage the interface endpoint and its security group. End users need only
 * Service Catalog access (for example the `AWSServiceCatalogEndUserFullAccess` managed policy) and a grant.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const catalog = new AtlasPrivateEndpointCatalog(this, 'Catalog', { providerName: 'Platform team' });
 * catalog.grantLaunch(iam.Role.fromRoleName(this, 'Developers', 'developers'));
 */
export class AtlasPrivateEndpointCatalog extends Construct {
  /** The name end users see of the product that launches one endpoint service. */
  static readonly ENDPOINT_SERVICE_PRODUCT_NAME: string = CATALOG_PRODUCT_NAMES.endpointService;
  /** The name end users see of the product that launches the AWS chain. */
  static readonly PRIVATE_LINK_PRODUCT_NAME: string = CATALOG_PRODUCT_NAMES.privateLink;

  /** The portfolio holding both products. */
  readonly portfolio: servicecatalog.Portfolio;
  /** "Atlas private endpoint service". */
  readonly endpointServiceProduct: servicecatalog.CloudFormationProduct;
  /** "Atlas PrivateLink (AWS)". */
  readonly privateLinkProduct: servicecatalog.CloudFormationProduct;
  /** The role Service Catalog assumes to launch, update and terminate both products. */
  readonly launchRole: iam.Role;
  /** The ServiceToken as the catalog's stack reads it from the SSM parameter at deploy time. */
  readonly serviceTokenFunctionArn: string;
  /** The template of "Atlas private endpoint service". */
  readonly endpointServiceTemplate: servicecatalog.ProductStack;
  /** The template of "Atlas PrivateLink (AWS)". */
  readonly privateLinkTemplate: servicecatalog.ProductStack;

  /**
   * Creates the portfolio, its two products and the launch role.
   * @param scope the construct it belongs to
   * @param id its id within `scope`
   * @param props options; every one has a default
   */
  constructor(scope: Construct, id: string, props: AtlasPrivateEndpointCatalogProps = {}) {
    super(scope, id);
    const parameterName = props.serviceTokenParameterName ?? SERVICE_TOKEN_PARAMETER_NAME;
    if (!/^\/[A-Za-z0-9_.\-/]{1,1010}$/.test(parameterName)) {
      throw new AtlasValidationError(
        `serviceTokenParameterName "${parameterName}" is not an SSM parameter path (/a/b/c: letters, digits and _.-/).`,
        this,
      );
    }
    const providerName = props.providerName ?? 'Cloud platform team';
    const versionName = props.productVersionName ?? 'v1';
    const defaultProfile = props.defaultProfile ?? 'default';
    const stack = Stack.of(this);

    this.portfolio = new servicecatalog.Portfolio(this, 'Portfolio', {
      displayName: props.portfolioName ?? 'Atlas private endpoints',
      providerName,
      description: 'MongoDB Atlas private endpoints through the Atlas private endpoint provider of this account and region',
    });

    const product = (productId: string, name: string, description: string, template: servicecatalog.ProductStack) =>
      new servicecatalog.CloudFormationProduct(this, productId, {
        productName: name,
        owner: props.owner ?? providerName,
        description,
        productVersions: [
          { productVersionName: versionName, cloudFormationTemplate: servicecatalog.CloudFormationTemplate.fromProductStack(template) },
        ],
      });
    this.endpointServiceTemplate = new EndpointServiceProductStack(this, 'EndpointServiceTemplate', { parameterName, defaultProfile });
    this.privateLinkTemplate = new PrivateLinkProductStack(this, 'PrivateLinkTemplate', { parameterName, defaultProfile });
    this.endpointServiceProduct = product(
      'EndpointServiceProduct',
      CATALOG_PRODUCT_NAMES.endpointService,
      'An Atlas private endpoint service (one cloud provider and region of an Atlas project)',
      this.endpointServiceTemplate,
    );
    this.privateLinkProduct = product(
      'PrivateLinkProduct',
      CATALOG_PRODUCT_NAMES.privateLink,
      'AWS PrivateLink to Atlas in this region: the endpoint service, an interface endpoint in your VPC, and its registration with Atlas',
      this.privateLinkTemplate,
    );

    // The function ARN itself, read when this stack deploys, scopes the launch role's invoke permission.
    this.serviceTokenFunctionArn = ssm.StringParameter.valueForStringParameter(this, parameterName);
    this.launchRole = new iam.Role(this, 'LaunchRole', {
      assumedBy: new iam.ServicePrincipal('servicecatalog.amazonaws.com'),
      description: 'Service Catalog launch role of the Atlas private endpoint products',
    });
    for (const statement of launchRoleStatements(stack, parameterName, this.serviceTokenFunctionArn))
      this.launchRole.addToPrincipalPolicy(statement);

    for (const p of [this.endpointServiceProduct, this.privateLinkProduct]) {
      this.portfolio.addProduct(p);
      this.portfolio.setLaunchRole(p, this.launchRole);
    }
    (props.principals ?? []).forEach((p) => this.grantLaunch(p));
  }

  /**
   * Lets a role, user or group see and launch the portfolio's products. In languages without union types
   * `grantLaunchToRole`, `grantLaunchToUser` and `grantLaunchToGroup` say the same with a typed parameter.
   * @param principal the role, user or group
   */
  grantLaunch(principal: iam.IRole | iam.IUser | iam.IGroup): void {
    if ('roleArn' in principal) this.portfolio.giveAccessToRole(principal);
    else if ('userArn' in principal) this.portfolio.giveAccessToUser(principal);
    else if ('groupArn' in principal) this.portfolio.giveAccessToGroup(principal);
    else throw new AtlasValidationError('grantLaunch takes an IAM role, user or group.', this);
  }

  /**
   * Lets a role see and launch the portfolio's products.
   * @param role the role
   */
  grantLaunchToRole(role: iam.IRole): void {
    this.portfolio.giveAccessToRole(role);
  }

  /**
   * Lets a user see and launch the portfolio's products.
   * @param user the user
   */
  grantLaunchToUser(user: iam.IUser): void {
    this.portfolio.giveAccessToUser(user);
  }

  /**
   * Lets a group see and launch the portfolio's products.
   * @param group the group
   */
  grantLaunchToGroup(group: iam.IGroup): void {
    this.portfolio.giveAccessToGroup(group);
  }
}

/**
 * Exactly what launching, updating and terminating the products needs. CloudFormation makes every call of
 * a launch with this role's credentials: the stack itself, resolving the token's dynamic reference,
 * invoking the ServiceToken function for each custom resource, and the EC2 resources of the PrivateLink product.
 */
function launchRoleStatements(stack: Stack, parameterName: string, functionArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: [...LAUNCH_STACK_ACTIONS],
      resources: [
        stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'SC-*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      ],
    }),
    new iam.PolicyStatement({ actions: [...LAUNCH_TEMPLATE_ACTIONS], resources: ['*'] }),
    // Service Catalog keeps each product version's template in its own bucket, tagged for provisioning.
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: ['*'],
      conditions: { StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' } },
    }),
    new iam.PolicyStatement({
      actions: ['ssm:GetParameters'],
      resources: [
        stack.formatArn({
          service: 'ssm',
          resource: 'parameter',
          resourceName: parameterName.slice(1),
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ],
    }),
    new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functionArn] }),
    new iam.PolicyStatement({
      actions: [...PRIVATE_LINK_EC2_ACTIONS],
      // The interface endpoint, its security group and rules, and the VPC, subnets and network interfaces they use.
      resources: [stack.formatArn({ service: 'ec2', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME })],
    }),
    new iam.PolicyStatement({ actions: [...PRIVATE_LINK_EC2_READ_ACTIONS], resources: ['*'] }),
  ];
}

interface ProductTemplateProps {
  readonly parameterName: string;
  readonly defaultProfile: string;
}

/** A product's template: the token from SSM and the parameters both products share. */
abstract class ProductTemplateStack extends servicecatalog.ProductStack {
  protected readonly serviceToken: string;
  protected readonly projectId: CfnParameter;
  protected readonly profile: CfnParameter;

  constructor(scope: Construct, id: string, props: ProductTemplateProps, description: string) {
    super(scope, id, { description });
    // Resolved by CloudFormation at launch: end users neither see nor choose the provider.
    this.serviceToken = new CfnDynamicReference(CfnDynamicReferenceService.SSM, props.parameterName).toString();
    this.projectId = new CfnParameter(this, 'ProjectId', {
      type: 'String',
      description: 'Atlas project (group) id: 24 hexadecimal digits',
      allowedPattern: '^[0-9a-fA-F]{24}$',
      constraintDescription: 'an Atlas project id is 24 hexadecimal digits, like 5f1e0a1b2c3d4e5f6a7b8c9d',
    });
    this.profile = new CfnParameter(this, 'Profile', {
      type: 'String',
      default: props.defaultProfile,
      description: 'Profile of the Secrets Manager secret cfn/atlas/profile/<Profile> holding the Atlas credentials',
      allowedPattern: '^[A-Za-z0-9_+=.@-]{1,200}$',
      constraintDescription: '1-200 letters, digits or _+=.@-',
    });
  }
}

class EndpointServiceProductStack extends ProductTemplateStack {
  constructor(scope: Construct, id: string, props: ProductTemplateProps) {
    super(scope, id, props, 'Atlas private endpoint service (Custom::AtlasPrivateEndpointService)');
    const providerName = new CfnParameter(this, 'ProviderName', {
      type: 'String',
      allowedValues: [...CLOUD_PROVIDERS],
      default: 'AWS',
      description: 'The cloud provider of the endpoint service',
    });
    const region = new CfnParameter(this, 'Region', {
      type: 'String',
      description: "The provider's region, in the cloud's spelling (us-east-1, eastus2, us-central1) or Atlas's (US_EAST_1)",
      allowedPattern: '^[A-Za-z0-9_-]{2,50}$',
    });
    const service = new AtlasPrivateEndpointService(this, 'EndpointService', {
      serviceToken: this.serviceToken,
      projectId: this.projectId.valueAsString,
      providerName: providerName.valueAsString as CloudProvider,
      region: region.valueAsString,
      profile: this.profile.valueAsString,
    });
    // Every attribute but ProjectId and ProviderName, which echo the parameters of the same names.
    const outputs: Record<string, [string, string]> = {
      Id: [service.resource.getAttString('Id'), 'The Atlas endpoint service id (as PrivateLinkId)'],
      PrivateLinkId: [service.privateLinkId, 'The Atlas endpoint service id'],
      EndpointServiceName: [service.endpointServiceName, 'AWS: the PrivateLink endpoint service name an interface endpoint connects to'],
      Status: [service.status, "Atlas's status of the endpoint service"],
      ErrorMessage: [service.errorMessage, "Atlas's error message, if any"],
      RegionName: [service.regionName, "The region in Atlas's spelling"],
      InterfaceEndpoints: [service.interfaceEndpoints, 'AWS: registered interface endpoint ids, comma-separated'],
      PrivateEndpoints: [service.privateEndpoints, 'Azure: private endpoints, comma-separated'],
      PrivateLinkServiceName: [service.privateLinkServiceName, 'Azure: the Private Link service name'],
      PrivateLinkServiceResourceId: [service.privateLinkServiceResourceId, 'Azure: the Private Link service resource id'],
      EndpointGroupNames: [service.endpointGroupNames, 'GCP: endpoint group names, comma-separated'],
      ServiceAttachmentNames: [service.serviceAttachmentNames, 'GCP: service attachments, comma-separated'],
      ServiceAttachmentBaseUrl: [service.serviceAttachmentBaseUrl, 'GCP: the URL the service attachments share'],
    };
    for (const [name, [value, description]] of Object.entries(outputs)) new CfnOutput(this, name, { value, description });
  }
}

class PrivateLinkProductStack extends ProductTemplateStack {
  constructor(scope: Construct, id: string, props: ProductTemplateProps) {
    super(scope, id, props, 'AWS PrivateLink to MongoDB Atlas: endpoint service, interface endpoint, registration');
    const vpcId = new CfnParameter(this, 'VpcId', {
      type: 'AWS::EC2::VPC::Id',
      description: 'The VPC the interface endpoint goes into (in the launch region)',
    });
    const subnetIds = new CfnParameter(this, 'SubnetIds', {
      type: 'List<AWS::EC2::Subnet::Id>',
      description: "The interface endpoint's subnets: private subnets of that VPC, at most one per availability zone",
    });
    const clientCidr = new CfnParameter(this, 'ClientCidr', {
      type: 'String',
      description: "Who may connect to Atlas through the interface endpoint (an IPv4 CIDR block, usually the VPC's)",
      allowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$',
      constraintDescription: 'an IPv4 CIDR block, like 10.0.0.0/16',
    });
    const credentials = { serviceToken: this.serviceToken, projectId: this.projectId.valueAsString, profile: this.profile.valueAsString };

    // An interface endpoint connects to an endpoint service in its own region: the launch region.
    const service = new AtlasPrivateEndpointService(this, 'EndpointService', { ...credentials, providerName: 'AWS', region: Aws.REGION });
    const { fromPort: from, toPort: to } = ATLAS_PRIVATE_ENDPOINT_PORTS;
    const securityGroup = new ec2.CfnSecurityGroup(this, 'SecurityGroup', {
      vpcId: vpcId.valueAsString,
      groupDescription: `Atlas private endpoint: TCP ${from}-${to} to MongoDB Atlas`,
      securityGroupIngress: [
        {
          ipProtocol: 'tcp',
          fromPort: from,
          toPort: to,
          cidrIp: clientCidr.valueAsString,
          description: 'MongoDB Atlas through the private endpoint',
        },
      ],
      // Replaces the default allow-all egress: the endpoint answers, it never starts connections.
      securityGroupEgress: [
        { ipProtocol: 'icmp', fromPort: 252, toPort: 86, cidrIp: '255.255.255.255/32', description: 'Disallow all traffic' },
      ],
    });
    const vpcEndpoint = new ec2.CfnVPCEndpoint(this, 'VpcEndpoint', {
      vpcId: vpcId.valueAsString,
      vpcEndpointType: 'Interface',
      serviceName: service.endpointServiceName,
      subnetIds: subnetIds.valueAsList,
      securityGroupIds: [securityGroup.attrGroupId],
      privateDnsEnabled: false,
    });
    const registration = new AtlasPrivateEndpoint(this, 'Registration', {
      ...credentials,
      providerName: 'AWS',
      endpointServiceId: service.privateLinkId,
      endpointId: vpcEndpoint.ref,
    });
    new CfnOutput(this, 'PrivateLinkId', { value: service.privateLinkId, description: 'The Atlas endpoint service id' });
    new CfnOutput(this, 'EndpointServiceName', {
      value: service.endpointServiceName,
      description: 'The PrivateLink endpoint service name',
    });
    new CfnOutput(this, 'VpcEndpointId', { value: vpcEndpoint.ref, description: 'The interface endpoint id (vpce-…)' });
    new CfnOutput(this, 'SecurityGroupId', { value: securityGroup.attrGroupId, description: "The interface endpoint's security group" });
    new CfnOutput(this, 'ConnectionStatus', { value: registration.connectionStatus, description: "Atlas's connection status (AVAILABLE)" });
    new CfnOutput(this, 'DnsEntries', {
      value: Fn.join(',', vpcEndpoint.attrDnsEntries),
      description: "The interface endpoint's DNS names",
    });
  }
}
