/**
 * Atlas clients per credentials secret, kept for the life of the Lambda container so that connections
 * and tokens are reused across invocations.
 */
import { createHash } from 'node:crypto';
import { AtlasClient, type AtlasClientOptions } from '../atlas/client';
import type { CredentialsProvider } from '../credentials/credentials-provider';
import type { AtlasApi } from '../lifecycle/core/ports';
import type { LoggerLike } from '../logging';
import { credentialsSecretId, type CredentialsSource } from '../model/credentials-secret';

export type { AtlasApi } from '../lifecycle/core/ports';

export interface AtlasAccessOptions {
  credentials: CredentialsProvider;
  logger?: LoggerLike;
  /** Overrides every secret's BaseUrl (the local runner's emulator). */
  baseUrl?: string;
  /** Client settings (retry budget, clock) for every client made. */
  client?: Omit<AtlasClientOptions, 'credentials' | 'baseUrl' | 'logger'>;
}

export class AtlasAccess {
  private readonly clients = new Map<string, { client: AtlasClient; fingerprint: string }>();

  constructor(private readonly options: AtlasAccessOptions) {}

  /** The client for the credentials a resource names (throws CredentialsError when they cannot be read). */
  async forCredentials(source: CredentialsSource): Promise<AtlasApi> {
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
