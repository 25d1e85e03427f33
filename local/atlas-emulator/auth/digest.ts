/**
 * HTTP Digest verification, server side, as Atlas does it for programmatic API keys (RFC 7616 with the
 * RFC 2617 MD5 algorithm): realm "MMS Public API", qop "auth" required, nonces that go stale after a
 * lifetime on the emulator clock and whose `nc` values may not be replayed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock';

export const DIGEST_REALM = 'MMS Public API';

export type DigestFailure = 'malformed' | 'unsupported' | 'uri-mismatch' | 'unknown-user' | 'bad-response' | 'stale-nonce' | 'replayed-nc';

export type DigestResult = { ok: true; username: string } | { ok: false; failure: DigestFailure; challenge: string };

interface NonceRecord {
  issuedAt: number;
  /** nc values seen with this nonce. */
  seen: Set<number>;
}

export class DigestVerifier {
  private readonly nonces = new Map<string, NonceRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeSeconds: number,
  ) {}

  /** A `WWW-Authenticate` value with a fresh nonce. */
  challenge(stale = false): string {
    this.pruneExpired();
    // Recorded live: standard base64 (with `+` and `/`), which a client must quote and echo as it is.
    const nonce = randomBytes(24).toString('base64');
    this.nonces.set(nonce, { issuedAt: this.clock.now(), seen: new Set() });
    return `Digest realm="${DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`;
  }

  /**
   * Checks an `Authorization: Digest …` value for a request. `requestUri` is the request target exactly
   * as it arrived; `passwordOf` gives the private key of a public key, or undefined when there is none.
   */
  verify(authorization: string, method: string, requestUri: string, passwordOf: (username: string) => string | undefined): DigestResult {
    const fail = (failure: DigestFailure, stale = false): DigestResult => ({ ok: false, failure, challenge: this.challenge(stale) });

    const m = /^\s*Digest\s+(.*)$/is.exec(authorization);
    if (!m) return fail('malformed');
    const p = parseAuthParams(m[1]);
    const { username, realm, nonce, uri, response, qop, nc, cnonce } = p;
    if (!username || !realm || !nonce || !uri || !response || !nc || !cnonce) return fail('malformed');
    if (realm !== DIGEST_REALM) return fail('malformed');
    // Atlas offers only MD5 with qop=auth; a client that answers otherwise has not followed the challenge.
    if ((p.algorithm ?? 'MD5').toUpperCase() !== 'MD5' || qop !== 'auth') return fail('unsupported');
    if (!/^[0-9a-fA-F]{8}$/.test(nc) || !/^[0-9a-fA-F]{32}$/.test(response)) return fail('malformed');
    if (!sameRequestTarget(uri, requestUri)) return fail('uri-mismatch');

    const password = passwordOf(username);
    if (password === undefined) return fail('unknown-user');
    const ha1 = md5(`${username}:${realm}:${password}`);
    const ha2 = md5(`${method}:${uri}`);
    const expected = md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(response.toLowerCase()))) return fail('bad-response');

    // The credentials are right; only now does the nonce decide. RFC 7616 §3.3: stale=true only when
    // the digest is valid for a nonce the server no longer accepts, so the client retries without
    // asking for credentials again. A nonce this server never issued (or forgot on reset) is treated
    // the same way.
    const record = this.nonces.get(nonce);
    if (!record || this.isExpired(record)) {
      this.nonces.delete(nonce);
      return fail('stale-nonce', true);
    }
    // Replays are refused by remembering every nc per nonce rather than requiring each to exceed the
    // last: a client sending requests in parallel over several connections may have them arrive out
    // of order, which RFC 7616 permits; what it forbids is the same nc twice.
    const count = parseInt(nc, 16);
    if (record.seen.has(count)) return fail('replayed-nc');
    record.seen.add(count);
    return { ok: true, username };
  }

  reset(): void {
    this.nonces.clear();
  }

  private isExpired(record: NonceRecord): boolean {
    return this.clock.now() - record.issuedAt >= this.lifetimeSeconds * 1000;
  }

  private pruneExpired(): void {
    for (const [nonce, record] of this.nonces) if (this.isExpired(record)) this.nonces.delete(nonce);
  }
}

function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** The `uri` directive names the request target; some clients send the absolute form. */
function sameRequestTarget(directive: string, requestUri: string): boolean {
  if (directive === requestUri) return true;
  if (/^https?:\/\//i.test(directive)) {
    try {
      const u = new URL(directive);
      return u.pathname + u.search === requestUri;
    } catch {
      return false;
    }
  }
  return false;
}

/** `key=value` and `key="quoted \"value\""` pairs separated by commas. */
export function parseAuthParams(input: string): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < input.length && (m = re.exec(input)) !== null) {
    const key = m[1].toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    if (!(key in out)) out[key] = value;
  }
  return out;
}
