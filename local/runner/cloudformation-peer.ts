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
}

export class CloudFormationPeer {
  private server?: Server;
  private baseUrl = '';
  private readonly received = new Map<string, ReceivedAnswer[]>();
  private readonly waiters = new Map<string, (a: ReceivedAnswer) => void>();
  private seq = 0;
  /** Fault injection: drop (close without answering) the next N PUTs. */
  dropNext = 0;

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
        const body = Buffer.concat(chunks).toString('utf8');
        const got: ReceivedAnswer = {
          body,
          bytes: Buffer.byteLength(body),
          contentType: req.headers['content-type'],
          answer: JSON.parse(body) as Answer,
        };
        this.received.get(key)!.push(got);
        res.statusCode = 200;
        res.end();
        this.waiters.get(key)?.(got);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A new response URL; its query string mimics a pre-signed URL's signature (a secret to keep out of logs). */
  newResponseUrl(): string {
    const key = `/cloudformation-responses/${++this.seq}`;
    this.received.set(key, []);
    const signature = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
    return `${this.baseUrl}${key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${signature}`;
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
