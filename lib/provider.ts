/**
 * The provider behind `Custom::AtlasPrivateEndpointService` and `Custom::AtlasPrivateEndpoint`: the
 * ServiceToken function, the step function, the wait-loop state machine, their logs, key and
 * least-privilege permissions. Deploy one per account and region and share its `serviceToken`.
 */
import { Annotations, ArnFormat, Aspects, Duration, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_PROFILE, isValidProfile, isValidSecretArn, PROFILE_SECRET_PREFIX } from '../lambda/model/credentials-secret';
import { ANY_STACK, isValidProjectId, isValidStackPattern, PROFILE_BINDINGS_ENV } from '../lambda/model/profile-bindings';
import { ON_EVENT_LAMBDA_TIMEOUT_SECONDS, STEP_LAMBDA_TIMEOUT_SECONDS } from '../lambda/model/timing';
import { AtlasValidationError } from './errors';
import { PROVIDER_HANDLERS, providerHandlerCode } from './handler-asset';
import { WaitLoop } from './waiter-state-machine';

/** The Lambda runtime the provider runs on; tests run on the same Node.js major. */
export const PROVIDER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** How much the provider's functions log (Powertools' levels). */
export type ProviderLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Properties of {@link AtlasPrivateEndpointProvider}. */
export interface AtlasPrivateEndpointProviderProps {
  /**
   * Profiles whose secrets (`cfn/atlas/profile/{Profile}`) the provider may read.
   * @default ['default'] when `credentialsSecretArns` is empty too, else none
   */
  readonly profiles?: string[];
  /**
   * Full ARNs of further secrets holding Atlas credentials that the provider may read.
   * @default none
   */
  readonly credentialsSecretArns?: string[];
  /**
   * Key for the state machine's data (execution input, output and history), which holds CloudFormation's
   * pre-signed ResponseURL; only principals allowed to decrypt with it can read them in plain form.
   * @default a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long the provider's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How much the provider's functions log: `DEBUG`, `INFO`, `WARN` or `ERROR`. `DEBUG` adds every Atlas call
   * (never a secret or the ResponseURL).
   * @default 'INFO'
   */
  readonly logLevel?: ProviderLogLevel;
  /**
   * Atlas base URL for every resource, overriding the secrets' `BaseUrl` (for example Atlas for Government,
   * `https://cloud.mongodbgov.com`).
   * @default each secret's `BaseUrl`, else https://cloud.mongodb.com
   */
  readonly atlasBaseUrl?: string;
  /**
   * Which stacks may use which credentials: a profile name (or a secret ARN) → the stacks allowed to use
   * it: stack names (`'app-prod'`), name prefixes ending in `*` (`'sandbox-*'`), or `'*'` for every stack
   * of this account and region. The provider may read each secret
   * named here. A request whose stack is not bound to the credentials it names is answered FAILED before
   * the secret is read. Resources built with the `provider` prop bind their own stack to their credentials.
   * Deploy one provider per trust boundary; bindings separate the credentials within one.
   * @default each secret no binding names (here or by a resource built with the `provider` prop) may be
   * used by every stack of this account and region; synth says so for each one
   */
  readonly profileBindings?: Record<string, string[]>;
  /**
   * Which Atlas projects each profile (or secret ARN) may be used for: a profile name (or a secret ARN) →
   * Atlas project ids (24 hexadecimal digits). A request that acts on another project with those
   * credentials is answered FAILED before the secret is read. The provider may read each secret named here.
   * @default every project the credentials reach
   */
  readonly profileProjects?: Record<string, string[]>;
  /**
   * Removal policy of the log groups and the key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Concurrent executions reserved for (and the most allowed to) the ServiceToken function, so that a flood
   * of events cannot start an unbounded number of executions; CloudFormation's invocations beyond it are
   * throttled and retried by Lambda. The account must keep at least 10 unreserved executions.
   * @default 10
   */
  readonly serviceTokenConcurrency?: number;
  /**
   * Name of the wait loop's state machine, unique in the account and region (a deploy-time value is
   * accepted: the packaged template takes a prefix as a parameter so that two providers deploy side by side).
   * @default a name made from the construct's path
   */
  readonly stateMachineName?: string;
}

