/**
 * Asks AWS CloudFormation what it holds for a request's stack and logical id (`DescribeStackResource`,
 * `DescribeStacks`): the AWS side of the `CloudFormationReader` port.
 */
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFormationReader, StackResourceDetail, StackResourceView } from '../cloudformation/stack-view';
import { ProviderError } from '../model/errors';

/** The CloudFormation client calls the adapter makes. */
export type CloudFormationApi = Pick<CloudFormationClient, 'send'>;

/**
 * How hard one look tries through throttling. The ServiceToken function has 30 s and asks more than once, so a
 * look stops retrying after a few seconds: an error then, and nothing acts without a verdict.
 */
export interface CloudFormationRetry {
  /** Calls per describe call, the first included. */
  attempts: number;
  /** No retry starts this long after the first call did. */
  budgetMs: number;
  /** The first backoff; each next one doubles, each drawn at random up to its bound (full jitter). */
  baseDelayMs: number;
  /** No backoff is longer. */
  maxDelayMs: number;
}

export const CLOUDFORMATION_RETRY: CloudFormationRetry = { attempts: 5, budgetMs: 4000, baseDelayMs: 100, maxDelayMs: 1000 };

/** CloudFormation could not be asked (an error other than "does not exist", or throttling beyond the retries). */
export class CloudFormationLookError extends ProviderError {
  override readonly name = 'CloudFormationLookError';
}

// The codes AWS services use for "slow down"; CloudFormation's own is `Throttling` (HTTP 400).
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

export interface AwsCloudFormationReaderOptions {
  client?: CloudFormationApi;
  retry?: CloudFormationRetry;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export class AwsCloudFormationReader implements CloudFormationReader {
  private readonly client: CloudFormationApi;
  private readonly retry: CloudFormationRetry;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: AwsCloudFormationReaderOptions = {}) {
    // The retries are this adapter's own (throttling, 5xx, a dropped connection), so the SDK makes one attempt
    // each: two stacked retry policies would multiply. Timeouts keep a hung call from eating the function's time.
    this.client =
      options.client ?? new CloudFormationClient({ maxAttempts: 1, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } });
    this.retry = options.retry ?? CLOUDFORMATION_RETRY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  async describe(stackId: string, logicalResourceId: string): Promise<StackResourceView> {
    const [stackStatus, resource] = await Promise.all([
      this.look('DescribeStacks', async () => {
        const out = await this.client.send(new DescribeStacksCommand({ StackName: stackId }));
        return out.Stacks?.[0]?.StackStatus;
      }),
      this.look('DescribeStackResource', async () => {
        const out = await this.client.send(new DescribeStackResourceCommand({ StackName: stackId, LogicalResourceId: logicalResourceId }));
        return detailOf(out.StackResourceDetail);
      }),
    ]);
    return { ...(stackStatus ? { stackStatus } : {}), ...(resource ? { resource } : {}) };
  }

  /** One call, retried through throttling and transient faults; "does not exist" is an answer (undefined), not an error. */
  private async look<T>(operation: string, call: () => Promise<T | undefined>): Promise<T | undefined> {
    const started = this.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (isNotFound(err)) return undefined;
        const bound = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        if (!isTransient(err) || attempt >= this.retry.attempts || this.now() - started + bound > this.retry.budgetMs) {
          const e = err as { name?: string; message?: string };
          throw new CloudFormationLookError(
            `CloudFormation ${operation} failed${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`,
            { cause: err },
          );
        }
        await this.sleep(Math.round(this.random() * bound));
      }
    }
  }
}

function detailOf(
  d:
    | {
        ResourceType?: string;
        ResourceStatus?: string;
        ResourceStatusReason?: string;
        PhysicalResourceId?: string;
        LastUpdatedTimestamp?: Date;
      }
    | undefined,
): StackResourceDetail | undefined {
  if (!d?.ResourceType || !d.ResourceStatus) return undefined;
  return {
    resourceType: d.ResourceType,
    status: d.ResourceStatus,
    ...(d.ResourceStatusReason ? { statusReason: d.ResourceStatusReason } : {}),
    ...(d.PhysicalResourceId ? { physicalResourceId: d.PhysicalResourceId } : {}),
    lastUpdated: d.LastUpdatedTimestamp ? new Date(d.LastUpdatedTimestamp).getTime() : 0,
  };
}

/**
 * CloudFormation answers a stack or logical id it does not know with a `ValidationError`: "Stack with id … does
 * not exist", "Resource … does not exist for stack …". Any other `ValidationError` (a malformed name) is an error.
 */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/i.test(e.message ?? '');
}

function isTransient(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (THROTTLING.has(e?.name ?? '')) return true;
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  // No HTTP status: the call never got an answer (a reset connection, a timeout).
  return (
    ['TimeoutError', 'RequestTimeout', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(e?.name ?? '') ||
    /ECONNRESET|ETIMEDOUT|socket hang up/.test(String((err as Error)?.message))
  );
}
