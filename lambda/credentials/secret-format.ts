/**
 * What an Atlas credentials secret holds. Two shapes are accepted:
 * - `{"PublicKey", "PrivateKey", "BaseUrl"?}`: a programmatic API key, exactly the format of MongoDB's own
 *   CloudFormation resources' `cfn/atlas/profile/{Profile}` secrets, so teams reuse the secrets they have;
 * - `{"ClientId", "ClientSecret", "BaseUrl"?}`: a service account, which MongoDB recommends.
 * Errors name the secret and the keys expected, never a value, and name the keys present only when they
 * are among the expected ones (a key may be a pasted secret: `{"mdb_sa_sk_…": ""}`).
 */
import type { AtlasCredentials } from '../atlas/client';
import { resolveAtlasBaseUrl } from '../atlas/base-url';
import { ProviderError } from '../model/errors';

export interface ResolvedCredentials {
  credentials: AtlasCredentials;
  /** From the secret's optional `BaseUrl`. */
  baseUrl?: string;
}

/** The keys a credentials secret may hold. */
export const SECRET_KEYS = ['ClientId', 'ClientSecret', 'PublicKey', 'PrivateKey', 'BaseUrl'];

export const EXPECTED_SECRET_SHAPES =
  '{"ClientId": "...", "ClientSecret": "..."} (service account) or {"PublicKey": "...", "PrivateKey": "..."} (API key), each with an optional "BaseUrl"';

export class CredentialsError extends ProviderError {
  override readonly name = 'CredentialsError';
  constructor(
    message: string,
    /** The secret's name or ARN. */
    readonly secretId: string,
    /** True when the same read may succeed later (throttling, a network blip). */
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function parseCredentialsSecret(secretId: string, secretString: string | undefined): ResolvedCredentials {
  if (secretString === undefined) {
    throw new CredentialsError(
      `Secret ${secretId} has no SecretString (a binary secret?). Store the Atlas credentials as JSON text: ${EXPECTED_SECRET_SHAPES}.`,
      secretId,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // JSON.parse's own message quotes the input: never pass it on.
    throw new CredentialsError(`Secret ${secretId} is not valid JSON. Expected ${EXPECTED_SECRET_SHAPES}.`, secretId);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CredentialsError(`Secret ${secretId} is not a JSON object. Expected ${EXPECTED_SECRET_SHAPES}.`, secretId);
  }
  const s = parsed as Record<string, unknown>;
  const text = (k: string) => (typeof s[k] === 'string' && (s[k] as string).trim() !== '' ? (s[k] as string).trim() : undefined);

  const baseUrl = text('BaseUrl');
  if (s.BaseUrl !== undefined && s.BaseUrl !== null && s.BaseUrl !== '' && baseUrl === undefined) {
    throw new CredentialsError(`Secret ${secretId} has a "BaseUrl" that is not a string.`, secretId);
  }
  if (baseUrl !== undefined) {
    try {
      resolveAtlasBaseUrl({ baseUrl });
    } catch {
      // The value is not repeated: a secret's content is no business of whoever reads the stack's events.
      throw new CredentialsError(
        `Secret ${secretId} has a "BaseUrl" that is not accepted: use an https origin without path, query or user name (like https://cloud.mongodb.com or https://cloud.mongodbgov.com), or remove it.`,
        secretId,
      );
    }
  }
  const clientId = text('ClientId');
  const clientSecret = text('ClientSecret');
  const publicKey = text('PublicKey');
  const privateKey = text('PrivateKey');

  // A secret may carry both pairs while a team migrates; the service account wins, as MongoDB recommends.
  if (clientId && clientSecret) {
    return { credentials: { kind: 'service-account', clientId, clientSecret }, ...(baseUrl ? { baseUrl } : {}) };
  }
  if (publicKey && privateKey) {
    return { credentials: { kind: 'api-key', publicKey, privateKey }, ...(baseUrl ? { baseUrl } : {}) };
  }
  const filled = Object.keys(s).filter((k) => text(k) !== undefined);
  const present = filled.filter((k) => SECRET_KEYS.includes(k));
  const others = filled.length - present.length;
  const half =
    clientId || clientSecret
      ? ` It has ${clientId ? '"ClientId" but no "ClientSecret"' : '"ClientSecret" but no "ClientId"'}.`
      : publicKey || privateKey
        ? ` It has ${publicKey ? '"PublicKey" but no "PrivateKey"' : '"PrivateKey" but no "PublicKey"'}.`
        : '';
  throw new CredentialsError(
    `Secret ${secretId} holds no complete Atlas credentials.${half} Keys present: ${present.length ? present.map((k) => `"${k}"`).join(', ') : 'none of those expected'}${others ? ` (and ${others} other${others > 1 ? 's' : ''}, not named here)` : ''}. Expected ${EXPECTED_SECRET_SHAPES}.`,
    secretId,
  );
}
