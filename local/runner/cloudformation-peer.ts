/**
 * Stands in for the pre-signed S3 URLs CloudFormation hands out: one local HTTP endpoint per request
 * that takes the provider's PUT and keeps every body it receives, so the runner (and tests) can check
 * that each request got exactly one answer, within 4096 bytes, sent the way S3 expects.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Answer } from '../../lambda/cloudformation/answer';

export interface ReceivedAnswer {
  body: string;
  bytes: number;
  contentType: string | undefined;
  answer: Answer;
  /** Epoch ms on the runner's clock when it arrived. */
  at: number;
}

export class CloudFormationPeer {
  private server?: Server;
  private baseUrl = '';
  private readonly received = new Map<string, ReceivedAnswer[]>();
  private readonly waiters = new Map<string, (a: ReceivedAnswer) => void>();
  private seq = 0;
  /** Fault injection: drop (close without answering) the next N PUTs. */
  dropNext = 0;
  /** Fault injection: answer the next N PUTs with S3's 503 SlowDown (nothing is kept). */
  failNext = 0;
  /** Fault injection: refuse every PUT (403, as S3 does once a pre-signed URL has expired). */
  refuseAll = false;
  /** Called with each answer kept, as it arrives (the runner's CloudFormation takes it, if still waiting). */
  onAnswer?: (responseUrlPath: string, received: ReceivedAnswer) => void;

  /** `now` is the runner's clock (epoch ms): it stamps answers and signs URLs. */
  constructor(private readonly now: () => number = Date.now) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const key = (req.url ?? '').split('?')[0];
        if (req.method !== 'PUT' || !this.received.has(key)) {
          res.statusCode = 403;
          res.end('<Error><Code>AccessDenied</Code></Error>');
          return;
        }
        if (this.dropNext > 0) {
          this.dropNext--;
          req.socket.destroy();
          return;
        }
        if (this.refuseAll) {
          res.statusCode = 403;
          res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          res.statusCode = 503;
          res.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const got: ReceivedAnswer = {
          body,
          bytes: Buffer.byteLength(body),
          contentType: req.headers['content-type'],
          answer: JSON.parse(body) as Answer,
          at: this.now(),
        };
        this.received.get(key)!.push(got);
        this.onAnswer?.(key, got);
        res.statusCode = 200;
        res.end();
        this.waiters.get(key)?.(got);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * A new response URL, shaped like CloudFormation's SigV4 pre-signed S3 URL: signed now (`X-Amz-Date`, on
   * the runner's clock), valid two hours, and a signature (a secret to keep out of logs).
   */
  newResponseUrl(): string {
    const key = `/cloudformation-responses/${++this.seq}`;
    this.received.set(key, []);
    const signature = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
    const date = new Date(this.now())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    return (
      `${this.baseUrl}${key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${date}&X-Amz-SignedHeaders=host&X-Amz-Expires=7200` +
      `&X-Amz-Credential=AKIAEXAMPLE%2F${date.slice(0, 8)}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${signature}`
    );
  }

  answersFor(responseUrl: string): ReceivedAnswer[] {
    return this.received.get(new URL(responseUrl).pathname) ?? [];
  }

  /** The first answer to a URL, waiting for it up to `timeoutMs` of real time. */
  async waitForAnswer(responseUrl: string, timeoutMs: number): Promise<ReceivedAnswer | undefined> {
    const key = new URL(responseUrl).pathname;
    const now = this.received.get(key)?.[0];
    if (now) return now;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(key, (a) => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(a);
      });
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
