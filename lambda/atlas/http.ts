/**
 * One Atlas call: authentication round trips, retries within a sleep budget, and the mapping of every
 * outcome to a parsed body or an `AtlasApiError`. Nothing here logs a header value or a request body.
 */
import type { LoggerLike } from '../logging';
import { silentLogger } from '../logging';
import type { Authenticator } from './auth';
import { DigestAuthError } from './digest';
import { AtlasApiError, type AtlasOperation } from './errors';
import { ATLAS_MEDIA_TYPE } from './models';
import { DEFAULT_RETRY_POLICY, isCertainlyUnprocessed, isRetryableStatus, nextDelayMs, parseRetryAfter, type RetryPolicy } from './retry';
import { type Exchange, type ExchangeResult, Transport, TransportError } from '../http/transport';

export interface AtlasHttpOptions {
  baseUrl: string;
  transport?: Transport;
  retry?: Partial<RetryPolicy>;
  logger?: LoggerLike;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  userAgent?: string;
}

export interface AtlasCall {
  operation: AtlasOperation;
  method: Exchange['method'];
  /** Path and query, starting with `/`. */
  path: string;
  /** JSON body (sent with the Atlas media type) or a form body. */
  json?: unknown;
  form?: string;
  /** `Authorization` source: the API authenticator, or a fixed value (the token endpoint's Basic). */
  auth: Authenticator | { fixed: string };
  /** Default: the versioned Atlas media type. */
  accept?: string;
  /** For error messages. */
  projectId?: string;
}

export interface AtlasAnswer<T> {
  status: number;
  body: T;
  attempts: number;
}

interface Failure {
  status?: number;
  body?: unknown;
  errorCode?: string;
  detail?: string;
  retryable: boolean;
  retryAfterSeconds?: number;
  /** The failed attempt may have been carried out by Atlas. */
  maybeProcessed: boolean;
  cause?: unknown;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AtlasHttp {
  readonly baseUrl: string;
  private readonly transport: Transport;
  private readonly policy: RetryPolicy;
  private readonly logger: LoggerLike;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly userAgent: string;

  constructor(options: AtlasHttpOptions) {
    this.baseUrl = options.baseUrl;
    this.transport = options.transport ?? new Transport();
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.userAgent = options.userAgent ?? 'atlas-private-endpoint-cfn';
  }

  async call<T>(call: AtlasCall): Promise<AtlasAnswer<T>> {
    let attempts = 0;
    let sleptMs = 0;
    const startedAt = this.now();
    let earlierAttemptMaybeProcessed = false;
    for (;;) {
      attempts += 1;
      let failure: Failure;
      try {
        const res = await this.authenticated(call);
        if (res.status >= 200 && res.status < 300) {
          return { status: res.status, body: parseBody(res.text) as T, attempts };
        }
        failure = classify(res, this.now());
      } catch (err) {
        if (err instanceof TransportError) {
          failure = {
            errorCode: err.timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
            detail: `${err.code}: ${err.message}`,
            retryable: true,
            maybeProcessed: err.maybeProcessed,
            cause: err,
          };
        } else if (err instanceof DigestAuthError) {
          failure = { status: 401, errorCode: 'DIGEST_UNSUPPORTED', detail: err.message, retryable: false, maybeProcessed: false };
        } else if (err instanceof SyntaxError) {
          failure = {
            errorCode: 'INVALID_RESPONSE',
            detail: 'Atlas answered 2xx with a body that is not JSON',
            retryable: true,
            maybeProcessed: true,
          };
        } else {
          throw err;
        }
      }

      const error = (retryAfterSeconds?: number) => {
        const common = {
          retryable: failure.retryable,
          retryAfterSeconds,
          attempts,
          earlierAttemptMaybeProcessed,
          maybeProcessed: earlierAttemptMaybeProcessed || failure.maybeProcessed,
          projectId: call.projectId,
        };
        return failure.status !== undefined
          ? AtlasApiError.fromResponse(
              call.operation,
              failure.status,
              failure.body ?? { errorCode: failure.errorCode, detail: failure.detail },
              common,
            )
          : new AtlasApiError({
              ...common,
              operation: call.operation,
              errorCode: failure.errorCode ?? 'NETWORK_ERROR',
              detail: failure.detail,
              cause: failure.cause,
            });
      };

      if (!failure.retryable) throw error();
      const delayMs = nextDelayMs(attempts, failure.retryAfterSeconds, this.policy);
      const retryAfterSeconds = Math.max(1, Math.ceil(delayMs / 1000));
      if (
        attempts >= this.policy.maxAttempts ||
        sleptMs + delayMs > this.policy.budgetMs ||
        this.now() - startedAt + delayMs > this.policy.maxCallMs
      ) {
        this.logger.warn('Atlas call not retried within budget', {
          operation: call.operation,
          status: failure.status,
          errorCode: failure.errorCode,
          attempts,
          retryAfterSeconds,
        });
        throw error(retryAfterSeconds);
      }
      // From here on, a 409 or 404 may be the echo of this attempt rather than someone else's doing.
      earlierAttemptMaybeProcessed ||= failure.maybeProcessed;
      this.logger.info('Atlas call will be retried', {
        operation: call.operation,
        status: failure.status,
        errorCode: failure.errorCode,
        attempt: attempts,
        delayMs,
      });
      await this.sleep(delayMs);
      sleptMs += delayMs;
    }
  }

  /** One attempt, with the authentication round trips it needs (a first digest challenge, a stale nonce). */
  private async authenticated(call: AtlasCall): Promise<ExchangeResult> {
    const url = this.baseUrl + call.path;
    const headers: Record<string, string> = {
      accept: call.accept ?? ATLAS_MEDIA_TYPE,
      'user-agent': this.userAgent,
    };
    let body: string | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = ATLAS_MEDIA_TYPE;
      body = JSON.stringify(call.json);
    } else if (call.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = call.form;
    }
    for (let recoveries = 0; ; recoveries++) {
      const authorization = 'fixed' in call.auth ? call.auth.fixed : await call.auth.authorize(call.method, call.path);
      const res = await this.transport.send({
        method: call.method,
        url,
        headers: authorization ? { ...headers, authorization } : headers,
        body,
      });
      if (res.status !== 401 || 'fixed' in call.auth) return res;
      if (!(await call.auth.recover(res, authorization, recoveries))) return res;
      this.logger.debug('Atlas asked to authenticate again', { operation: call.operation, kind: call.auth.kind });
    }
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}

function parseBody(text: string): unknown {
  return text.trim() === '' ? undefined : JSON.parse(text);
}

function classify(res: ExchangeResult, nowMs: number): Failure {
  let body: unknown;
  try {
    body = parseBody(res.text);
  } catch {
    body = { detail: `non-JSON answer (${res.text.length} bytes)` };
  }
  const retryable = isRetryableStatus(res.status);
  return {
    status: res.status,
    body: body ?? {},
    retryable,
    retryAfterSeconds: retryable ? parseRetryAfter(res.headers['retry-after'], nowMs) : undefined,
    maybeProcessed: retryable && !isCertainlyUnprocessed(res.status, body),
  };
}
