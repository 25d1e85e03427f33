/**
 * A deliberately small, independent Atlas client for the emulator's tests: HTTP Digest (RFC 7616, MD5,
 * qop=auth) and Bearer over undici, written from the RFC rather than taken from lambda/atlas, so the
 * emulator is not tested only by the client it exists to test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';

export const ATLAS_JSON = 'application/vnd.atlas.2023-01-01+json';

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface RequestOptions {
  body?: unknown;
  /** Default ATLAS_JSON; `null` sends none. */
  accept?: string | null;
  /** Default ATLAS_JSON when there is a body. */
  contentType?: string;
  authorization?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function send(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.accept !== null) headers.accept = options.accept ?? ATLAS_JSON;
  if (options.authorization) headers.authorization = options.authorization;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? ATLAS_JSON;
  }
  const r = await request(`${baseUrl}${path}`, {
    method: method as 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await r.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.statusCode, headers: r.headers, text, json };
}

export interface Challenge {
  realm: string;
  nonce: string;
  algorithm?: string;
  qop?: string;
  stale?: string;
  domain?: string;
}

export function parseChallenge(header: string | string[] | undefined): Challenge {
  const value = Array.isArray(header) ? header.join(', ') : (header ?? '');
  if (!/^Digest\s/i.test(value)) throw new Error(`not a Digest challenge: ${value}`);
  const params: Record<string, string> = {};
  for (const m of value.slice(7).matchAll(/([A-Za-z]+)=(?:"([^"]*)"|([^,\s]*))/g)) params[m[1].toLowerCase()] = m[2] ?? m[3];
  return params as unknown as Challenge;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The Authorization value answering `challenge` for one request. */
export function digestAuthorization(c: {
  username: string;
  password: string;
  challenge: Challenge;
  method: string;
  uri: string;
  nc: number;
  cnonce?: string;
}): string {
  const nc = c.nc.toString(16).padStart(8, '0');
  const cnonce = c.cnonce ?? randomBytes(8).toString('hex');
  const ha1 = md5(`${c.username}:${c.challenge.realm}:${c.password}`);
  const ha2 = md5(`${c.method}:${c.uri}`);
  const response = md5(`${ha1}:${c.challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${c.username}", realm="${c.challenge.realm}", nonce="${c.challenge.nonce}", uri="${c.uri}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`;
}

/** Answers challenges as a well-behaved client does: reuses its nonce, counts nc, retries once on 401. */
export class DigestClient {
  private challenge: Challenge | undefined;
  private nc = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  async call(method: string, path: string, options: Omit<RequestOptions, 'authorization'> = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const authorization = this.challenge
        ? digestAuthorization({
            username: this.username,
            password: this.password,
            challenge: this.challenge,
            method,
            uri: path,
            nc: ++this.nc,
          })
        : undefined;
      const r = await send(this.baseUrl, method, path, { ...options, ...(authorization ? { authorization } : {}) });
      if (r.status !== 401 || attempt > 0 || !r.headers['www-authenticate']) return r;
      this.challenge = parseChallenge(r.headers['www-authenticate']);
      this.nc = 0;
    }
  }

  get = (path: string, options?: Omit<RequestOptions, 'authorization' | 'body'>) => this.call('GET', path, options);
  post = (path: string, body: unknown, options?: Omit<RequestOptions, 'authorization' | 'body'>) =>
    this.call('POST', path, { ...options, body });
  patch = (path: string, body: unknown, options?: Omit<RequestOptions, 'authorization' | 'body'>) =>
    this.call('PATCH', path, { ...options, body });
  delete = (path: string, options?: Omit<RequestOptions, 'authorization' | 'body'>) => this.call('DELETE', path, options);
}

export async function fetchToken(baseUrl: string, clientId: string, clientSecret: string): Promise<Response> {
  return send(baseUrl, 'POST', '/api/oauth/token', {
    accept: 'application/json',
    authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    body: 'grant_type=client_credentials',
    contentType: 'application/x-www-form-urlencoded',
  });
}

/** Paths of the operations under test. */
export function paths(groupId: string) {
  const base = `/api/atlas/v2/groups/${groupId}/privateEndpoint`;
  return {
    create: `${base}/endpointService`,
    update: (id: string) => `${base}/endpointService/${id}`,
    list: (provider: string) => `${base}/${provider}/endpointService`,
    service: (provider: string, id: string) => `${base}/${provider}/endpointService/${id}`,
    endpoints: (provider: string, id: string) => `${base}/${provider}/endpointService/${id}/endpoint`,
    endpoint: (provider: string, id: string, endpointId: string) =>
      `${base}/${provider}/endpointService/${id}/endpoint/${encodeURIComponent(endpointId)}`,
  };
}

export const vpceId = () => `vpce-${randomBytes(9).toString('hex').slice(0, 17)}`;
