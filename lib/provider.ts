/**
 * The provider behind `Custom::AtlasPrivateEndpointService`: the ServiceToken function, the step function,
 * the wait-loop state machine, their logs and least-privilege permissions. Deploy one per account and
 * region and share its `serviceToken`.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_PROFILE, isValidProfile, isValidSecretArn, PROFILE_SECRET_PREFIX } from '../lambda/model/credentials-secret';
import { ON_EVENT_LAMBDA_TIMEOUT_SECONDS, STEP_LAMBDA_TIMEOUT_SECONDS } from '../lambda/model/timing';
import { PROVIDER_HANDLERS, providerHandlerCode } from './handler-asset';
import { WaitLoop } from './waiter-state-machine';

/** The Lambda runtime the provider runs on; tests run on the same Node.js major. */
export const PROVIDER_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface AtlasPrivateEndpointProviderProps {
  /**
   * Profiles whose secrets (`cfn/atlas/profile/{Profile}`) the provider may read.
   * @default ['default'] when `credentialsSecretArns` is empty too
   */
  readonly profiles?: string[];
  /** Full ARNs of further secrets holding Atlas credentials that the provider may read. */
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
   * Atlas base URL for every resource, overriding the secrets' `BaseUrl` (for example Atlas for Government,
   * `https://cloud.mongodbgov.com`).
   * @default each secret's `BaseUrl`, else https://cloud.mongodb.com
   */
  readonly atlasBaseUrl?: string;
  /**
   * Removal policy of the log groups and the key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class AtlasPrivateEndpointProvider extends Construct {
  /** The ServiceToken of `Custom::AtlasPrivateEndpointService` resources: the onEvent function's ARN. */
  readonly serviceToken: string;
  readonly onEventFunction: lambda.IFunction;
  readonly stepFunction: lambda.IFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly encryptionKey: kms.IKey;
  private readonly readableSecrets = new Set<string>();
  private readonly secretsPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: AtlasPrivateEndpointProviderProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const logGroup = (name: string) => new logs.LogGroup(this, name, { retention, removalPolicy });
    const code = providerHandlerCode();
    const common = {
      code,
      runtime: PROVIDER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'atlas-private-endpoint',
        ...(props.atlasBaseUrl ? { ATLAS_BASE_URL: props.atlasBaseUrl } : {}),
      },
    };

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', { enableKeyRotation: true, removalPolicy, description: 'Atlas private endpoint provider: wait-loop execution data' });

    const stepFunction = new lambda.Function(this, 'StepFunction', {
      ...common,
      handler: PROVIDER_HANDLERS.onStep,
      description: 'Atlas private endpoint provider: wait-loop steps',
      timeout: Duration.seconds(STEP_LAMBDA_TIMEOUT_SECONDS),
      memorySize: 256,
      logGroup: logGroup('StepFunctionLogs'),
    });
    this.stepFunction = stepFunction;

    const loop = new WaitLoop(this, 'WaitLoop', { stepFunction });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(loop.startState),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Custom::AtlasPrivateEndpointService wait loop: act in Atlas, poll, wait, answer CloudFormation',
      // The execution data holds the pre-signed ResponseURL; logs carry events, not data.
      logs: { destination: logGroup('StateMachineLogs'), level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.encryptionKey),
    });

    // The ServiceToken function: a stable logical id keeps its ARN, which CloudFormation forbids changing.
    const onEventFunction = new lambda.Function(this, 'OnEventFunction', {
      ...common,
      handler: PROVIDER_HANDLERS.onEvent,
      description: 'Atlas private endpoint provider: CloudFormation entry (ServiceToken)',
      timeout: Duration.seconds(ON_EVENT_LAMBDA_TIMEOUT_SECONDS),
      memorySize: 256,
      logGroup: logGroup('OnEventFunctionLogs'),
      environment: { ...common.environment, STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
    });
    this.onEventFunction = onEventFunction;
    this.stateMachine.grantStartExecution(onEventFunction);
    // Starting an execution of a state machine encrypted with a customer managed key encrypts its input
    // with that key on the caller's behalf.
    onEventFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': this.stateMachine.stateMachineArn } },
      }),
    );
    this.serviceToken = onEventFunction.functionArn;

    // An event whose invocations all fail (Lambda's two asynchronous retries included) goes here and is
    // answered FAILED, instead of leaving CloudFormation waiting for its whole ServiceTimeout.
    const onEventFailedFunction = new lambda.Function(this, 'OnEventFailedFunction', {
      ...common,
      handler: PROVIDER_HANDLERS.onEventFailed,
      description: 'Atlas private endpoint provider: answers FAILED for requests Lambda gave up on',
      timeout: Duration.seconds(30),
      memorySize: 256,
      logGroup: logGroup('OnEventFailedFunctionLogs'),
    });
    onEventFunction.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.LambdaDestination(onEventFailedFunction) });

    this.secretsPolicy = new iam.Policy(this, 'CredentialsPolicy', { roles: [stepFunction.role!] });
    const profiles = props.profiles ?? (props.credentialsSecretArns?.length ? [] : [DEFAULT_PROFILE]);
    profiles.forEach((p) => this.allowProfile(p));
    (props.credentialsSecretArns ?? []).forEach((a) => this.allowSecretArn(a));
  }

  /** Lets the provider read the secret of one more profile (`cfn/atlas/profile/{profile}`). */
  allowProfile(profile: string): void {
    if (!isValidProfile(profile)) throw new Error(`Profile "${profile}" cannot name a secret: use 1-200 letters, digits or _+=.@-.`);
    const stack = Stack.of(this);
    // Secrets Manager appends six random characters to a secret's name in its ARN.
    this.allow(
      stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${PROFILE_SECRET_PREFIX}${profile}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    );
  }

  /** Lets the provider read one more secret by ARN. */
  allowSecretArn(secretArn: string): void {
    if (!Token.isUnresolved(secretArn) && !isValidSecretArn(secretArn)) {
      throw new Error(`"${secretArn}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>).`);
    }
    this.allow(secretArn);
  }

  private allow(resource: string): void {
    if (this.readableSecrets.has(resource)) return;
    this.readableSecrets.add(resource);
    this.secretsPolicy.addStatements(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [resource] }));
  }
}
