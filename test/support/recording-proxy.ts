/**
 * A pass-through HTTP proxy for tests: the client talks to it, it forwards to the emulator and records
 * each exchange (method, path, request body, status, response body and headers), so that tests can hold
 * what really crossed the wire to the contract.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedExchange {
  method: string;
  path: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: string;
  status?: number;
  responseHeaders?: IncomingHttpHeaders;
  responseBody?: string;
  /** The upstream closed without an answer. */
  dropped?: boolean;
}

export class RecordingProxy {
  readonly exchanges: RecordedExchange[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    const target = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rec: RecordedExchange = {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          requestHeaders: req.headers,
          requestBody: Buffer.concat(chunks).toString('utf8'),
        };
        this.exchanges.push(rec);
        const up = httpRequest(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (upRes) => {
            const out: Buffer[] = [];
            upRes.on('data', (c: Buffer) => out.push(c));
            upRes.on('end', () => {
              rec.status = upRes.statusCode;
              rec.responseHeaders = upRes.headers;
              rec.responseBody = Buffer.concat(out).toString('utf8');
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              res.end(rec.responseBody);
            });
          },
        );
        up.on('error', () => {
          rec.dropped = true;
          req.socket.destroy();
        });
        up.end(rec.requestBody);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  clear(): void {
    this.exchanges.length = 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
