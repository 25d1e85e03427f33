/**
 * The wait loop's definition as CloudFormation would receive it: synthesized from the CDK provider stack,
 * with its `Fn::Join`/`Fn::GetAtt` references to the step function replaced by a local ARN.
 */
import { App } from 'aws-cdk-lib';
import { AtlasPrivateEndpointProviderStack } from '../../lib';

export interface SynthesizedProvider {
  template: Record<string, unknown> & { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  definition: { StartAt: string; States: Record<string, Record<string, unknown>> };
  /** Logical id of the ServiceToken function. */
  onEventLogicalId: string;
  /** The step function's timeout (its Lambda `Timeout`), in seconds. */
  stepTimeoutSeconds: number;
  /** How often Lambda retries a failed asynchronous invocation of the ServiceToken function (default 2). */
  asyncRetryAttempts: number;
  /** The exported handler name (e.g. `onEvent`) of the function the ServiceToken function's failed events go to, if any. */
  failureDestinationHandler?: string;
}

const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'us-east-1';

let synthesized: SynthesizedProvider | undefined;

/** Synthesizes once per process: the template does not change while the process runs. */
export function synthesizeProvider(): SynthesizedProvider {
  synthesized ??= synthesize();
  return synthesized;
}

function synthesize(): SynthesizedProvider {
  const app = new App();
  const stack = new AtlasPrivateEndpointProviderStack(app, 'AtlasPrivateEndpointProvider', {
    env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
  });
  const template = app.synth().getStackByName(stack.stackName).template as SynthesizedProvider['template'];
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in the provider template, found ${machines.length}`);
  const definition = JSON.parse(resolve(machines[0].Properties.DefinitionString)) as SynthesizedProvider['definition'];
  const onEvent = Object.entries(template.Resources).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Handler ?? '').endsWith('onEvent'),
  );
  if (!onEvent) throw new Error('no onEvent function in the provider template');
  const onStep = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Handler ?? '').endsWith('onStep'),
  );
  // Lambda's asynchronous invoke settings for the ServiceToken function: retries and where failed events go.
  const invokeConfig = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && JSON.stringify(r.Properties.FunctionName ?? '').includes(onEvent[0]),
  );
  const retries = invokeConfig?.Properties.MaximumRetryAttempts;
  const destination = (invokeConfig?.Properties.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
    ?.Destination;
  const destinationId = destinationLogicalId(destination);
  const destinationHandler = destinationId ? String(template.Resources[destinationId]?.Properties.Handler ?? '') : '';
  return {
    template,
    definition,
    onEventLogicalId: onEvent[0],
    stepTimeoutSeconds: Number(onStep?.Properties.Timeout ?? 90),
    asyncRetryAttempts: typeof retries === 'number' ? retries : 2,
    ...(destinationHandler ? { failureDestinationHandler: destinationHandler.slice(destinationHandler.lastIndexOf('.') + 1) } : {}),
  };
}

/** The logical id of a function a destination names (`Fn::GetAtt` of its Arn, or a `Ref`). */
function destinationLogicalId(destination: unknown): string | undefined {
  const d = destination as { 'Fn::GetAtt'?: [string, string]; Ref?: string } | undefined;
  return d?.['Fn::GetAtt']?.[0] ?? d?.Ref;
}

/** Resolves the intrinsic functions a definition string uses, pointing functions at local ARNs. */
function resolve(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(sep);
  }
  if (Array.isArray(v['Fn::GetAtt'])) {
    const [logicalId] = v['Fn::GetAtt'] as [string, string];
    return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
  }
  if (typeof v.Ref === 'string') {
    const ref = v.Ref as string;
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return LOCAL_REGION;
    if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
    return ref;
  }
  throw new Error(`cannot resolve ${JSON.stringify(value).slice(0, 200)} in the state machine definition`);
}
