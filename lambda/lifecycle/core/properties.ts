/** The request's properties as a step reads them: through the resource's parser, or just the credentials. */
import type { CredentialsSource } from '../../model/credentials-secret';
import { InvalidPropertiesError } from '../../model/errors';
import { describeProblems, type Parsed } from '../../model/property-reader';
import type { ExecutionState } from './execution-state';

/**
 * The request's properties through the resource's parser. A bad value is only possible if a step is fed a
 * state the plan would have refused; it ends the request as invalid properties.
 */
export function propertiesOf<T>(state: ExecutionState, parse: (raw: Record<string, unknown> | undefined) => Parsed<T>): T {
  const parsed = parse(state.request.ResourceProperties);
  if (!parsed.ok) throw new InvalidPropertiesError(describeProblems(parsed.problems));
  return parsed.value;
}

/** Credentials named by the resource (every resource type uses the same property names). */
export function credentialsOf(state: ExecutionState): CredentialsSource {
  const p = state.request.ResourceProperties ?? {};
  return {
    ...(typeof p.Profile === 'string' && p.Profile ? { profile: p.Profile } : {}),
    ...(typeof p.CredentialsSecretArn === 'string' && p.CredentialsSecretArn ? { secretArn: p.CredentialsSecretArn } : {}),
  };
}
