/** Atlas error bodies: `{detail, error, errorCode, parameters, reason}`, served as application/json. */
import { STATUS_CODES } from 'node:http';

export interface AtlasErrorBody {
  detail: string;
  error: number;
  errorCode: string;
  parameters: unknown[];
  reason: string;
}

export class EmulatedError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly detail: string,
    readonly parameters: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${errorCode}: ${detail}`);
  }

  get body(): AtlasErrorBody {
    return { detail: this.detail, error: this.status, errorCode: this.errorCode, parameters: this.parameters, reason: STATUS_CODES[this.status] ?? 'Error' };
  }
}

export const notFound = (path: string) => new EmulatedError(404, 'RESOURCE_NOT_FOUND', `Cannot find resource ${path}.`, [path]);

export const invalidEnum = (value: unknown) =>
  new EmulatedError(400, 'INVALID_ENUMERATION_VALUE', `An invalid enumeration value ${String(value)} was specified.`, [String(value)]);

export const missingAttribute = (name: string) =>
  new EmulatedError(400, 'MISSING_ATTRIBUTE', `The required attribute ${name} was not specified.`, [name]);

export const invalidAttribute = (name: string, value: unknown) =>
  new EmulatedError(400, 'INVALID_ATTRIBUTE', `Invalid attribute ${name} specified.`, [name, String(value)]);
