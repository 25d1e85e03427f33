/**
 * The Lambda entry points. `onEvent` is the ServiceToken function CloudFormation invokes; `onStep` is the
 * function the wait loop's Task states invoke. Both are built once per container; nothing here runs at
 * import time but the logger.
 *
 * Environment: STATE_MACHINE_ARN (onEvent), ATLAS_BASE_URL (optional: overrides the secrets' BaseUrl),
 * ATLAS_RETRY_BUDGET_MS (optional, default 5000: how long one step may sleep between Atlas retries before
 * handing the wait to the state machine).
 */
import { type CloudFormationRequest, isCloudFormationRequest, requestLogKeys } from './cloudformation/request';
import { deliverAnswer } from './cloudformation/responder';
import { CredentialsProvider } from './credentials/credentials-provider';
import { createLogger } from './logging';
import { ConfigurationError } from './model/errors';
import { STEP_ATLAS_RETRY_BUDGET_MS } from './model/timing';
import { AtlasAccess } from './runtime/atlas-access';
import { isStepInvocation, ProviderRuntime } from './runtime/provider-runtime';
import { StepFunctionsStarter } from './runtime/step-functions';

const logger = createLogger();
let runtime: ProviderRuntime | undefined;

function build(): ProviderRuntime {
  const atlas = new AtlasAccess({
    credentials: new CredentialsProvider({ logger }),
    logger,
    ...(process.env.ATLAS_BASE_URL ? { baseUrl: process.env.ATLAS_BASE_URL } : {}),
    client: { retry: { budgetMs: Number(process.env.ATLAS_RETRY_BUDGET_MS ?? STEP_ATLAS_RETRY_BUDGET_MS) } },
  });
  const stateMachineArn = process.env.STATE_MACHINE_ARN ?? '';
  return new ProviderRuntime({
    now: Date.now,
    logger,
    atlasFor: (source) => atlas.forCredentials(source),
    deliver: (url, body) => deliverAnswer(url, body, { logger }),
    starter: {
      start: (name, input) => {
        if (!stateMachineArn) throw new ConfigurationError('STATE_MACHINE_ARN is not set on the ServiceToken function');
        return new StepFunctionsStarter(stateMachineArn).start(name, input);
      },
    },
  });
}

export async function onEvent(event: unknown): Promise<unknown> {
  runtime ??= build();
  const r = runtime;
  return withRequestKeys(isCloudFormationRequest(event) ? event : undefined, () => r.onEvent(event));
}

/** The ServiceToken function's failure destination: answers FAILED for an event Lambda gave up on. */
export async function onEventFailed(record: unknown): Promise<unknown> {
  runtime ??= build();
  return runtime.onEventFailed(record);
}

export async function onStep(event: unknown): Promise<unknown> {
  runtime ??= build();
  const r = runtime;
  return withRequestKeys(isStepInvocation(event) ? event.state.request : undefined, () => r.onStep(event));
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
