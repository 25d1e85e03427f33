/**
 * Structured JSON logs (Powertools Logger) and the narrow logging surface the rest of the code depends on.
 *
 * Code is written never to hand a secret to a logger; the replacer below is the second line: any key
 * that names a credential, a token, an `Authorization` header or the pre-signed `ResponseURL` is
 * replaced before the line is written, wherever it is nested.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export type LogFields = Record<string, unknown>;

export interface LoggerLike {
  debug(message: string, ...extra: LogFields[]): void;
  info(message: string, ...extra: LogFields[]): void;
  warn(message: string, ...extra: LogFields[]): void;
  error(message: string, ...extra: LogFields[]): void;
}

export const silentLogger: LoggerLike = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const SECRET_KEY =
  /authorization|password|privatekey|private_key|clientsecret|client_secret|secret(string|binary)?$|token$|^responseurl$|cookie/i;

export const REDACTED = '[redacted]';

/** JSON replacer: hides values under keys that name secrets. */
export function redactSecrets(key: string, value: unknown): unknown {
  return key !== '' && SECRET_KEY.test(key) && value !== undefined && value !== null ? REDACTED : value;
}

/** A logger that adds `fields` to every line (a line's own fields win). */
export function withFields(logger: LoggerLike, fields: LogFields): LoggerLike {
  const merge = (extra: LogFields[]): LogFields => Object.assign({}, fields, ...extra);
  return {
    debug: (message, ...extra) => logger.debug(message, merge(extra)),
    info: (message, ...extra) => logger.info(message, merge(extra)),
    warn: (message, ...extra) => logger.warn(message, merge(extra)),
    error: (message, ...extra) => logger.error(message, merge(extra)),
  };
}

/** An error as log fields: its own JSON summary when it has one, else its name and message. */
export function describeError(err: unknown): LogFields {
  if (err && typeof err === 'object' && 'toJSON' in err && typeof (err as { toJSON: unknown }).toJSON === 'function') {
    return (err as { toJSON(): LogFields }).toJSON();
  }
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { message: String(err) };
}

export function createLogger(serviceName = 'atlas-private-endpoint', logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'): Logger {
  return new Logger({ serviceName, jsonReplacerFn: redactSecrets, ...(logLevel ? { logLevel } : {}) });
}
