/**
 * OAuth 2.0 client credentials, as Atlas offers them to service accounts: `POST /api/oauth/token` with
 * HTTP Basic client authentication answers an opaque Bearer token valid for a lifetime on the emulator
 * clock. Error bodies follow RFC 6749 §5.2, not the Atlas error shape.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';

export interface TokenEndpointResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export class TokenIssuer {
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeSeconds: number,
  ) {}

  /** Answers a token request; `secretOf` gives a client's secret, or undefined when there is no such client. */
  handle(
    authorization: string | undefined,
    contentType: string | undefined,
    body: string,
    secretOf: (clientId: string) => string | undefined,
  ): TokenEndpointResponse & { clientId?: string } {
    const client = parseBasic(authorization).find((c) => {
      const secret = secretOf(c.user);
      return secret !== undefined && secret === c.password;
    });
    if (!client) {
      // RFC 6749 §5.2: a client that tried Basic gets 401 and a Basic challenge.
      return oauthError(401, 'invalid_client', { 'WWW-Authenticate': 'Basic realm="oauth"' });
    }
    if (mediaType(contentType) !== 'application/x-www-form-urlencoded') return oauthError(400, 'invalid_request');
    const grantType = new URLSearchParams(body).get('grant_type');
    if (grantType === null) return oauthError(400, 'invalid_request');
    if (grantType !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');

    this.pruneExpired();
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { clientId: client.user, expiresAt: this.clock.now() + this.lifetimeSeconds * 1000 });
    return {
      status: 200,
      clientId: client.user,
      body: { access_token: token, token_type: 'Bearer', expires_in: this.lifetimeSeconds },
      headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    };
  }

  /** The client a live token was issued to, or undefined for an unknown or expired token. */
  verify(token: string): string | undefined {
    const record = this.tokens.get(token);
    if (!record) return undefined;
    if (this.clock.now() >= record.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return record.clientId;
  }

  reset(): void {
    this.tokens.clear();
  }

  private pruneExpired(): void {
    const now = this.clock.now();
    for (const [token, record] of this.tokens) if (now >= record.expiresAt) this.tokens.delete(token);
  }
}

function oauthError(status: number, error: string, headers: Record<string, string> = {}): TokenEndpointResponse {
  return { status, body: { error }, headers: { 'Cache-Control': 'no-store', ...headers } };
}

/**
 * The readings of a Basic credential: RFC 6749 §2.3.1 wants each part form-urlencoded before base64,
 * but most clients (curl -u among them) send them raw, so both readings are offered.
 */
export function parseBasic(authorization: string | undefined): { user: string; password: string }[] {
  const m = /^\s*Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '');
  if (!m) return [];
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return [];
  const raw = { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  const form = { user: formDecode(raw.user), password: formDecode(raw.password) };
  return form.user === raw.user && form.password === raw.password ? [raw] : [raw, form];
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
