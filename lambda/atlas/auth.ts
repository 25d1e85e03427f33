/**
 * The two ways Atlas accepts a caller: a programmatic API key (HTTP Digest) or a service account (OAuth 2.0
 * bearer token). Both fit one shape so the HTTP layer has one code path: ask for an `Authorization` value,
 * and after a 401 ask whether a fresh one is worth another try.
 */
import { DigestSession, parseDigestChallenge } from './digest';
import type { ServiceAccountTokens } from './oauth';

export interface UnauthorizedResponse {
  headers: Record<string, string | string[] | undefined>;
}

export interface Authenticator {
  readonly kind: 'api-key' | 'service-account';
  /** The `Authorization` header for this request, or undefined when it must first be challenged. */
  authorize(method: string, uri: string): Promise<string | undefined>;
  /**
   * After a 401: true when a new `authorize` may succeed (a first challenge, a stale nonce, an expired
   * token). `sent` is what the failed request carried; `recoveries` counts earlier recoveries of this request.
   */
  recover(response: UnauthorizedResponse, sent: string | undefined, recoveries: number): Promise<boolean>;
}

export class DigestAuthenticator implements Authenticator {
  readonly kind = 'api-key';
  private readonly session: DigestSession;

  constructor(publicKey: string, privateKey: string, newCnonce?: () => string) {
    this.session = new DigestSession(publicKey, privateKey, newCnonce);
  }

  async authorize(method: string, uri: string): Promise<string | undefined> {
    return this.session.authorization(method, uri);
  }

  async recover(response: UnauthorizedResponse, sent: string | undefined, recoveries: number): Promise<boolean> {
    const challenge = parseDigestChallenge(response.headers['www-authenticate']);
    if (!challenge) return false;
    // Unanswered challenge, or a nonce that merely expired: answering again is expected.
    // Anything else means the key itself was refused; one more try covers a server that forgot its nonces.
    const worthIt = sent === undefined || challenge.stale || recoveries === 0;
    if (worthIt) this.session.accept(challenge);
    return worthIt && recoveries < 2;
  }
}

export class ServiceAccountAuthenticator implements Authenticator {
  readonly kind = 'service-account';

  constructor(private readonly tokens: ServiceAccountTokens) {}

  async authorize(): Promise<string> {
    return `Bearer ${await this.tokens.token()}`;
  }

  async recover(_response: UnauthorizedResponse, sent: string | undefined, recoveries: number): Promise<boolean> {
    // A token Atlas no longer honours (revoked, expired early): renew once. A second 401 is a real refusal.
    if (sent?.startsWith('Bearer ')) this.tokens.invalidate(sent.slice('Bearer '.length));
    return recoveries === 0;
  }
}
