/**
 * Bounded reads: a server (Atlas, its token endpoint, or something posing as them) that sends a huge body
 * or trickles one byte at a time cannot hold a step past the exchange's deadline or fill its memory.
 * Real HTTP over loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AtlasClient } from '../../lambda/atlas/client';
import { AtlasApiError } from '../../lambda/atlas/errors';
import { Transport, TransportError } from '../../lambda/http/transport';

let server: Server;
let base = '';
const timers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/huge-declared')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      res.write('[');
      return; // never finishes: the client must not wait for it
    }
    if (path.startsWith('/huge-chunked') || path.startsWith('/api/oauth/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 8 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    if (path.startsWith('/trickle')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 50);
      timers.push(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  timers.forEach(clearInterval);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('Transport', () => {
  it('reads an ordinary answer', async () => {
    const t = new Transport();
    await expect(t.send({ method: 'GET', url: `${base}/ok`, headers: {} })).resolves.toMatchObject({ status: 200, text: '{"ok":true}' });
    await t.close();
  });

  it.each(['/huge-declared', '/huge-chunked'])('stops reading a body past its cap (%s)', async (path) => {
    const t = new Transport({ maxBodyBytes: 256 * 1024 });
    const err = (await t.send({ method: 'GET', url: base + path, headers: {} }).catch((e: unknown) => e)) as TransportError;
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('BODY_TOO_LARGE');
    await t.close();
  });

  it('ends an exchange whose body trickles in, at its overall deadline, though no single silence is long', async () => {
    const t = new Transport({ timeouts: { bodyMs: 1_000, totalMs: 600 } });
    const err = (await t.send({ method: 'GET', url: `${base}/trickle`, headers: {} }).catch((e: unknown) => e)) as TransportError;
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'TOTAL_TIMEOUT', timedOut: true, maybeProcessed: true });
    await t.close();
  });
});

describe('the token endpoint through the Atlas client', () => {
  it('fails the call with an Atlas error, not an unbounded read, when the token answer is huge', async () => {
    const client = new AtlasClient({
      credentials: { kind: 'service-account', clientId: 'mdb_sa_id_x', clientSecret: 'mdb_sa_sk_y' },
      baseUrl: base,
      retry: { maxAttempts: 1 },
    });
    const err = (await client.listEndpointServices('5f1e0a1b2c3d4e5f6a7b8c9d', 'AWS').catch((e: unknown) => e)) as AtlasApiError;
    expect(err).toBeInstanceOf(AtlasApiError);
    expect(err.message).toMatch(/BODY_TOO_LARGE/);
    expect(err.message).not.toContain('aaaaaaaa');
    await client.close();
  });
});
