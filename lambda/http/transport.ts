/**
 * One HTTP exchange over a shared undici Agent (keep-alive, bounded connect, header and body
 * timeouts): the project's one HTTP client, used for Atlas and for CloudFormation's ResponseURL. It knows
 * nothing of retries or authentication; it tells whether a failed exchange may have
 * reached the server, which decides whether a non-idempotent call can be safely repeated.
 */
import { Agent, type Dispatcher, request } from 'undici';
import { HTTP_BODY_TIMEOUT_MS, HTTP_CONNECT_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS, HTTP_KEEP_ALIVE_MS } from '../model/timing';

export interface TransportTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
  keepAliveMs: number;
}

/** One attempt takes at most about 35 s: well inside a wait-loop step's 90 s. */
export const DEFAULT_TIMEOUTS: TransportTimeouts = {
  connectMs: HTTP_CONNECT_TIMEOUT_MS,
  headersMs: HTTP_HEADERS_TIMEOUT_MS,
  bodyMs: HTTP_BODY_TIMEOUT_MS,
  keepAliveMs: HTTP_KEEP_ALIVE_MS,
};

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
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    readonly code: string,
    /** False only when the request certainly never reached the server (refused, unresolvable, connect timeout). */
    readonly maybeProcessed: boolean,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export class Transport {
  private readonly dispatcher: Dispatcher;
  private readonly timeouts: TransportTimeouts;

  constructor(options: { timeouts?: Partial<TransportTimeouts>; dispatcher?: Dispatcher } = {}) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
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
    try {
      const res = await request(exchange.url, {
        dispatcher: this.dispatcher,
        method: exchange.method,
        headers: exchange.headers,
        body: exchange.body,
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      throw toTransportError(err);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

function toTransportError(err: unknown): TransportError {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = String(e.code ?? e.cause?.code ?? 'UNKNOWN');
  // undici's messages ("other side closed", "connect ECONNREFUSED 127.0.0.1:1") carry no headers or bodies.
  const message = typeof e.message === 'string' ? e.message : String(err);
  return new TransportError(message, code, !NEVER_SENT.has(code), TIMEOUTS.has(code));
}
