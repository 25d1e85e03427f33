import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AtlasPrivateEndpointProviderStack } from '../../bin/app';
import { synthesizeProvider } from '../../local/runner/definition';
import { PROVIDER_RUNTIME } from '../../lib';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require('asl-validator') as (d: unknown, o?: unknown) => { isValid: boolean; errors: unknown[]; errorsText: (sep?: string) => string };

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

describe('AtlasPrivateEndpointProvider template', () => {
  const app = new App();
  const stack = new AtlasPrivateEndpointProviderStack(app, 'Provider', { env: { account: '123456789012', region: 'eu-west-1' }, profiles: ['default', 'prod'] });
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

  it('sends the ServiceToken function\'s events that fail every attempt to a function that answers FAILED', () => {
    const [config] = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(config.Properties.MaximumRetryAttempts).toBe(2);
    const target = (config.Properties.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure.Destination['Fn::GetAtt'][0];
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

  it('lets the ServiceToken function start executions of its own state machine only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('StateMachine') } })]) },
    });
  });

  it('lets the ServiceToken function encrypt an execution\'s input with the key, for its own state machine only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProviderKey'), 'Arn'] },
            Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: Match.stringLikeRegexp('StateMachine') } } },
          }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('OnEventFunctionServiceRole') }],
    });
  });

  it('exports the ServiceToken for other stacks, templates and Service Catalog products', () => {
    template.hasOutput('ServiceToken', { Export: { Name: 'AtlasPrivateEndpointServiceToken' }, Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('OnEventFunction'), 'Arn'] } });
  });

  it('has a state machine definition that an ASL validator accepts', () => {
    const { definition } = synthesizeProvider();
    const result = validateAsl(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    expect(Object.keys(definition.States).sort()).toEqual(
      ['Act', 'Answer', 'Answered', 'CountFailure', 'GiveUp', 'Poll', 'RetryStep', 'Route', 'TooManyFailures', 'Unanswerable', 'WaitAfterFailure', 'WaitToAct', 'WaitToPoll'].sort(),
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
