/**
 * Synth-time errors of the constructs, shaped like aws-cdk-lib's own `ValidationError` (which is internal to
 * aws-cdk-lib): the name `ValidationError`, the construct's path in the message and as a property, so that
 * a user of a large app sees at once which construct to fix.
 */
import type { IConstruct } from 'constructs';

/**
 * A construct's props fail its checks: the template would not deploy, or would deploy something wrong.
 *
 * TypeScript and JavaScript only. jsii cannot carry a subclass of `Error` into other languages: there a
 * synth-time error arrives as the error every jsii library throws (Python `RuntimeError`, Java `JsiiException`,
 * the jsii runtime's exception in C#, a panic in Go), with the same message ending in `(at Stack/Construct/...)`.
 * @jsii ignore
 */
export class AtlasValidationError extends Error {
  /** The path of the construct whose props failed, as in `cdk synth` output (`Stack/Construct/...`). */
  readonly constructPath: string;

  /**
   * An error for `scope`.
   * @param message what is wrong and what would be accepted
   * @param scope the construct whose props failed
   */
  constructor(message: string, scope: IConstruct) {
    super(`${message} (at ${scope.node.path})`);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
  }

  /** Whether `x` is an {@link AtlasValidationError}, also across copies of this package. */
  static isAtlasValidationError(x: unknown): x is AtlasValidationError {
    return x instanceof Error && x.name === 'ValidationError' && typeof (x as { constructPath?: unknown }).constructPath === 'string';
  }
}
