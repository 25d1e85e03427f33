/**
 * `npm start`: the whole lifecycle of `Custom::AtlasPrivateEndpointService` on this machine.
 *
 * With no options: for AWS, AZURE and GCP in turn, Create → Update in place → Update that replaces (another
 * region) → Delete, against the embedded Atlas emulator on virtual time. Progress goes to stderr, a summary
 * table (or with --json one JSON document) to stdout. Run with --help for the options.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { AtlasCredentials } from '../lambda/atlas/client';
import { resolveAtlasBaseUrl } from '../lambda/atlas/base-url';
import { redactSecrets } from '../lambda/logging';
import { RESOURCE_TYPE_ENDPOINT } from '../lambda/model/endpoint-properties';
import { DEFAULT_PROJECT_ID } from './atlas-emulator';
import { LocalRunner, type Properties, type RequestResult } from './runner/runner';

const HELP = `Usage: npm start -- [options]

Runs CloudFormation's requests for Custom::AtlasPrivateEndpointService through the provider's real handler
and its real Step Functions definition, on this machine.

Without --properties: the built-in tour (AWS, AZURE, GCP: Create, Update in place, Update that replaces, Delete;
for AWS also a Custom::AtlasPrivateEndpoint registration, then the Deletes in reverse) against the embedded
Atlas emulator.

Options:
  --atlas-base-url URL       use this Atlas instead of the embedded emulator (another emulator, or
                             https://cloud.mongodb.com with real credentials: real services are created)
  --public-key K --private-key P       API key for --atlas-base-url
  --client-id I --client-secret S      service account for --atlas-base-url
  --properties JSON          the resource's properties for the Create (ProjectId, ProviderName, Region, ...)
  --update JSON              properties merged over the previous ones, sent as an Update (repeatable)
  --keep                     do not send the final Delete
  --wait-scale F             real seconds slept per simulated second of waiting
                             (default 0 on the embedded emulator, 1 against --atlas-base-url)
  --json                     print one JSON document instead of the table
  --verbose                  also print the provider's log lines (JSON) to stderr
  -h, --help                 this text
`;

interface Cli {
  atlasBaseUrl?: string;
  credentials?: AtlasCredentials;
  properties?: Properties;
  updates: Properties[];
  keep: boolean;
  waitScale?: number;
  json: boolean;
  verbose: boolean;
}

export function parseCli(argv: string[]): Cli {
  const { values } = parseArgs({
    args: argv,
    options: {
      'atlas-base-url': { type: 'string' },
      'public-key': { type: 'string' },
      'private-key': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      properties: { type: 'string' },
      update: { type: 'string', multiple: true },
      keep: { type: 'boolean', default: false },
      'wait-scale': { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const json = (flag: string, text: string | undefined): Properties | undefined => {
    if (text === undefined) return undefined;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new UsageError(`${flag} must be a JSON object, like '{"ProjectId":"…","ProviderName":"AWS","Region":"us-east-1"}'`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${flag} must be a JSON object`);
    return v as Properties;
  };
  let credentials: AtlasCredentials | undefined;
  if (values['public-key'] !== undefined || values['private-key'] !== undefined) {
    if (!values['public-key'] || !values['private-key']) throw new UsageError('--public-key and --private-key go together');
    credentials = { kind: 'api-key', publicKey: values['public-key'], privateKey: values['private-key'] };
  }
  if (values['client-id'] !== undefined || values['client-secret'] !== undefined) {
    if (!values['client-id'] || !values['client-secret']) throw new UsageError('--client-id and --client-secret go together');
    if (credentials) throw new UsageError('give either an API key or a service account, not both');
    credentials = { kind: 'service-account', clientId: values['client-id'], clientSecret: values['client-secret'] };
  }
  const atlasBaseUrl = values['atlas-base-url'];
  if (atlasBaseUrl !== undefined) {
    try {
      resolveAtlasBaseUrl({ baseUrl: atlasBaseUrl });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!credentials) throw new UsageError('--atlas-base-url needs credentials: --public-key/--private-key or --client-id/--client-secret');
  } else if (credentials) {
    throw new UsageError('credentials are for --atlas-base-url; the embedded emulator has its own');
  }
  let waitScale: number | undefined;
  if (values['wait-scale'] !== undefined) {
    waitScale = Number(values['wait-scale']);
    if (!Number.isFinite(waitScale) || waitScale < 0) throw new UsageError('--wait-scale must be a number ≥ 0');
  }
  const updates = (values.update ?? []).map((u) => json('--update', u)!);
  const properties = json('--properties', values.properties);
  if (updates.length > 0 && !properties) throw new UsageError('--update needs --properties (the Create it updates)');
  if (atlasBaseUrl && !properties) throw new UsageError('--atlas-base-url needs --properties (the tour is for the embedded emulator)');
  return { atlasBaseUrl, credentials, properties, updates, keep: values.keep ?? false, waitScale, json: values.json ?? false, verbose: values.verbose ?? false };
}

export class UsageError extends Error {}

/** A vpce- id such as AWS gives an interface endpoint (the emulator accepts any of this shape). */
function madeUpVpcEndpointId(): string {
  return `vpce-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/**
 * The built-in tour: per provider, Create → Update in place → Update that replaces → Delete; for AWS an
 * interface endpoint registration between the last Update and the Deletes.
 */
export function tour(projectId: string): { properties: Properties; updates: Properties[]; register?: boolean }[] {
  return [
    { properties: { ProjectId: projectId, ProviderName: 'AWS', Region: 'us-east-1' }, updates: [{ SupportedRemoteRegions: ['us-west-2'] }, { Region: 'eu-west-1' }], register: true },
    { properties: { ProjectId: projectId, ProviderName: 'AZURE', Region: 'eastus2' }, updates: [{ AdoptExisting: true }, { Region: 'westeurope' }] },
    { properties: { ProjectId: projectId, ProviderName: 'GCP', Region: 'us-central1', PortMappingEnabled: true }, updates: [{ AdoptExisting: true }, { Region: 'europe-west1' }] },
  ];
}

export async function run(cli: Cli, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<{ results: RequestResult[]; atlasCalls: number; ok: boolean }> {
  const runner = await LocalRunner.start({
    atlasBaseUrl: cli.atlasBaseUrl,
    credentials: cli.credentials,
    waitScale: cli.waitScale,
    progress: (line) => io.stderr(`${line}\n`),
    ...(cli.verbose ? { logger: jsonLinesLogger(io.stderr) } : {}),
  });
  const plans: { properties: Properties; updates: Properties[]; register?: boolean }[] = cli.properties ? [{ properties: cli.properties, updates: cli.updates }] : tour(runner.emulator ? defaultProject() : '');
  let ok = true;
  try {
    for (const plan of plans) {
      const resource = { logicalResourceId: cli.properties ? 'AtlasPrivateEndpointService' : `Service${String(plan.properties.ProviderName)}` };
      const { create } = await runner.create(plan.properties, resource);
      if (create.status !== 'SUCCESS') {
        ok = false;
        continue;
      }
      let current = { physicalResourceId: create.physicalResourceId, properties: plan.properties };
      for (const change of plan.updates) {
        const properties = { ...current.properties, ...change };
        const { update } = await runner.update(current, properties, resource);
        if (update.status !== 'SUCCESS') {
          ok = false;
          break;
        }
        current = { physicalResourceId: update.physicalResourceId, properties };
      }
      if (plan.register && ok) {
        // The AWS chain: an interface endpoint (a made-up vpce- id) registered with the service, then the
        // Deletes in reverse order, as CloudFormation runs them for AtlasPrivateLink.
        const registration = { logicalResourceId: 'RegistrationAWS', resourceType: RESOURCE_TYPE_ENDPOINT };
        const regProps = { ProjectId: plan.properties.ProjectId, ProviderName: 'AWS', EndpointServiceId: current.physicalResourceId.split('-')[1], EndpointId: madeUpVpcEndpointId() };
        const { create: reg } = await runner.create(regProps, registration);
        if (reg.status !== 'SUCCESS') ok = false;
        else if (!cli.keep) {
          const d = await runner.delete({ physicalResourceId: reg.physicalResourceId, properties: regProps }, registration);
          if (d.status !== 'SUCCESS') ok = false;
        }
      }
      if (!cli.keep) {
        const d = await runner.delete(current, resource);
        if (d.status !== 'SUCCESS') ok = false;
      }
    }
    if (runner.executionErrors.length > 0) ok = false;
    if (runner.results.some((r) => r.answers !== 1 || r.responseBytes > 4096)) ok = false;
    const atlasCalls = runner.results.reduce((n, r) => n + r.atlasCalls, 0);
    if (cli.json) {
      io.stdout(
        `${JSON.stringify({
          requests: runner.results.map((r) => ({
            requestType: r.requestType,
            physicalResourceId: r.physicalResourceId,
            status: r.status,
            reason: r.reason ?? null,
            data: r.data ?? {},
            responseBytes: r.responseBytes,
            simulatedSeconds: r.simulatedSeconds,
          })),
          atlasCalls,
        })}\n`,
      );
    } else {
      io.stdout(summaryTable(runner.results));
    }
    return { results: runner.results, atlasCalls, ok };
  } finally {
    await runner.stop();
  }
}

function defaultProject(): string {
  return DEFAULT_PROJECT_ID;
}

export function summaryTable(results: readonly RequestResult[]): string {
  const rows = results.map((r) => [
    `${r.logicalResourceId} ${r.requestType}`,
    r.status,
    r.physicalResourceId,
    keyAttribute(r),
    String(r.simulatedSeconds),
    String(r.atlasCalls),
    String(r.responseBytes),
  ]);
  const header = ['request', 'status', 'physical id', 'key attribute', 'sim s', 'Atlas calls', 'bytes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''].join('\n');
}

function keyAttribute(r: RequestResult): string {
  const d = r.data;
  if (!d) return r.status === 'FAILED' ? (r.reason ?? '').slice(0, 60) : '';
  if (d.ConnectionStatus) return `${d.InterfaceEndpointId} ${d.ConnectionStatus}`;
  if (d.EndpointServiceName) return d.EndpointServiceName;
  if (d.PrivateLinkServiceName) return d.PrivateLinkServiceName;
  if (d.ServiceAttachmentNames) return `${d.ServiceAttachmentNames.split(',').length} service attachment(s)`;
  return d.Status ?? '';
}

function jsonLinesLogger(write: (s: string) => void) {
  const line = (level: string) => (message: string, ...extra: object[]) =>
    write(`${JSON.stringify(Object.assign({ level, message }, ...extra), redactSecrets)}\n`);
  return { debug: line('DEBUG'), info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}

if (require.main === module) {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  run(cli, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) })
    .then(({ ok }) => process.exit(ok ? 0 : 1))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    });
}
