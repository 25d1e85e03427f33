/**
 * Service Catalog products for teams that launch Atlas private endpoints without writing templates: a
 * portfolio with "Atlas private endpoint service" and "Atlas PrivateLink (AWS)", and the launch role
 * Service Catalog assumes to create, update and terminate them.
 */
import { ArnFormat, Aws, CfnOutput, CfnParameter, Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { isValidProfile } from '../lambda/model/credentials-secret';
import { ATLAS_ID_PATTERN, CLOUD_PROVIDERS, type CloudProvider } from '../lambda/model/provider';
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

/** Of those, the ones that make a resource: allowed only through CloudFormation, and only tagged as the product tags. */
export const PRIVATE_LINK_EC2_CREATE_ACTIONS = ['ec2:CreateVpcEndpoint', 'ec2:CreateSecurityGroup'] as const;

/**
 * The tag the PrivateLink product puts on its interface endpoint and security group. The launch role may
 * change or delete only resources that carry it, so that a launch cannot touch another endpoint or group.
 */
export const PRIVATE_LINK_PRODUCT_TAG = {
  /** The tag's key. */
  key: 'AtlasPrivateEndpointProduct',
  /** The tag's value. */
  value: 'PrivateLink',
} as const;

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
  /**
   * The profiles the team this portfolio is for may use: the products' `Profile` parameter offers these
   * and nothing else (its `AllowedValues`). Bind them in the provider to `SC-*` stacks and to the team's
   * projects (`profileBindings`, `profileProjects`).
   * @default any profile name (the provider's bindings decide)
   */
  readonly profiles?: string[];
  /**
   * The Atlas projects the team this portfolio is for may use: the products' `ProjectId` parameter offers
   * these and nothing else (its `AllowedValues`).
   * @default any project id (the provider's bindings decide)
   */
  readonly projectIds?: string[];
  /**
   * The VPCs the PrivateLink product may put an interface endpoint in: its `VpcId` parameter offers these
   * and nothing else.
   * @default any VPC of the account in the launch region
   */
  readonly vpcIds?: string[];
  /**
   * The ServiceToken (the provider's ServiceToken function ARN) written into the products' templates. A
   * product then never reads the SSM parameter, and nobody who may write parameters can redirect it.
   * @default the SSM parameter `serviceTokenParameterName`, at version `serviceTokenParameterVersion`
   */
  readonly serviceToken?: string;
  /**
   * The version of the ServiceToken's SSM parameter the products read. Pinned, so that a later write to the
   * parameter (a new version) does not redirect launches to another function; raise it when the provider's
   * function is replaced.
   * @default 1, the version the provider stack writes when it is first deployed
   */
  readonly serviceTokenParameterVersion?: number;
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
    const stack = Stack.of(this);
    const profiles = props.profiles?.length ? props.profiles : undefined;
    for (const p of profiles ?? []) {
      if (!isValidProfile(p))
        throw new AtlasValidationError(`Profile "${p}" cannot name a secret: use 1-200 letters, digits or _+=.@-.`, this);
    }
    const defaultProfile = props.defaultProfile ?? profiles?.[0] ?? 'default';
    if (profiles && !profiles.includes(defaultProfile))
      throw new AtlasValidationError(`defaultProfile "${defaultProfile}" is not one of profiles (${profiles.join(', ')}).`, this);
    const projectIds = props.projectIds?.length ? props.projectIds.map((id) => id.trim().toLowerCase()) : undefined;
    for (const id of projectIds ?? []) {
      if (!ATLAS_ID_PATTERN.test(id)) throw new AtlasValidationError(`"${id}" is not an Atlas project id (24 hexadecimal digits).`, this);
    }
    const vpcIds = props.vpcIds?.length ? props.vpcIds : undefined;
    for (const id of vpcIds ?? []) {
      if (!/^vpc-[0-9a-f]{8,17}$/.test(id)) throw new AtlasValidationError(`"${id}" is not a VPC id (vpc-…).`, this);
    }
    const version = props.serviceTokenParameterVersion ?? 1;
    if (!Number.isInteger(version) || version < 1)
      throw new AtlasValidationError(`serviceTokenParameterVersion must be a whole number of at least 1, got ${version}.`, this);
    if (
      props.serviceToken !== undefined &&
      !Token.isUnresolved(props.serviceToken) &&
      !/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}$/.test(props.serviceToken)
    ) {
      throw new AtlasValidationError(`serviceToken "${props.serviceToken}" is not a Lambda function ARN.`, this);
    }
    // What the products' custom resources name as their ServiceToken, resolved by CloudFormation at launch.
    const serviceToken = props.serviceToken ?? `{{resolve:ssm:${parameterName}:${version}}}`;
    const templateProps: ProductTemplateProps = { serviceToken, defaultProfile, profiles, projectIds, vpcIds };

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
    this.endpointServiceTemplate = new EndpointServiceProductStack(this, 'EndpointServiceTemplate', templateProps);
    this.privateLinkTemplate = new PrivateLinkProductStack(this, 'PrivateLinkTemplate', templateProps);
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

    // The function ARN itself, the same version the products read, scopes the launch role's invoke permission.
    this.serviceTokenFunctionArn = props.serviceToken ?? ssm.StringParameter.valueForStringParameter(this, parameterName, version);
    this.launchRole = new iam.Role(this, 'LaunchRole', {
      assumedBy: new iam.ServicePrincipal('servicecatalog.amazonaws.com'),
      description: 'Service Catalog launch role of the Atlas private endpoint products',
    });
    for (const statement of launchRoleStatements(stack, props.serviceToken ? undefined : parameterName, this.serviceTokenFunctionArn))
      this.launchRole.addToPrincipalPolicy(statement);

    for (const p of [this.endpointServiceProduct, this.privateLinkProduct]) {
      this.portfolio.addProduct(p);
      this.portfolio.setLaunchRole(p, this.launchRole);
    }
    (props.principals ?? []).forEach((p) => this.grantLaunch(p));

    // What an administrator needs to grant access and an end user to launch (`aws servicecatalog …`).
    new CfnOutput(this, 'PortfolioId', { value: this.portfolio.portfolioId, description: `${this.portfolio.node.path}: the portfolio id` });
    new CfnOutput(this, 'EndpointServiceProductId', {
      value: this.endpointServiceProduct.productId,
      description: `"${CATALOG_PRODUCT_NAMES.endpointService}": the product id`,
    });
    new CfnOutput(this, 'PrivateLinkProductId', {
      value: this.privateLinkProduct.productId,
      description: `"${CATALOG_PRODUCT_NAMES.privateLink}": the product id`,
    });
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
function launchRoleStatements(stack: Stack, parameterName: string | undefined, functionArn: string): iam.PolicyStatement[] {
  const ec2 = (resource: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  // Only CloudFormation, running a launch's stack, makes these calls with the role's credentials.
  const viaCloudFormation = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };
  const tag = PRIVATE_LINK_PRODUCT_TAG;
  const taggedWrites = PRIVATE_LINK_EC2_ACTIONS.filter((a) => !(PRIVATE_LINK_EC2_CREATE_ACTIONS as readonly string[]).includes(a));
  const ruleWrites = PRIVATE_LINK_EC2_ACTIONS.filter((a) => /SecurityGroup(Ingress|Egress)$/.test(a));
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
    ...(parameterName
      ? [
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
        ]
      : []),
    new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functionArn] }),
    // Creating the interface endpoint and its security group (with the VPC, subnets and network interfaces
    // they use): through CloudFormation only.
    new iam.PolicyStatement({
      actions: [...PRIVATE_LINK_EC2_CREATE_ACTIONS],
      resources: [stack.formatArn({ service: 'ec2', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME })],
      conditions: viaCloudFormation,
    }),
    // Tagging what those two calls create (the product's tag, and the stack's tags CloudFormation passes on).
    new iam.PolicyStatement({
      actions: ['ec2:CreateTags'],
      resources: [ec2('vpc-endpoint'), ec2('security-group')],
      conditions: { ...viaCloudFormation, StringEquals: { 'ec2:CreateAction': PRIVATE_LINK_EC2_CREATE_ACTIONS.map((a) => a.slice(4)) } },
    }),
    // Every later write: only on the interface endpoints and security groups a launch made (they carry the tag).
    new iam.PolicyStatement({
      actions: [...taggedWrites],
      resources: [ec2('vpc-endpoint'), ec2('security-group')],
      conditions: { ...viaCloudFormation, StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value } },
    }),
    // What those writes name beside the tagged resource (which they also need): the subnets and groups an
    // interface endpoint is moved to, the rules of a group.
    new iam.PolicyStatement({
      actions: ['ec2:ModifyVpcEndpoint'],
      resources: [ec2('subnet'), ec2('security-group')],
      conditions: viaCloudFormation,
    }),
    new iam.PolicyStatement({ actions: [...ruleWrites], resources: [ec2('security-group-rule')], conditions: viaCloudFormation }),
    new iam.PolicyStatement({ actions: [...PRIVATE_LINK_EC2_READ_ACTIONS], resources: ['*'] }),
  ];
}

