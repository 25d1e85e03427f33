/**
 * HTTP Digest access authentication, client side (RFC 7616), as Atlas programmatic API keys use it:
 * realm "MMS Public API", algorithm MD5, qop "auth", short-lived nonces re-issued with `stale=true`.
 *
 * Written here rather than taken from a library because the maintained digest clients are tied to other
 * HTTP stacks (fetch or axios wrappers) and this project has exactly one, undici. It is tested against
 * independent implementations: curl's client and the `http-auth` server.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** Upper-cased: MD5, MD5-SESS, SHA-256, SHA-256-SESS, SHA-512-256, SHA-512-256-SESS. */
  algorithm: string;
  /** The qop options the server offered; only `auth` is used. */
  qop: string[];
  stale: boolean;
  /** RFC 7616 `userhash`: the server wants the username hashed. */
  userhash: boolean;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** The parameters of one `Digest` challenge in a `WWW-Authenticate` header (which may hold several schemes). */
export function parseDigestChallenge(header: string | string[] | undefined): DigestChallenge | undefined {
  for (const value of Array.isArray(header) ? header : header ? [header] : []) {
    const start = value.search(/(^|,|\s)Digest\s/i);
    if (start < 0) continue;
    const params = parseAuthParams(value.slice(value.toLowerCase().indexOf('digest', start) + 'digest'.length));
    if (!params.realm || !params.nonce) continue;
    const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
    return {
      realm: params.realm,
      nonce: params.nonce,
      opaque: params.opaque,
      algorithm,
      qop: (params.qop ?? '')
        .split(',')
        .map((q) => q.trim().toLowerCase())
        .filter(Boolean),
      stale: (params.stale ?? '').toLowerCase() === 'true',
      userhash: (params.userhash ?? '').toLowerCase() === 'true',
    };
  }
  return undefined;
}

/**
 * auth-params after the scheme name, up to the next scheme. Values are tokens or quoted strings with
 * backslash escapes; a bare token followed by whitespace and another token starts a new challenge.
 */
function parseAuthParams(input: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*,?\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,]*)\s*/y;
  let m: RegExpExecArray | null;
  while ((m = re.exec(input)) !== null) {
    const key = m[1].toLowerCase();
    const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2];
    if (!(key in out)) out[key] = value;
    if (re.lastIndex >= input.length) break;
  }
  return out;
}

export class DigestAuthError extends Error {
  override readonly name = 'DigestAuthError';
}

/**
 * Answers challenges for one username/password. Keeps the last nonce so that later requests authenticate
 * on the first try, counting `nc` per nonce as RFC 7616 requires.
 */
export class DigestSession {
  private challenge: DigestChallenge | undefined;
  private nonceCount = 0;

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly newCnonce: () => string = () => randomBytes(16).toString('hex'),
  ) {}

  get hasChallenge(): boolean {
    return this.challenge !== undefined;
  }

  /** Takes a (new) challenge; throws when it asks for something this client cannot do. */
  accept(challenge: DigestChallenge): void {
    const base = challenge.algorithm.replace(/-SESS$/, '');
    if (!HASHES[base]) throw new DigestAuthError(`Unsupported digest algorithm ${challenge.algorithm}`);
    if (challenge.qop.length > 0 && !challenge.qop.includes('auth')) {
      throw new DigestAuthError(`Unsupported digest qop ${challenge.qop.join(',')} (only "auth" is implemented)`);
    }
    this.challenge = challenge;
    this.nonceCount = 0;
  }

  forget(): void {
    this.challenge = undefined;
    this.nonceCount = 0;
  }

  /** The `Authorization` header value for one request, or undefined before any challenge. */
  authorization(method: string, uri: string): string | undefined {
    const c = this.challenge;
    if (!c) return undefined;
    const base = c.algorithm.replace(/-SESS$/, '');
    const sess = c.algorithm.endsWith('-SESS');
    const h = (s: string) => createHash(HASHES[base]).update(s, 'utf8').digest('hex');
    const useQop = c.qop.includes('auth');
    const cnonce = this.newCnonce();
    this.nonceCount += 1;
    const nc = this.nonceCount.toString(16).padStart(8, '0');

    let ha1 = h(`${this.username}:${c.realm}:${this.password}`);
    if (sess) ha1 = h(`${ha1}:${c.nonce}:${cnonce}`);
    const ha2 = h(`${method.toUpperCase()}:${uri}`);
    const response = useQop ? h(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`) : h(`${ha1}:${c.nonce}:${ha2}`);
    const username = c.userhash ? h(`${this.username}:${c.realm}`) : this.username;

    const parts = [
      `username=${quote(username)}`,
      `realm=${quote(c.realm)}`,
      `nonce=${quote(c.nonce)}`,
      `uri=${quote(uri)}`,
      `algorithm=${c.algorithm === 'MD5-SESS' ? 'MD5-sess' : c.algorithm}`,
      `response=${quote(response)}`,
    ];
    if (useQop) parts.push('qop=auth', `nc=${nc}`, `cnonce=${quote(cnonce)}`);
    if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
    if (c.userhash) parts.push('userhash=true');
    return `Digest ${parts.join(', ')}`;
  }
}

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}
