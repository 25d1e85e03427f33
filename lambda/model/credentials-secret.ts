/**
 * Which Secrets Manager secret holds the credentials: an explicit ARN, or the profile convention of
 * MongoDB's CloudFormation resources, `cfn/atlas/profile/{Profile}` (profile `default` when none is given).
 */
import { InvalidPropertiesError } from './errors';

export const DEFAULT_PROFILE = 'default';
export const PROFILE_SECRET_PREFIX = 'cfn/atlas/profile/';

// Secrets Manager names allow letters, digits and /_+=.@-; a profile is one part of such a name.
const PROFILE_PATTERN = /^[A-Za-z0-9_+=.@-]{1,200}$/;
const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

export interface CredentialsSource {
  profile?: string;
  secretArn?: string;
}

export function isValidProfile(profile: string): boolean {
  return PROFILE_PATTERN.test(profile);
}

export function isValidSecretArn(arn: string): boolean {
  return SECRET_ARN_PATTERN.test(arn);
}

/**
 * The credentials a resource's properties name, read as the property parser reads them (a string, trimmed;
 * empty is absent). This is what the steps use and what the profile bindings judge: one reading, so that a
 * value padded with spaces, a newline, a no-break space or a byte-order mark is judged as the secret it
 * will read. A value that is not a string cannot name a secret and is refused.
 */
export function credentialsNamedBy(properties: Record<string, unknown> | undefined): CredentialsSource {
  const p = properties ?? {};
  const read = (name: 'Profile' | 'CredentialsSecretArn'): string | undefined => {
    const v = p[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new InvalidPropertiesError(`Property ${name} must be a string.`);
    return v.trim() || undefined;
  };
  const profile = read('Profile');
  const secretArn = read('CredentialsSecretArn');
  return { ...(profile !== undefined ? { profile } : {}), ...(secretArn !== undefined ? { secretArn } : {}) };
}

/** The secret id to read. Throws an InvalidPropertiesError that names the bad value and what is accepted. */
export function credentialsSecretId(source: CredentialsSource = {}): string {
  if (source.secretArn !== undefined && source.secretArn !== '') {
    if (!isValidSecretArn(source.secretArn)) {
      throw new InvalidPropertiesError(
        `CredentialsSecretArn "${source.secretArn}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>).`,
      );
    }
    return source.secretArn;
  }
  const profile = source.profile === undefined || source.profile === '' ? DEFAULT_PROFILE : source.profile;
  if (!isValidProfile(profile)) {
    throw new InvalidPropertiesError(
      `Profile "${profile}" cannot be part of a secret name: use 1-200 letters, digits or _+=.@- (the secret read is ${PROFILE_SECRET_PREFIX}<Profile>).`,
    );
  }
  return PROFILE_SECRET_PREFIX + profile;
}
