import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AtlasPrivateEndpointProviderStack } from '../../lib';
import { synthesizeProvider } from '../../local/runner/definition';
import { PROVIDER_RUNTIME } from '../../lib';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require('asl-validator') as (
  d: unknown,
  o?: unknown,
) => { isValid: boolean; errors: unknown[]; errorsText: (sep?: string) => string };

// Actions AWS offers only on `*` (no resource-level permissions), which CDK grants for logging and tracing.
const ONLY_STAR = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

type Tmpl = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
type Statement = Record<string, unknown>;

/** Logical ids without their hash suffix, so that expectations read as construct paths. */
function normalise<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/"(Provider[A-Za-z0-9]+?)[0-9A-F]{8}"/g, '"$1"')) as T;
}

/** Every statement of every IAM policy in the template, by the role it is attached to. */
function policiesByRole(t: Tmpl): Record<string, Statement[]> {
  const out: Record<string, Statement[]> = {};
  for (const r of Object.values(t.Resources).filter((x) => x.Type === 'AWS::IAM::Policy')) {
    const doc = r.Properties.PolicyDocument as { Statement: Statement[] };
    for (const role of r.Properties.Roles as { Ref: string }[]) (out[normalise(role.Ref)] ??= []).push(...normalise(doc.Statement));
  }
  return out;
}

