/**
 * Delivers the answer: a PUT of the rendered body to the pre-signed `ResponseURL`, with an empty
 * `Content-Type` (the URL is signed for none), retried on network errors and 5xx. The URL is a credential:
 * neither it nor its query string appears in a log line or an error.
 */
import type { LoggerLike } from '../logging';
import { silentLogger } from '../logging';
import { ProviderError } from '../model/errors';
import { Transport, TransportError } from '../http/transport';
import { ANSWER_PUT_ATTEMPTS, ANSWER_PUT_BACKOFF_BASE_MS, ANSWER_PUT_BACKOFF_MAX_MS } from '../model/timing';

export class AnswerDeliveryError extends ProviderError {
  override readonly name = 'AnswerDeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ResponderOptions {
  transport?: Transport;
  /** Attempts within one call (default 3); the state machine retries the whole step beyond that. */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
  logger?: LoggerLike;
}

export async function deliverAnswer(responseUrl: string, body: string, options: ResponderOptions = {}): Promise<{ attempts: number }> {
  const transport = options.transport ?? sharedTransport();
  const max = options.attempts ?? ANSWER_PUT_ATTEMPTS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const logger = options.logger ?? silentLogger;
  let last = '';
  let lastError: TransportError | undefined;
  for (let attempt = 1; attempt <= max; attempt++) {
    try {
      const res = await transport.send({ method: 'PUT', url: responseUrl, headers: { 'content-type': '' }, body });
      if (res.status >= 200 && res.status < 300) {
        logger.info('Answer delivered to CloudFormation', { attempts: attempt, bytes: Buffer.byteLength(body) });
        return { attempts: attempt };
      }
      last = `HTTP ${res.status}`;
      // 4xx other than throttling will not change: an expired URL (about 2 hours) or a broken signature.
      if (res.status < 500 && res.status !== 429) {
        throw new AnswerDeliveryError(`CloudFormation's response URL refused the answer (${last}); it may have expired.`, false, attempt);
      }
    } catch (err) {
      if (err instanceof AnswerDeliveryError) throw err;
      if (!(err instanceof TransportError)) throw err;
      last = err.code;
      lastError = err;
    }
    logger.warn('Answer delivery failed; retrying', { attempt, failure: last });
    if (attempt < max) await sleep(Math.min(ANSWER_PUT_BACKOFF_MAX_MS, ANSWER_PUT_BACKOFF_BASE_MS * 2 ** attempt));
  }
  throw new AnswerDeliveryError(
    `Could not deliver the answer to CloudFormation after ${max} attempts (${last}).`,
    true,
    max,
    lastError ? { cause: lastError } : undefined,
  );
}

let transport: Transport | undefined;
function sharedTransport(): Transport {
  transport ??= new Transport();
  return transport;
}
