/**
 * Server side of Atlas's two authentication schemes.
 * - HTTP Digest for programmatic API keys: realm "MMS Public API", MD5, qop "auth", nonces that expire
 *   (a correct answer with an expired or unknown nonce gets a new challenge with `stale=true`) and nonce
 *   counts that must grow (a replayed `nc` is refused).
 * - OAuth 2.0 client credentials for service accounts: `POST /api/oauth/token` with Basic credentials,
 *   bearer tokens that expire.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Clock } from './clock';
import { EmulatedError } from './errors';

export const REALM = 'MMS Public API';

export type Role = 'PROJECT_OWNER' | 'PROJECT_READ_ONLY';

export interface CredentialSettings {
  role?: Role;
  /** The organization's Admin API access list refuses the caller's address. */
  ipAccessListBlocks?: boolean;
}

export interface ApiKey extends CredentialSettings {
  publicKey: string;
  privateKey: string;
}

export interface ServiceAccount extends CredentialSettings {
  clientId: string;
  clientSecret: string;
}

export interface Caller extends CredentialSettings {
  kind: 'digest' | 'bearer';
  id: string;
}

export type AuthOutcome = { ok: true; caller: Caller } | { ok: false; error: EmulatedError };

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export class Authenticator {
  private readonly nonces = new Map<string, { issuedAt: number; nc: number }>();
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly apiKeys: ApiKey[],
    private readonly serviceAccounts: ServiceAccount[],
    private readonly nonceLifetimeSeconds: number,
    private readonly tokenLifetimeSeconds: number,
  ) {}

  reset(): void {
    this.nonces.clear();
    this.tokens.clear();
  }

  authenticate(req: IncomingMessage): AuthOutcome {
    const header = req.headers.authorization ?? '';
    if (/^Bearer\s/i.test(header)) return this.bearer(header.replace(/^Bearer\s+/i, '').trim());
    if (/^Digest\s/i.test(header)) return this.digest(req, parseParams(header.replace(/^Digest\s+/i, '')));
    return this.refuse(false);
  }

  private bearer(token: string): AuthOutcome {
    const t = this.tokens.get(token);
    if (!t || this.clock.now() >= t.expiresAt) {
      if (t) this.tokens.delete(token);
      return { ok: false, error: new EmulatedError(401, 'NOT_IN_GROUP', 'You are not authorized for this resource.', []) };
    }
    const sa = this.serviceAccounts.find((s) => s.clientId === t.clientId);
    if (!sa) return this.refuse(false);
    return { ok: true, caller: { kind: 'bearer', id: sa.clientId, role: sa.role, ipAccessListBlocks: sa.ipAccessListBlocks } };
  }

  private digest(req: IncomingMessage, p: Record<string, string>): AuthOutcome {
    const key = this.apiKeys.find((k) => k.publicKey === p.username);
    if (!key || p.realm !== REALM || !p.nonce || !p.response || p.uri !== req.url) return this.refuse(false);
    if ((p.algorithm ?? 'MD5').toUpperCase() !== 'MD5' || p.qop !== 'auth' || !p.nc || !p.cnonce) return this.refuse(false);
    const ha1 = md5(`${key.publicKey}:${REALM}:${key.privateKey}`);
    const ha2 = md5(`${req.method}:${p.uri}`);
    const expected = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    if (expected !== p.response) return this.refuse(false);
    const nonce = this.nonces.get(p.nonce);
    // The key is right; only the nonce is not (expired, or from before a restart): ask again, stale.
    if (!nonce || this.clock.now() - nonce.issuedAt > this.nonceLifetimeSeconds * 1000) {
      this.nonces.delete(p.nonce);
      return this.refuse(true);
    }
    const nc = Number.parseInt(p.nc, 16);
    if (!(nc > nonce.nc)) return this.refuse(false); // a replay
    nonce.nc = nc;
    return { ok: true, caller: { kind: 'digest', id: key.publicKey, role: key.role, ipAccessListBlocks: key.ipAccessListBlocks } };
  }

  private refuse(stale: boolean): AuthOutcome {
    const nonce = randomBytes(24).toString('base64url');
    this.nonces.set(nonce, { issuedAt: this.clock.now(), nc: 0 });
    return {
      ok: false,
      error: new EmulatedError(401, 'NOT_IN_GROUP', 'You are not authorized for this resource.', [], {
        'www-authenticate': `Digest realm="${REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`,
      }),
    };
  }

  /** `POST /api/oauth/token`. Returns the status and JSON body to send. */
  issueToken(req: IncomingMessage, body: string): { status: number; body: Record<string, unknown> } {
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const sa = colon > 0 ? this.serviceAccounts.find((s) => s.clientId === decoded.slice(0, colon) && s.clientSecret === decoded.slice(colon + 1)) : undefined;
    if (!sa) return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded.' } };
    }
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported.' } };
    }
    const token = `eyJ${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, { clientId: sa.clientId, expiresAt: this.clock.now() + this.tokenLifetimeSeconds * 1000 });
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds } };
  }
}

function parseParams(input: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(input)) !== null) out[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  return out;
}