describe('AtlasPrivateEndpointProvider template', () => {
  const app = new App();
  const stack = new AtlasPrivateEndpointProviderStack(app, 'Provider', {
    env: { account: '123456789012', region: 'eu-west-1' },
    profiles: ['default', 'prod'],
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

  it('runs its three functions (ServiceToken, steps, failure destination) on the chosen Node.js runtime, the same major the tests run on', () => {
    expect(PROVIDER_RUNTIME.name).toBe('nodejs24.x');
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs24.x' }, 3);
    expect(process.versions.node.split('.')[0]).toBe(PROVIDER_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, '$1'));
  });

  it('logs the state machine (all events, no execution data), traces it, and encrypts its data with a customer managed key', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: Match.anyValue() },
      TracingConfiguration: { Enabled: true },
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('keeps every log group for a bounded time', () => {
    const groups = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(4);
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(30);
  });

  it("sends the ServiceToken function's events that fail every attempt to a function that answers FAILED", () => {
    const [config] = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(config.Properties.MaximumRetryAttempts).toBe(2);
    const target = (config.Properties.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure
      .Destination['Fn::GetAtt'][0];
    expect(json.Resources[target].Properties.Handler).toBe('index.onEventFailed');
  });

  it('grants no "*" resource where a narrower one exists', () => {
    const statements = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action);
      const resources = ([] as unknown[]).concat(s.Resource);
      if (resources.includes('*')) expect(actions.filter((a) => !ONLY_STAR.has(a))).toEqual([]);
    }
  });

  it('lets only the step function read exactly the profile secrets it was given', () => {
    const reads = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement)
      .filter((s) => ([] as string[]).concat(s.Action).includes('secretsmanager:GetSecretValue'));
    const resources = JSON.stringify(reads.map((s) => s.Resource));
    expect(resources).toContain('secret:cfn/atlas/profile/default-??????');
    expect(resources).toContain('secret:cfn/atlas/profile/prod-??????');
    expect(resources).not.toMatch(/secret:\*/);
  });

  it('gives every role exactly these statements (actions, resources, conditions) and no managed policy', () => {
    const t = Template.fromStack(
      new AtlasPrivateEndpointProviderStack(new App(), 'Agnostic', { profiles: ['default', 'prod'] }),
    ).toJSON() as Tmpl;
    const smName = Object.values(t.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!.Properties
      .StateMachineName as string;
    expect(smName).toMatch(/^Agnostic-Provider-[0-9A-F]{8}$/);
    const arn = (service: string, resource: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`],
      ],
    });
    // The condition names the ARN the state machine really gets, so Step Functions' encryption context matches it.
    const smContext = { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': arn('states', `stateMachine:${smName}`) } };
    const key = { 'Fn::GetAtt': ['ProviderKey', 'Arn'] };
    const logWrite = (group: string) => ({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [group, 'Arn'] },
    });
    // Asking CloudFormation about a request's stack and logical id: read only, stacks of the provider's own
    // account and region only (any stack there may use the provider).
    const stackRead = {
      Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'],
      Effect: 'Allow',
      Resource: arn('cloudformation', 'stack/*/*'),
    };
    expect(policiesByRole(t)).toEqual({
      // The failure destination only writes its own logs and answers CloudFormation's pre-signed URL.
      ProviderOnEventFailedFunctionRole: [logWrite('ProviderOnEventFailedFunctionLogs')],
      ProviderOnEventFunctionRole: [
        logWrite('ProviderOnEventFunctionLogs'),
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: 'ProviderStateMachine' } },
        { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Condition: smContext, Effect: 'Allow', Resource: key },
        stackRead,
        // Lambda hands an event it gave up on to the failure destination with the function's own role.
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': ['ProviderOnEventFailedFunction', 'Arn'] },
        },
      ],
      ProviderStepFunctionRole: [
        logWrite('ProviderStepFunctionLogs'),
        stackRead,
        {
          Action: 'secretsmanager:GetSecretValue',
          Effect: 'Allow',
          Resource: arn('secretsmanager', 'secret:cfn/atlas/profile/default-??????'),
        },
        {
          Action: 'secretsmanager:GetSecretValue',
          Effect: 'Allow',
          Resource: arn('secretsmanager', 'secret:cfn/atlas/profile/prod-??????'),
        },
      ],
      ProviderStateMachineRole: [
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: [
            { 'Fn::GetAtt': ['ProviderStepFunction', 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ProviderStepFunction', 'Arn'] }, ':*']] },
          ],
        },
        { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: smContext, Effect: 'Allow', Resource: key },
        {
          Action: 'kms:GenerateDataKey',
          Condition: { StringEquals: { 'kms:EncryptionContext:SourceArn': arn('logs', '*') } },
          Effect: 'Allow',
          Resource: key,
        },
        {
          Action: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          Effect: 'Allow',
          Resource: '*',
        },
        {
          Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
          Effect: 'Allow',
          Resource: '*',
        },
      ],
    });
    const roles = Object.values(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(4); // three functions (ServiceToken, steps, failure destination) and the state machine
    for (const r of roles) {
      expect(r.Properties.ManagedPolicyArns).toBeUndefined();
      expect(r.Properties.Policies).toBeUndefined();
    }
    // Only the account (the key's default administrator) and CloudWatch Logs' delivery service use the key directly,
    // the latter only for this account's deliveries in this region (no confused deputy).
    expect(normalise(Object.values(t.Resources).find((r) => r.Type === 'AWS::KMS::Key')!.Properties.KeyPolicy)).toEqual({
      Statement: [
        {
          Action: 'kms:*',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
          Resource: '*',
        },
        {
          Action: 'kms:Decrypt*',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*'],
                ],
              },
            },
          },
        },
      ],
      Version: '2012-10-17',
    });
  });

  it("bounds the ServiceToken function's concurrency, not the step function's", () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', ReservedConcurrentExecutions: 10 });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onStep', ReservedConcurrentExecutions: Match.absent() });
    const five = Template.fromStack(new AtlasPrivateEndpointProviderStack(new App(), 'Five', { serviceTokenConcurrency: 5 }));
    five.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', ReservedConcurrentExecutions: 5 });
    expect(() => new AtlasPrivateEndpointProviderStack(new App(), 'Zero', { serviceTokenConcurrency: 0 })).toThrow(
      /serviceTokenConcurrency .* at least 1.*\(at Zero\/Provider\)/,
    );
  });

  it('takes the log level, retention, removal policy and Atlas base URL from its props', () => {
    const t = Template.fromStack(
      new AtlasPrivateEndpointProviderStack(new App(), 'Gov', {
        logLevel: 'DEBUG',
        logRetention: RetentionDays.ONE_WEEK,
        removalPolicy: RemovalPolicy.DESTROY,
        atlasBaseUrl: 'https://cloud.mongodbgov.com',
      }),
    );
    t.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'DEBUG', ATLAS_BASE_URL: 'https://cloud.mongodbgov.com' }) } },
      3,
    );
    t.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 7 }, 4);
    t.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    t.allResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('exports the ServiceToken and writes it to the SSM parameter for other stacks, templates and Service Catalog products', () => {
    const token = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProviderOnEventFunction[0-9A-F]{8}$'), 'Arn'] };
    template.hasOutput('ServiceToken', { Export: { Name: 'AtlasPrivateEndpointServiceToken' }, Value: token });
    template.hasResourceProperties('AWS::SSM::Parameter', { Type: 'String', Name: '/atlas/private-endpoint/service-token', Value: token });
  });

  it('has a state machine definition that an ASL validator accepts', () => {
    const { definition } = synthesizeProvider();
    const result = validateAsl(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    expect(Object.keys(definition.States).sort()).toEqual(
      [
        'Act',
        'Answer',
        'Answered',
        'AwaitVerdict',
        'Confirm',
        'CountFailure',
        'GiveUp',
        'MadeSomething',
        'Poll',
        'RetryStep',
        'Route',
        'TooManyFailures',
        'Unanswerable',
        'WaitAfterFailure',
        'WaitToAct',
        'WaitToConfirm',
        'WaitToPoll',
      ].sort(),
    );
  });

  it('rejects a profile that cannot name a secret at synth time', () => {
    expect(() => new AtlasPrivateEndpointProviderStack(new App(), 'Bad', { profiles: ['has space'] })).toThrow(/Profile "has space"/);
  });

  it('can live in any stack', () => {
    expect(() => Template.fromStack(new AtlasPrivateEndpointProviderStack(new App(), 'Env-agnostic'))).not.toThrow();
    expect(Stack).toBeDefined();
  });
});
