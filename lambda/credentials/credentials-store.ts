/**
 * Atlas credentials from AWS Secrets Manager, cached for the life of the Lambda container with a bounded
 * age so that a rotated secret is picked up without a redeploy.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LoggerLike } from '../logging';
import { silentLogger } from '../logging';
import { type CredentialsSource, credentialsSecretId } from '../model/credentials-secret';
import { CREDENTIALS_MAX_AGE_MS } from '../model/timing';
import { CredentialsError, EXPECTED_SECRET_SHAPES, parseCredentialsSecret, type ResolvedCredentials } from './secret-format';

/** The one Secrets Manager call this code makes. */
export interface SecretReader {
  getSecretString(secretId: string): Promise<string | undefined>;
}

export class SecretsManagerReader implements SecretReader {
  constructor(private readonly client: SecretsManagerClient = new SecretsManagerClient({})) {}

  async getSecretString(secretId: string): Promise<string | undefined> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return out.SecretString;
  }
}

export interface CredentialsStoreOptions {
  reader?: SecretReader;
  /** How long a read secret is reused (default 5 minutes). */
  maxAgeMs?: number;
  now?: () => number;
  logger?: LoggerLike;
}

export class CredentialsStore {
  private readonly cache = new Map<string, { value: ResolvedCredentials; readAt: number }>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly logger: LoggerLike;
  private reader: SecretReader | undefined;

  constructor(options: CredentialsStoreOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? CREDENTIALS_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
    this.reader = options.reader;
  }

  /** The credentials for a profile or secret ARN; throws `CredentialsError` (or `InvalidPropertiesError` for a bad profile or ARN). */
  async get(source: CredentialsSource = {}): Promise<ResolvedCredentials> {
    const secretId = credentialsSecretId(source);
    const hit = this.cache.get(secretId);
    if (hit && this.now() - hit.readAt < this.maxAgeMs) return hit.value;

    let text: string | undefined;
    try {
      // Created on first use: the SDK client's set-up is not paid by invocations that never need it.
      this.reader ??= new SecretsManagerReader();
      text = await this.reader.getSecretString(secretId);
    } catch (err) {
      throw explainReadFailure(secretId, err);
    }
    const value = parseCredentialsSecret(secretId, text);
    this.cache.set(secretId, { value, readAt: this.now() });
    this.logger.info('Atlas credentials read', { secretId, kind: value.credentials.kind, hasBaseUrl: value.baseUrl !== undefined });
    return value;
  }

  /** Drop a cached secret, e.g. after Atlas refused its credentials (it may have been rotated). */
  forget(source: CredentialsSource = {}): void {
    this.cache.delete(credentialsSecretId(source));
  }
}

function explainReadFailure(secretId: string, err: unknown): CredentialsError {
  const name = (err as { name?: string }).name ?? 'Error';
  switch (name) {
    case 'ResourceNotFoundException':
      return new CredentialsError(
        `Secrets Manager secret ${secretId} was not found in this account and region. Create it holding ${EXPECTED_SECRET_SHAPES}, or set Profile / CredentialsSecretArn to the secret that holds them.`,
        secretId,
        false,
        { cause: err },
      );
    case 'AccessDeniedException':
      return new CredentialsError(
        `The provider may not read secret ${secretId} (AccessDeniedException). Allow secretsmanager:GetSecretValue on it for the provider's role (and kms:Decrypt on its key if it uses a customer managed key).`,
        secretId,
        false,
        { cause: err },
      );
    case 'DecryptionFailure':
      return new CredentialsError(
        `Secrets Manager could not decrypt secret ${secretId} (DecryptionFailure): allow kms:Decrypt on the secret's KMS key for the provider's role.`,
        secretId,
        false,
        { cause: err },
      );
    case 'InvalidRequestException':
      return new CredentialsError(
        `Secret ${secretId} cannot be read now (InvalidRequestException: it may be scheduled for deletion). Restore it or point Profile / CredentialsSecretArn elsewhere.`,
        secretId,
        false,
        { cause: err },
      );
    default: {
      const retryable =
        name === 'ThrottlingException' ||
        name === 'InternalServiceError' ||
        name === 'TimeoutError' ||
        (err as { $retryable?: unknown }).$retryable !== undefined;
      return new CredentialsError(
        `Reading secret ${secretId} failed (${name}).${retryable ? ' This is usually temporary.' : ''}`,
        secretId,
        retryable,
        { cause: err },
      );
    }
  }
}