/**
 * The provider of the `Custom::AtlasPrivateEndpointService` and `Custom::AtlasPrivateEndpoint` custom
 * resources: a ServiceToken function that starts one Step Functions execution per CloudFormation request,
 * and a wait loop that acts in Atlas, polls until Atlas has finished and answers CloudFormation. It
 * creates two Lambda functions (one prebuilt asset), a Standard state machine whose data is encrypted with a
 * customer managed KMS key, three log groups, and roles that may do exactly what the provider needs,
 * including reading only the Atlas credentials secrets it is given.
 *
 * Deploy one per account and region (see `AtlasPrivateEndpointProviderStack`) and share its
 * `serviceToken`, or create one in the stack that uses it.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const provider = new AtlasPrivateEndpointProvider(this, 'AtlasProvider', {
 *   profiles: ['default', 'prod'],
 *   logRetention: logs.RetentionDays.THREE_MONTHS,
 * });
 * new AtlasPrivateEndpointService(this, 'Service', {
 *   provider,
 *   projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
 *   providerName: 'AWS',
 *   region: 'us-east-1',
 *   profile: 'prod',
 * });
 */
export class AtlasPrivateEndpointProvider extends Construct {
  /** The Lambda runtime the provider's functions run on (`PROVIDER_RUNTIME` in TypeScript). */
  static readonly RUNTIME: lambda.Runtime = PROVIDER_RUNTIME;

  /**
   * The ServiceToken of the custom resources: the ServiceToken function's ARN.
   * @attribute
   */
  readonly serviceToken: string;
  /** The function CloudFormation invokes (the ServiceToken). */
  readonly onEventFunction: lambda.IFunction;
  /** The function the wait loop's tasks invoke. */
  readonly stepFunction: lambda.IFunction;
  /** The wait loop. Its name is fixed at synth so that key policies can name its ARN. */
  readonly stateMachine: sfn.StateMachine;
  /** The key that encrypts the state machine's data. */
  readonly encryptionKey: kms.IKey;
  private readonly readableSecrets = new Set<string>();
  private readonly secretsPolicy: iam.Policy;
  /** Secret id (profile secret name or ARN) → stack-name prefixes bound to it. */
  private readonly bindings = new Map<string, Set<string>>();
  /** Secret id → the Atlas projects it may be used for (absent: every project). */
  private readonly projects = new Map<string, Set<string>>();