interface ProductTemplateProps {
  readonly serviceToken: string;
  readonly defaultProfile: string;
  readonly profiles?: string[];
  readonly projectIds?: string[];
  readonly vpcIds?: string[];
}

/** A product's template: the token from SSM and the parameters both products share. */
abstract class ProductTemplateStack extends servicecatalog.ProductStack {
  protected readonly serviceToken: string;
  protected readonly projectId: CfnParameter;
  protected readonly profile: CfnParameter;

  constructor(scope: Construct, id: string, props: ProductTemplateProps, description: string) {
    super(scope, id, { description });
    // Resolved by CloudFormation at launch (a pinned parameter version, or the ARN itself): end users neither see nor choose the provider.
    this.serviceToken = props.serviceToken;
    // What the admin allowed, and nothing else, when the portfolio is a team's.
    this.projectId = new CfnParameter(this, 'ProjectId', {
      type: 'String',
      description: 'Atlas project (group) id: 24 hexadecimal digits',
      ...(props.projectIds
        ? { allowedValues: props.projectIds, constraintDescription: 'one of the Atlas projects this portfolio is for' }
        : {
            allowedPattern: '^[0-9a-fA-F]{24}$',
            constraintDescription: 'an Atlas project id is 24 hexadecimal digits, like 5f1e0a1b2c3d4e5f6a7b8c9d',
          }),
    });
    this.profile = new CfnParameter(this, 'Profile', {
      type: 'String',
      default: props.defaultProfile,
      description: 'Profile of the Secrets Manager secret cfn/atlas/profile/<Profile> holding the Atlas credentials',
      ...(props.profiles
        ? { allowedValues: props.profiles, constraintDescription: 'one of the profiles this portfolio is for' }
        : { allowedPattern: '^[A-Za-z0-9_+=.@-]{1,200}$', constraintDescription: '1-200 letters, digits or _+=.@-' }),
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
      ...(props.vpcIds ? { allowedValues: props.vpcIds, constraintDescription: 'one of the VPCs this portfolio is for' } : {}),
    });
    const productTag = [{ key: PRIVATE_LINK_PRODUCT_TAG.key, value: PRIVATE_LINK_PRODUCT_TAG.value }];
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
      tags: productTag,
    });
    const vpcEndpoint = new ec2.CfnVPCEndpoint(this, 'VpcEndpoint', {
      vpcId: vpcId.valueAsString,
      vpcEndpointType: 'Interface',
      serviceName: service.endpointServiceName,
      subnetIds: subnetIds.valueAsList,
      securityGroupIds: [securityGroup.attrGroupId],
      privateDnsEnabled: false,
      tags: productTag,
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
