/**
 * Who is calling: turns the `Authorization` header of an Atlas API call into the configured credential
 * it belongs to (API key by Digest, service account by Bearer token), or into the 401 to answer.
 */
import type { EmulatorCredentials, ResponseShapes, Role } from '../config';
import { errors } from '../errors';
import type { DigestVerifier } from './digest';
import type { TokenIssuer } from './oauth';

export type AuthKind = 'digest' | 'bearer' | 'basic' | 'none';

export interface Principal {
  kind: 'apiKey' | 'serviceAccount';
  /** The public key or client id. */
  name: string;
  role: Role;
  ipAccessListBlocks: boolean;
  /** undefined: every configured project. */
  projects: string[] | undefined;
}

export function authKindOf(authorization: string | undefined): AuthKind {
  const scheme = /^\s*(\S+)/.exec(authorization ?? '')?.[1]?.toLowerCase();
  if (scheme === 'digest') return 'digest';
  if (scheme === 'bearer') return 'bearer';
  if (scheme === 'basic') return 'basic';
  return 'none';
}

export class Authenticator {
  constructor(
    private readonly credentials: EmulatorCredentials,
    readonly digest: DigestVerifier,
    readonly tokens: TokenIssuer,
    private readonly unauthorizedShape: ResponseShapes['unauthorized'] = 'recorded',
  ) {}

  /** The caller of an Atlas API request, or throws the 401 to answer. */
  authenticate(authorization: string | undefined, method: string, requestUri: string): Principal {
    const kind = authKindOf(authorization);
    if (kind === 'digest') {
      const result = this.digest.verify(authorization ?? '', method, requestUri, (user) => this.apiKey(user)?.privateKey);
      if (!result.ok) throw errors.unauthenticated(result.challenge, this.unauthorizedShape);
      const key = this.apiKey(result.username)!;
      return principal('apiKey', key.publicKey, key);
    }
    if (kind === 'bearer') {
      const token = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      const clientId = token ? this.tokens.verify(token) : undefined;
      const account = clientId === undefined ? undefined : this.serviceAccount(clientId);
      // Bearer failures carry a Digest challenge too: harmless, and it tells a confused client which
      // other scheme the API speaks.
      if (!account) throw errors.unauthenticated(this.digest.challenge(), this.unauthorizedShape);
      return principal('serviceAccount', account.clientId, account);
    }
    // Basic is not accepted by the Atlas API; no header at all is the first leg of Digest.
    throw errors.unauthenticated(this.digest.challenge(), this.unauthorizedShape);
  }

  secretOf(clientId: string): string | undefined {
    return this.serviceAccount(clientId)?.clientSecret;
  }

  private apiKey(publicKey: string) {
    return this.credentials.apiKeys.find((k) => k.publicKey === publicKey);
  }

  private serviceAccount(clientId: string) {
    return this.credentials.serviceAccounts.find((a) => a.clientId === clientId);
  }
}

function principal(
  kind: Principal['kind'],
  name: string,
  c: { role?: Role; ipAccessListBlocks?: boolean; projects?: string[] },
): Principal {
  return { kind, name, role: c.role ?? 'PROJECT_OWNER', ipAccessListBlocks: c.ipAccessListBlocks ?? false, projects: c.projects };
}
