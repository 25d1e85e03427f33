/**
 * Atlas clients per credentials secret, kept for the life of the Lambda container so that connections
 * and tokens are reused across invocations.
 */
import { createHash } from 'node:crypto';
import { AtlasClient, type AtlasClientOptions } from '../atlas/client';
import { AtlasApiError } from '../atlas/errors';
import type { CredentialsStore } from '../credentials/credentials-store';
import type { AtlasApi } from '../lifecycle/core/ports';
import type { LoggerLike } from '../logging';
import { credentialsSecretId, type CredentialsSource } from '../model/credentials-secret';

export type { AtlasApi } from '../lifecycle/core/ports';

export interface AtlasAccessOptions {
  credentials: CredentialsStore;
  logger?: LoggerLike;
  /** Overrides every secret's BaseUrl (the local runner's emulator). */
  baseUrl?: string;
  /** Client settings (retry budget, clock) for every client made. */
  client?: Omit<AtlasClientOptions, 'credentials' | 'baseUrl' | 'logger'>;
}

export class AtlasAccess {
  private readonly clients = new Map<string, { client: AtlasClient; fingerprint: string }>();

  constructor(private readonly options: AtlasAccessOptions) {}

  /**
   * The Atlas operations with the credentials a resource names (throws CredentialsError when they cannot be
   * read). A call Atlas refuses with 401 or 403 re-reads the secret once: after a rotation a warm container
   * still holds the old key, and the new one is a read away. Same secret, same refusal: it stands.
   */
  async forCredentials(source: CredentialsSource): Promise<AtlasApi> {
    const first = await this.clientFor(source);
    return new Proxy(first, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (err) {
            if (!(err instanceof AtlasApiError) || !err.isUnauthorized) throw err;
            this.options.credentials.forget(source);
            const fresh = await this.clientFor(source);
            if (fresh === first) throw err;
            this.options.logger?.warn('Atlas refused the cached credentials; read the secret again and retrying once with the new ones', {
              status: err.status,
            });
            return (Reflect.get(fresh, prop) as (...a: unknown[]) => Promise<unknown>).apply(fresh, args);
          }
        };
      },
    });
  }

  private async clientFor(source: CredentialsSource): Promise<AtlasClient> {
    const secretId = credentialsSecretId(source);
    const resolved = await this.options.credentials.get(source);
    const baseUrl = this.options.baseUrl ?? resolved.baseUrl;
    // A rotated secret gets a new client; the fingerprint compares without keeping another copy of the secret in a key.
    const c = resolved.credentials;
    const fingerprint = `${baseUrl ?? ''}|${c.kind === 'api-key' ? c.publicKey : c.clientId}|${hashOf(c.kind === 'api-key' ? c.privateKey : c.clientSecret)}`;
    const cached = this.clients.get(secretId);
    if (cached && cached.fingerprint === fingerprint) return cached.client;
    if (cached) void cached.client.close();
    const client = new AtlasClient({ ...this.options.client, credentials: c, baseUrl, logger: this.options.logger });
    this.clients.set(secretId, { client, fingerprint });
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.client.close()));
    this.clients.clear();
  }
}

function hashOf(s: string): string {
  // Only to notice a rotation without keeping the secret as part of a key.
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}
