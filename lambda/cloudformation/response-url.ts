/**
 * Which `ResponseURL`s the provider will PUT an answer to. CloudFormation's are pre-signed URLs of its
 * response buckets in the stack's region (`cloudformation-custom-resource-response-{region without
 * dashes}`, virtual-hosted on S3 in the `amazonaws.com` or `amazonaws.com.cn` domain), always https. Any
 * other URL means the event was not made by CloudFormation: a caller who may invoke the function would
 * otherwise have the answer (physical id, attributes) sent wherever they like, loopback included.
 */
import type { AwsHome } from './stack-id';

export interface ResponseUrlPolicy {
  /** The function's own partition and region: the response bucket must be the one of that region. */
  home?: AwsHome;
  /** Accept `http://` to a loopback address (the local runner's stand-in for S3). Never set in a Lambda. */
  allowLoopbackHttp?: boolean;
}

export type ResponseUrlVerdict = { ok: true; url: URL } | { ok: false; problem: string };

const BUCKET_HOST =
  /^cloudformation-custom-resource-response-([a-z0-9]+)\.s3(?:[.-]([a-z]{2}(?:-[a-z]+)+-\d))?\.(amazonaws\.com(?:\.cn)?)$/;
const MAX_URL_LENGTH = 8192;

export function checkResponseUrl(value: unknown, policy: ResponseUrlPolicy = {}): ResponseUrlVerdict {
  if (typeof value !== 'string' || value === '') return { ok: false, problem: 'ResponseURL is missing or not a string' };
  if (value.length > MAX_URL_LENGTH) return { ok: false, problem: `ResponseURL is ${value.length} characters long` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, problem: 'ResponseURL is not a URL' };
  }
  if (url.username || url.password) return { ok: false, problem: 'ResponseURL carries a user name or password' };
  if (url.protocol === 'http:' && policy.allowLoopbackHttp && isLoopbackHost(url.hostname)) return { ok: true, url };
  if (url.protocol !== 'https:') return { ok: false, problem: `ResponseURL uses ${url.protocol.replace(/:$/, '')}, not https` };
  if (url.port !== '' && url.port !== '443') return { ok: false, problem: `ResponseURL names port ${url.port}` };
  const m = BUCKET_HOST.exec(url.hostname);
  if (!m) return { ok: false, problem: `ResponseURL's host ${url.hostname} is not one of CloudFormation's response buckets` };
  const [, bucketRegion, hostRegion, domain] = m;
  const home = policy.home;
  if (home) {
    const expectedDomain = home.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    if (domain !== expectedDomain)
      return { ok: false, problem: `ResponseURL's host ${url.hostname} is not in the ${home.partition} partition` };
    if (bucketRegion !== home.region.replace(/-/g, '') || (hostRegion !== undefined && hostRegion !== home.region)) {
      return { ok: false, problem: `ResponseURL's host ${url.hostname} is not CloudFormation's response bucket of ${home.region}` };
    }
  }
  return { ok: true, url };
}

/** The URL without its query string (the signature) and fragment: what may be logged. */
export function redactResponseUrl(value: unknown): string {
  if (typeof value !== 'string') return `(${value === null ? 'null' : typeof value})`;
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 300);
  } catch {
    // Not a URL: keep at most what precedes a query string, short.
    return value.split(/[?#]/)[0].slice(0, 120);
  }
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
