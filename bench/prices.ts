/**
 * Public list prices the cost figures use (US East (N. Virginia), free tiers ignored), as published on
 * the AWS pricing pages named beside each, read in November 2026.
 */

/** https://aws.amazon.com/step-functions/pricing/ — Standard workflows, $0.025 per 1,000 state transitions (retries count). */
export const STEP_FUNCTIONS_PER_TRANSITION = 0.025 / 1000;

/** https://aws.amazon.com/lambda/pricing/ — $0.20 per 1M requests. */
export const LAMBDA_PER_REQUEST = 0.2 / 1_000_000;
/** https://aws.amazon.com/lambda/pricing/ — duration, first tier: Arm $0.0000133334, x86 $0.0000166667 per GB-second. */
export const LAMBDA_PER_GB_SECOND = { arm64: 0.0000133334, x86_64: 0.0000166667 } as const;

/**
 * https://aws.amazon.com/cloudformation/pricing/ — resource types outside AWS::*, Alexa::* and Custom::*
 * (MongoDB::Atlas::*): $0.0009 per handler operation, and $0.00008 per second of an operation beyond its first 30 s.
 * Custom::* resources (this project, the CDK provider framework) carry no CloudFormation charge.
 */
export const CLOUDFORMATION_PER_HANDLER_OPERATION = 0.0009;
export const CLOUDFORMATION_PER_SECOND_OVER_30 = 0.00008;

/**
 * Lambda bills the time a handler runs. On virtual time there is no real network, so every invocation is
 * billed an assumed 100 ms of its own plus 150 ms per Atlas call it makes (a round trip from AWS to Atlas),
 * plus any time it sleeps inside; the same assumption for every schedule.
 */
export const BILLED_MS_PER_INVOCATION = 100;
export const BILLED_MS_PER_ATLAS_CALL = 150;

export interface LambdaShape {
  memoryMb: number;
  architecture: keyof typeof LAMBDA_PER_GB_SECOND;
}

/** This project's step and ServiceToken functions (lib/provider.ts): 256 MB, arm64. */
export const PROVIDER_LAMBDA: LambdaShape = { memoryMb: 256, architecture: 'arm64' };
/** The CDK provider framework's functions and a user's handler behind them: Lambda's default 128 MB, x86_64. */
export const CDK_FRAMEWORK_LAMBDA: LambdaShape = { memoryMb: 128, architecture: 'x86_64' };

export function lambdaCost(invocations: number, billedMs: number, shape: LambdaShape): number {
  return invocations * LAMBDA_PER_REQUEST + (billedMs / 1000) * (shape.memoryMb / 1024) * LAMBDA_PER_GB_SECOND[shape.architecture];
}

export function stepFunctionsCost(transitions: number): number {
  return transitions * STEP_FUNCTIONS_PER_TRANSITION;
}

/** One CloudFormation registry handler operation lasting `seconds` end to end. */
export function cloudFormationHandlerCost(seconds: number): number {
  return CLOUDFORMATION_PER_HANDLER_OPERATION + Math.max(0, seconds - 30) * CLOUDFORMATION_PER_SECOND_OVER_30;
}

/** The prices as a table for RESULTS.md. */
export const PRICE_TABLE: { item: string; price: string; source: string }[] = [
  { item: 'Step Functions Standard state transition', price: '$0.025 per 1,000', source: 'https://aws.amazon.com/step-functions/pricing/' },
  { item: 'Lambda request', price: '$0.20 per 1M', source: 'https://aws.amazon.com/lambda/pricing/' },
  { item: 'Lambda duration, Arm', price: '$0.0000133334 per GB-s', source: 'https://aws.amazon.com/lambda/pricing/' },
  { item: 'Lambda duration, x86', price: '$0.0000166667 per GB-s', source: 'https://aws.amazon.com/lambda/pricing/' },
  {
    item: 'CloudFormation third-party handler operation',
    price: '$0.0009 each + $0.00008 per s beyond 30 s',
    source: 'https://aws.amazon.com/cloudformation/pricing/',
  },
];
