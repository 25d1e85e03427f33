/**
 * The Lambda entry points. `onEvent` is the ServiceToken function CloudFormation invokes; `onStep` is the
 * function the wait loop's Task states invoke. Both are built once per container; nothing here runs at
 * import time but the logger.
 *
 * Environment: STATE_MACHINE_ARN (onEvent), ATLAS_BASE_URL (optional: overrides the secrets' BaseUrl),
 * ATLAS_RETRY_BUDGET_MS (optional, default 5000: how long one step may sleep between Atlas retries before
 * handing the wait to the state machine), ATLAS_PROFILE_BINDINGS (optional: which stacks may use which
 * credentials, see `model/profile-bindings.ts`).
 *
 * Both functions learn their own account and region from the invocation's function ARN and serve only
 * stacks there; answers go only to CloudFormation's response buckets (see `cloudformation/entry.ts`).
 */
import { resolveAtlasBaseUrl } from './model/base-url';
import { type CloudFormationRequest, isCloudFormationRequest, requestLogKeys } from './cloudformation/request';
import type { AtlasAccess } from './runtime/atlas-access';
import type { AwsCloudFormationReader } from './runtime/cloudformation';
import type { StepFunctionsStarter } from './runtime/step-functions';
import { createLogger } from './logging';
import { ConfigurationError } from './model/errors';
import { parseProfileBindings, PROFILE_BINDINGS_ENV, type ProfileBindings } from './model/profile-bindings';
import { STEP_ATLAS_RETRY_BUDGET_MS } from './model/timing';
import { type InvocationContext, isStepInvocation, ProviderRuntime } from './runtime/provider-runtime';

const logger = createLogger();
let runtime: ProviderRuntime | undefined;

// The adapters are loaded when first used, so that each function loads only its own: the ServiceToken
// function never the Atlas client, undici or Secrets Manager; the step function never Step Functions.
let atlas: Promise<AtlasAccess> | undefined;
function atlasAccess(baseUrl: string | undefined): Promise<AtlasAccess> {
  atlas ??= Promise.all([import('./runtime/atlas-access'), import('./credentials/credentials-store')]).then(
    ([{ AtlasAccess }, { CredentialsStore }]) =>
      new AtlasAccess({
        credentials: new CredentialsStore({ logger }),
        logger,
        ...(baseUrl ? { baseUrl } : {}),
        client: { retry: { budgetMs: Number(process.env.ATLAS_RETRY_BUDGET_MS ?? STEP_ATLAS_RETRY_BUDGET_MS) } },
      }),
  );
  return atlas;
}

let sfn: Promise<StepFunctionsStarter> | undefined;
function stepFunctions(): Promise<StepFunctionsStarter> {
  const stateMachineArn = process.env.STATE_MACHINE_ARN ?? '';
  if (!stateMachineArn) return Promise.reject(new ConfigurationError('STATE_MACHINE_ARN is not set on the ServiceToken function'));
  sfn ??= import('./runtime/step-functions').then(({ StepFunctionsStarter }) => new StepFunctionsStarter(stateMachineArn));
  return sfn;
}

// Both functions ask CloudFormation: before anything acts, before every act and after answering.
let cfn: Promise<AwsCloudFormationReader> | undefined;
function cloudFormation(): Promise<AwsCloudFormationReader> {
  cfn ??= import('./runtime/cloudformation').then(({ AwsCloudFormationReader }) => new AwsCloudFormationReader());
  return cfn;
}

function build(): ProviderRuntime {
  // A wrong setting fails every request with a FAILED answer that names it, not three retries of each step.
  const problems: string[] = [];
  let baseUrl: string | undefined;
  try {
    baseUrl = process.env.ATLAS_BASE_URL ? resolveAtlasBaseUrl({ baseUrl: process.env.ATLAS_BASE_URL }) : undefined;
  } catch {
    problems.push("ATLAS_BASE_URL is not an https origin (see the provider's atlasBaseUrl).");
  }
  let bindings: ProfileBindings | undefined;
  try {
    bindings = parseProfileBindings(process.env[PROFILE_BINDINGS_ENV]);
  } catch (err) {
    problems.push((err as Error).message);
  }
  return new ProviderRuntime({
    now: Date.now,
    logger,
    ...(bindings ? { bindings } : {}),
    ...(problems.length ? { configurationProblem: problems.join(' ') } : {}),
    atlasFor: async (source) => (await atlasAccess(baseUrl)).forCredentials(source),
    deliver: async (url, body) => (await import('./cloudformation/responder')).deliverAnswer(url, body, { logger }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    cloudFormation: { describe: async (stackId, logicalResourceId) => (await cloudFormation()).describe(stackId, logicalResourceId) },
    starter: {
      start: async (name, input) => (await stepFunctions()).start(name, input),
    },
  });
}

export async function onEvent(event: unknown, context?: InvocationContext): Promise<unknown> {
  runtime ??= build();
  const r = runtime;
  return withRequestKeys(isCloudFormationRequest(event) ? event : undefined, () => r.onEvent(event, contextOf(context)));
}

/** The ServiceToken function's failure destination: answers FAILED for an event Lambda gave up on. */
export async function onEventFailed(record: unknown, context?: InvocationContext): Promise<unknown> {
  runtime ??= build();
  return runtime.onEventFailed(record, contextOf(context));
}

export async function onStep(event: unknown, context?: InvocationContext): Promise<unknown> {
  runtime ??= build();
  const r = runtime;
  return withRequestKeys(isStepInvocation(event) && isCloudFormationRequest(event.state.request) ? event.state.request : undefined, () =>
    r.onStep(event, contextOf(context)),
  );
}

function contextOf(context: InvocationContext | undefined): InvocationContext {
  return typeof context?.invokedFunctionArn === 'string' ? { invokedFunctionArn: context.invokedFunctionArn } : {};
}

/** Every log line of one invocation carries the request's keys, the Atlas client's included. */
async function withRequestKeys<T>(request: CloudFormationRequest | undefined, run: () => Promise<T>): Promise<T> {
  const keys = request ? requestLogKeys(request) : {};
  logger.appendKeys(keys);
  try {
    return await run();
  } finally {
    logger.removeKeys(Object.keys(keys));
  }
}
