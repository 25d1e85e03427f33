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

const SECRET_KEY = /authorization|password|privatekey|private_key|clientsecret|client_secret|secret(string|binary)?$|token$|^responseurl$|cookie/i;

export const REDACTED = '[redacted]';

/** JSON replacer: hides values under keys that name secrets. */
export function redactSecrets(key: string, value: unknown): unknown {
  return key !== '' && SECRET_KEY.test(key) && value !== undefined && value !== null ? REDACTED : value;
}

export function createLogger(serviceName = 'atlas-private-endpoint', logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'): Logger {
  return new Logger({ serviceName, jsonReplacerFn: redactSecrets, ...(logLevel ? { logLevel } : {}) });
}
