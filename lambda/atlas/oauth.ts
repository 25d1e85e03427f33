/**
 * Access tokens for an Atlas service account (OAuth 2.0 client credentials). Atlas tokens cannot be
 * refreshed, so a new one is requested shortly before the cached one expires, and once more when Atlas
 * refuses a token it issued.
 */
import { TOKEN_RENEW_BEFORE_MS } from '../model/timing';

export interface TokenGrant {
  accessToken: string;
  /** Lifetime in seconds, as the token endpoint said. */
  expiresIn: number;
}

export interface ServiceAccountTokensOptions {
  /** Asks the token endpoint for a new token. */
  requestToken: () => Promise<TokenGrant>;
  now?: () => number;
  /** Renew when less than this much lifetime is left (default: 60 s or a tenth of the lifetime, the larger, but
   * at most half of it). */
  renewBeforeMs?: number;
}

export class ServiceAccountTokens {
  private current: { token: string; expiresAt: number; renewAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ServiceAccountTokensOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A token valid for a while yet; concurrent callers share one token request. */
  async token(): Promise<string> {
    if (this.current && this.now() < this.current.renewAt) return this.current.token;
    this.inFlight ??= this.renew().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forget a token Atlas refused, unless it has been replaced already. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async renew(): Promise<string> {
    const issuedAt = this.now();
    const grant = await this.options.requestToken();
    const lifetimeMs = Math.max(0, grant.expiresIn) * 1000;
    const margin = this.options.renewBeforeMs ?? Math.min(Math.max(TOKEN_RENEW_BEFORE_MS, lifetimeMs / 10), lifetimeMs / 2);
    this.current = {
      token: grant.accessToken,
      expiresAt: issuedAt + lifetimeMs,
      renewAt: issuedAt + Math.max(0, lifetimeMs - margin),
    };
    return grant.accessToken;
  }
}
