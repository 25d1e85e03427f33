/**
 * The provider's errors. Each has a fixed `name` (it survives minification and reaches Step Functions'
 * `Error` field), and one that wraps another keeps it as `cause`. Steps branch on these classes or on the
 * predicates the errors carry, never on `RangeError` or on raw status codes: anything else that is thrown is a
 * bug or an outage, which the state machine counts, retries and finally answers FAILED for.
 */

/** The base of every error the provider throws on purpose. */
export abstract class ProviderError extends Error {
  abstract override readonly name: string;
}

/**
 * The resource's properties (or a value derived from them, such as the credentials secret's name) cannot
 * be used: the request ends FAILED with this message, which names the property and what is accepted.
 */
export class InvalidPropertiesError extends ProviderError {
  override readonly name = 'InvalidPropertiesError';
}

/** The provider is set up wrong (a missing setting): no retry will help. */
export class ConfigurationError extends ProviderError {
  override readonly name = 'ConfigurationError';
}
