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
import type { AtlasAccess } from './runtime/atlas-access';
import { createLogger } from './logging';
import { ConfigurationError } from './model/errors';
import { STEP_ATLAS_RETRY_BUDGET_MS } from './model/timing';
import { isStepInvocation, ProviderRuntime } from './runtime/provider-runtime';

const logger = createLogger();
let runtime: ProviderRuntime | undefined;

// The adapters are loaded when first used, so that each function loads only its own: the ServiceToken
// function never the Atlas client, undici or Secrets Manager; the step function never Step Functions.
let atlas: Promise<AtlasAccess> | undefined;
function atlasAccess(): Promise<AtlasAccess> {
  atlas ??= Promise.all([import('./runtime/atlas-access'), import('./credentials/credentials-store')]).then(
    ([{ AtlasAccess }, { CredentialsStore }]) =>
      new AtlasAccess({
        credentials: new CredentialsStore({ logger }),
        logger,
        ...(process.env.ATLAS_BASE_URL ? { baseUrl: process.env.ATLAS_BASE_URL } : {}),
        client: { retry: { budgetMs: Number(process.env.ATLAS_RETRY_BUDGET_MS ?? STEP_ATLAS_RETRY_BUDGET_MS) } },
      }),
  );
  return atlas;
}

function build(): ProviderRuntime {
  const stateMachineArn = process.env.STATE_MACHINE_ARN ?? '';
  return new ProviderRuntime({
    now: Date.now,
    logger,
    atlasFor: async (source) => (await atlasAccess()).forCredentials(source),
    deliver: async (url, body) => (await import('./cloudformation/responder')).deliverAnswer(url, body, { logger }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    starter: {
      start: async (name, input) => {
        if (!stateMachineArn) throw new ConfigurationError('STATE_MACHINE_ARN is not set on the ServiceToken function');
        const { StepFunctionsStarter } = await import('./runtime/step-functions');
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