  /**
   * Creates the provider's functions, state machine, key, log groups and roles.
   * @param scope the construct it belongs to
   * @param id its id within `scope`
   * @param props options; every one has a default
   */
  constructor(scope: Construct, id: string, props: AtlasPrivateEndpointProviderProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const concurrency = props.serviceTokenConcurrency ?? 10;
    if (!Token.isUnresolved(concurrency) && !(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new AtlasValidationError(`serviceTokenConcurrency must be a whole number of at least 1, got ${concurrency}.`, this);
    }

    const code = providerHandlerCode();
    // Each function gets its own role that may write only to its own log group (no managed policy).
    const fn = (
      name: string,
      handler: string,
      description: string,
      o: { timeout: Duration; environment?: Record<string, string>; reservedConcurrentExecutions?: number },
    ) => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention, removalPolicy });
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Atlas private endpoint provider: ${name}`,
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      );
      return new lambda.Function(this, name, {
        code,
        handler,
        description,
        role,
        logGroup,
        runtime: PROVIDER_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout: o.timeout,
        ...(o.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: o.reservedConcurrentExecutions } : {}),
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'atlas-private-endpoint',
          POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
          [PROFILE_BINDINGS_ENV]: Lazy.string({ produce: () => this.renderBindings() }),
          ...(props.atlasBaseUrl ? { ATLAS_BASE_URL: props.atlasBaseUrl } : {}),
          ...o.environment,
        },
      });
    };

    this.encryptionKey =
      props.encryptionKey ??
      new ProviderKey(this, 'Key', {
        enableKeyRotation: true,
        removalPolicy,
        description: 'Atlas private endpoint provider: wait-loop execution data',
      });

    const stepFunction = fn('StepFunction', PROVIDER_HANDLERS.onStep, 'Atlas private endpoint provider: wait-loop steps', {
      timeout: Duration.seconds(STEP_LAMBDA_TIMEOUT_SECONDS),
    });
    this.stepFunction = stepFunction;

    // A name known at synth: the key grants are conditioned on the state machine's ARN in the encryption
    // context, which CDK builds from the name (an unnamed state machine would give a condition that never matches).
    // Unique by construct path (stack id included), as a stack's resource names are.
    const stateMachineName = props.stateMachineName ?? Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    const loop = new WaitLoop(this, 'WaitLoop', { stepFunction });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(loop.startState),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Custom::AtlasPrivateEndpointService wait loop: act in Atlas, poll, wait, answer CloudFormation',
      // The execution data holds the pre-signed ResponseURL; logs carry events, not data.
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', { retention, removalPolicy }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
      tracingEnabled: true,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.encryptionKey),
    });
    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // The ServiceToken function: a stable logical id keeps its ARN, which CloudFormation forbids changing.
    const onEventFunction = fn(
      'OnEventFunction',
      PROVIDER_HANDLERS.onEvent,
      'Atlas private endpoint provider: CloudFormation entry (ServiceToken)',
      {
        timeout: Duration.seconds(ON_EVENT_LAMBDA_TIMEOUT_SECONDS),
        reservedConcurrentExecutions: concurrency,
        environment: { STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
      },
    );
    this.onEventFunction = onEventFunction;
    this.stateMachine.grantStartExecution(onEventFunction);
    // Starting an execution of a state machine encrypted with a customer managed key encrypts its input
    // with that key on the caller's behalf, with the state machine's ARN as encryption context.
    onEventFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': stateMachineArn } },
      }),
    );
    this.serviceToken = onEventFunction.functionArn;

    // Both functions ask CloudFormation whether a request is still the one it waits for (at the door, before
    // every act in Atlas and after answering). The provider serves any stack of its account and region, whose
    // names it cannot know at synth: every stack there, and only the two read actions. In each function's
    // default policy, which the function waits for, so that no first request meets a role without it.
    const stackRead = new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'],
      resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: '*/*' })],
    });
    onEventFunction.addToRolePolicy(stackRead);
    stepFunction.addToRolePolicy(stackRead);

    // An event whose invocations all fail (Lambda's two asynchronous retries included) goes here and is
    // answered FAILED, instead of leaving CloudFormation waiting for its whole ServiceTimeout.
    const onEventFailedFunction = fn(
      'OnEventFailedFunction',
      PROVIDER_HANDLERS.onEventFailed,
      'Atlas private endpoint provider: answers FAILED for requests Lambda gave up on',
      {
        timeout: Duration.seconds(30),
      },
    );
    // Bound by hand rather than with LambdaDestination, whose grant adds `<arn>:*` (every version and
    // alias); Lambda invokes the destination's unqualified ARN, so that one ARN is all the role needs.
    const onFailure: lambda.IDestination = {
      bind: (_scope, source) => {
        source.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [onEventFailedFunction.functionArn] }),
        );
        return { destination: onEventFailedFunction.functionArn };
      },
    };
    onEventFunction.configureAsyncInvoke({ retryAttempts: 2, onFailure });

    this.secretsPolicy = new iam.Policy(this, 'CredentialsPolicy', { roles: [stepFunction.role!] });
    const profiles = props.profiles ?? (props.credentialsSecretArns?.length ? [] : [DEFAULT_PROFILE]);
    profiles.forEach((p) => this.allowProfile(p));
    (props.credentialsSecretArns ?? []).forEach((a) => this.allowSecretArn(a));
    for (const [source, stacks] of Object.entries(props.profileBindings ?? {})) {
      if (source.startsWith('arn:') || Token.isUnresolved(source)) this.allowSecretArn(source, stacks);
      else this.allowProfile(source, stacks);
    }
    for (const [source, projects] of Object.entries(props.profileProjects ?? {})) {
      if (source.startsWith('arn:') || Token.isUnresolved(source)) this.allowSecretArn(source, [], projects);
      else this.allowProfile(source, [], projects);
    }
    // A secret nobody bound serves every stack: say so where the deployer looks, at synth.
    Aspects.of(this).add({
      visit: (node) => {
        if (node !== this) return;
        for (const [secretId, stacks] of this.bindings) {
          if (stacks.size) continue;
          Annotations.of(this).addInfo(
            `${secretId} is bound to no stack: every stack of this account and region that reaches the ServiceToken may use it` +
              `${this.projects.get(secretId)?.size ? ' (for its bound projects)' : ''}. ` +
              `To narrow, set profileBindings: { '${secretId.startsWith(PROFILE_SECRET_PREFIX) ? secretId.slice(PROFILE_SECRET_PREFIX.length) : secretId}': ['<stack name>', '<prefix>*'] }.`,
          );
        }
      },
    });
  }

  /**
   * Lets the provider read the secret of one more profile (`cfn/atlas/profile/{profile}`), and the stacks
   * whose names start with one of `stacks` use it (see `profileBindings`).
   * @param profile the profile name: 1-200 letters, digits or `_+=.@-`
   * @param stacks stack names, prefixes ending in `*`, or `*`, that may use it
   * @param projects Atlas project ids it may be used for (none: every project)
   */
  allowProfile(profile: string, stacks: string[] = [], projects: string[] = []): void {
    if (!isValidProfile(profile))
      throw new AtlasValidationError(`Profile "${profile}" cannot name a secret: use 1-200 letters, digits or _+=.@-.`, this);
    const stack = Stack.of(this);
    // Secrets Manager appends six random characters to a secret's name in its ARN.
    this.allow(
      stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${PROFILE_SECRET_PREFIX}${profile}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      PROFILE_SECRET_PREFIX + profile,
      stacks,
      projects,
    );
  }

  /**
   * Lets the provider read one more secret by ARN, and the stacks named by `stacks` use it (see `profileBindings`).
   * @param secretArn the secret's full ARN (`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`)
   * @param stacks stack names, prefixes ending in `*`, or `*`, that may use it
   * @param projects Atlas project ids it may be used for (none: every project)
   */
  allowSecretArn(secretArn: string, stacks: string[] = [], projects: string[] = []): void {
    if (!Token.isUnresolved(secretArn) && !isValidSecretArn(secretArn)) {
      throw new AtlasValidationError(
        `"${secretArn}" is not a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>).`,
        this,
      );
    }
    this.allow(secretArn, secretArn, stacks, projects);
  }

  /** Binds one more stack to credentials the provider reads: a resource's own stack, when it names the provider. */
  private bind(secretId: string, stacks: string[]): void {
    const bound = this.bindings.get(secretId) ?? new Set<string>();
    this.bindings.set(secretId, bound);
    for (const prefix of stacks) {
      if (Token.isUnresolved(prefix)) {
        Annotations.of(this).addWarningV2(
          'atlas:unresolvedStackBinding',
          `A stack name that is not known at synth time cannot be bound to ${secretId}; bind it (or a prefix ending in *) in profileBindings.`,
        );
        continue;
      }
      if (!isValidStackPattern(prefix))
        throw new AtlasValidationError(
          `"${prefix}" is not a stack name (letters, digits and hyphens, starting with a letter), a prefix ending in "*", or "*".`,
          this,
        );
      bound.add(prefix);
    }
  }

  private bindProjects(secretId: string, projects: string[]): void {
    if (!projects.length) return;
    const bound = this.projects.get(secretId) ?? new Set<string>();
    this.projects.set(secretId, bound);
    for (const project of projects) {
      if (Token.isUnresolved(project)) {
        throw new AtlasValidationError(`The projects bound to ${secretId} must be known at synth time (Atlas project ids).`, this);
      }
      if (!isValidProjectId(project.trim().toLowerCase()))
        throw new AtlasValidationError(`"${project}" bound to ${secretId} is not an Atlas project id (24 hexadecimal digits).`, this);
      bound.add(project.trim().toLowerCase());
    }
  }

  private renderBindings(): string {
    // A secret that no binding names serves every stack of the account and region (the synth says so).
    const entries = [...this.bindings].map(([secret, stacks]) => ({
      secret,
      stacks: stacks.size ? [...stacks] : [ANY_STACK],
      ...(this.projects.get(secret)?.size ? { projects: [...this.projects.get(secret)!] } : {}),
    }));
    return Stack.of(this).toJsonString(entries);
  }

  private allow(resource: string, secretId: string, stacks: string[], projects: string[] = []): void {
    this.bind(secretId, stacks);
    this.bindProjects(secretId, projects);
    if (this.readableSecrets.has(resource)) return;
    this.readableSecrets.add(resource);
    this.secretsPolicy.addStatements(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [resource] }));
  }
}

/**
 * The provider's own key. The state machine's log delivery (`delivery.logs.amazonaws.com`) is let decrypt
 * with it only on behalf of this account's log deliveries in this region (aws:SourceAccount,
 * aws:SourceArn): a service principal without them could be used by any account's delivery (a confused
 * deputy).
 */
class ProviderKey extends kms.Key {
  override addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    if (JSON.stringify(statement.toStatementJson()).includes('delivery.logs.amazonaws.com')) {
      const stack = Stack.of(this);
      statement.addCondition('StringEquals', { 'aws:SourceAccount': stack.account });
      statement.addCondition('ArnLike', {
        'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      });
    }
    return super.addToResourcePolicy(statement, allowNoOp);
  }
}
