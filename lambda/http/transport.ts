/**
 * One HTTP exchange over a shared undici Agent (keep-alive, bounded connect, header and body
 * timeouts): the project's one HTTP client, used for Atlas, its token endpoint and CloudFormation's
 * ResponseURL. Every exchange ends within `totalMs` and reads at most `maxBodyBytes` of the answer: undici's
 * body timeout is between chunks, so a server trickling bytes, or sending a huge body, would otherwise hold
 * a step until Lambda kills it. It knows nothing of retries or authentication; it tells whether a failed
 * exchange may have reached the server, which decides whether a non-idempotent call can be safely repeated.
 */
import { Agent, type Dispatcher, request } from 'undici';
import { ProviderError } from '../model/errors';
import {
  HTTP_BODY_TIMEOUT_MS,
  HTTP_CONNECT_TIMEOUT_MS,
  HTTP_HEADERS_TIMEOUT_MS,
  HTTP_KEEP_ALIVE_MS,
  HTTP_TOTAL_TIMEOUT_MS,
} from '../model/timing';

export interface TransportTimeouts {
  connectMs: number;
  headersMs: number;
  /** Longest silence while the body arrives. */
  bodyMs: number;
  keepAliveMs: number;
  /** The whole exchange, from connecting to the body's last byte. */
  totalMs: number;
}

/** One attempt takes at most 35 s: well inside a wait-loop step's 90 s. */
export const DEFAULT_TIMEOUTS: TransportTimeouts = {
  connectMs: HTTP_CONNECT_TIMEOUT_MS,
  headersMs: HTTP_HEADERS_TIMEOUT_MS,
  bodyMs: HTTP_BODY_TIMEOUT_MS,
  keepAliveMs: HTTP_KEEP_ALIVE_MS,
  totalMs: HTTP_TOTAL_TIMEOUT_MS,
};

/** Atlas's largest answer this provider reads (a list of a project's endpoint services) is a few KB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface Exchange {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ExchangeResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** The exchange failed without an HTTP answer. */
export class TransportError extends ProviderError {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    readonly code: string,
    /** False only when the request certainly never reached the server (refused, unresolvable, connect timeout). */
    readonly maybeProcessed: boolean,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'TOTAL_TIMEOUT']);

export class Transport {
  private readonly dispatcher: Dispatcher;
  private readonly timeouts: TransportTimeouts;
  private readonly maxBodyBytes: number;

  constructor(options: { timeouts?: Partial<TransportTimeouts>; dispatcher?: Dispatcher; maxBodyBytes?: number } = {}) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connect: { timeout: this.timeouts.connectMs },
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
        keepAliveTimeout: this.timeouts.keepAliveMs,
      });
  }

  async send(exchange: Exchange): Promise<ExchangeResult> {
    const deadline = AbortSignal.timeout(this.timeouts.totalMs);
    try {
      const res = await request(exchange.url, {
        dispatcher: this.dispatcher,
        method: exchange.method,
        headers: exchange.headers,
        body: exchange.body,
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
        signal: deadline,
      });
      const text = await readBounded(res.body, res.headers['content-length'], this.maxBodyBytes);
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      if (deadline.aborted && !(err instanceof TransportError)) {
        throw new TransportError(`no complete answer within ${this.timeouts.totalMs} ms`, 'TOTAL_TIMEOUT', true, true);
      }
      throw toTransportError(err);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** The body as text, or a TransportError once it passes `maxBytes` (the rest is not read). */
async function readBounded(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
  maxBytes: number,
): Promise<string> {
  const tooLarge = (n: number | string) => {
    body.destroy();
    return new TransportError(`answer body larger than ${maxBytes} bytes (${n})`, 'BODY_TOO_LARGE', true, false);
  };
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(`${declared} declared`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) throw tooLarge(`${size}+ received`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toTransportError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = String(e.code ?? e.cause?.code ?? 'UNKNOWN');
  // undici's messages ("other side closed", "connect ECONNREFUSED 127.0.0.1:1") carry no headers or bodies.
  const message = typeof e.message === 'string' ? e.message : String(err);
  return new TransportError(message, code, !NEVER_SENT.has(code), TIMEOUTS.has(code), { cause: err });
}
