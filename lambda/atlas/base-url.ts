/** Where the Atlas Administration API lives, and which addresses the client agrees to send credentials to. */
import { ProviderError } from '../model/errors';

export const ATLAS_BASE_URL = 'https://cloud.mongodb.com';
/** Atlas for Government. */
export const ATLAS_GOV_BASE_URL = 'https://cloud.mongodbgov.com';

export class InvalidBaseUrlError extends ProviderError {
  override readonly name = 'InvalidBaseUrlError';
}

/**
 * The base URL to use: `baseUrl` when given (checked), else Atlas for Government when asked, else Atlas.
 * Plain `http://` is refused except to a loopback address (a local emulator): credentials and tokens must
 * not cross a network unencrypted.
 */
export function resolveAtlasBaseUrl(options: { baseUrl?: string; government?: boolean } = {}): string {
  const raw = options.baseUrl?.trim();
  if (!raw) return options.government ? ATLAS_GOV_BASE_URL : ATLAS_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidBaseUrlError(
      `Atlas base URL "${raw}" is not a URL. Use ${ATLAS_BASE_URL}, ${ATLAS_GOV_BASE_URL} (Atlas for Government), or http://127.0.0.1:<port> for a local emulator.`,
    );
  }
  if (url.username || url.password) {
    throw new InvalidBaseUrlError('Atlas base URL must not carry a user name or password; put credentials in the credentials secret.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new InvalidBaseUrlError(
      `Atlas base URL "${url.origin}" is refused: only https:// is accepted, and http:// only to a loopback address (localhost, 127.0.0.0/8, [::1]).`,
    );
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new InvalidBaseUrlError(
      `Atlas base URL "${raw}" must be an origin only (like ${ATLAS_BASE_URL}), without a path, query or fragment.`,
    );
  }
  return url.origin;
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
