/**
 * `npm start`: the whole lifecycle of `Custom::AtlasPrivateEndpointService` on this machine.
 *
 * With no options: for AWS, AZURE and GCP in turn, Create → Update in place → Update that replaces (another
 * region) → Delete, against the embedded Atlas emulator on virtual time. Progress goes to stderr, a summary
 * table (or with --json one JSON document) to stdout. Run with --help for the options.
 */
import type { CloudFormationRequest } from '../lambda/cloudformation/request';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AtlasCredentials } from '../lambda/atlas/client';
import { resolveAtlasBaseUrl } from '../lambda/model/base-url';
import { parseCredentialsSecret } from '../lambda/credentials/secret-format';
import { redactSecrets } from '../lambda/logging';
import { createdSince } from '../lambda/lifecycle/service/unseen';
import { type ClusterConnectionStrings, CONNECTION_STRINGS_ATTRIBUTE, SINGLE_CLUSTER_ATTRIBUTES } from '../lambda/model/connection-strings';
import { MAX_CLUSTER_NAMES, RESOURCE_TYPE_ENDPOINT } from '../lambda/model/endpoint-properties';
import { ATLAS_CLUSTER_NAME } from '../lambda/model/provider';
import { guessAtlasRegionName } from '../lambda/model/regions';
import { parseServiceProperties } from '../lambda/model/service-properties';
import { type CloudProvider, DEFAULT_PROJECT_ID } from './atlas-emulator';
import { LocalRunner, type Properties, type RequestResult } from './runner/runner';

const HELP = `Usage: npm start -- [options]

Runs CloudFormation's requests for Custom::AtlasPrivateEndpointService (and Custom::AtlasPrivateEndpoint)
through the provider's real handler and its real Step Functions definition, on this machine.

Without --properties or --register: the built-in tour (AWS, AZURE, GCP: Create, Update in place, Update that
replaces, Delete; for each also a Custom::AtlasPrivateEndpoint registration of a made-up endpoint: a VPC
endpoint, an Azure private endpoint, a GCP forwarding rule of a port-mapped service; then the Deletes in
reverse) against the embedded Atlas emulator.

Your own resources:
  --properties JSON          the endpoint service's properties for the Create (ProjectId, ProviderName,
                             Region, ServiceTimeout, ...); ProjectId defaults to MONGODB_ATLAS_PROJECT_ID,
                             then (on the embedded emulator) to the emulator's project
  --update JSON              properties merged over the previous ones, sent as an Update (repeatable)
  --register JSON            then register an interface endpoint (Custom::AtlasPrivateEndpoint properties,
                             e.g. {"EndpointId":"vpce-0123456789abcdef0"}); ProjectId, ProviderName and
                             EndpointServiceId default to the service's. Alone, it registers with an
                             existing service.
  --cluster NAME             the registrations wait for cluster NAME's private connection string through
                             their endpoint and print it (ClusterNames; repeatable). On the embedded
                             emulator the cluster is made up in the registration's region
  --keep                     do not send the final Deletes
  --cancel-after SECONDS     CloudFormation gives up on the service's Create after SECONDS (a sibling resource
                             failed, the stack was cancelled) and sends the Delete of a physical id it made up,
                             while the Create may still be running; then lists what the run left in the region
                             (nothing, if the provider cleaned up). Not with --update or --register

Real Atlas (real services are created and, without --keep, deleted). Each request is waited for as long
as CloudFormation would (its ServiceTimeout, default 3600 s); the run ends with the Deletes and a line
saying what it left in Atlas. Ctrl-C stops waiting, sends the Deletes of what the run made and says what
is left; a second Ctrl-C exits at once and says what may be left.
  --atlas                    use Atlas at MONGODB_ATLAS_BASE_URL, the credentials file's BaseUrl, or
                             https://cloud.mongodb.com
  --atlas-base-url URL       use this Atlas (another emulator, Atlas for Government, ...)
  Credentials, first found: --credentials-file, then the environment, then the flags below.
  --credentials-file FILE    JSON as in the provider's secret: {"ClientId","ClientSecret"} or
                             {"PublicKey","PrivateKey"}, each with an optional "BaseUrl"
  environment                MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET (service account), or
                             MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY (API key; also
                             MONGODB_ATLAS_PUBLIC_KEY + MONGODB_ATLAS_PRIVATE_KEY): the Atlas CLI's and the
                             Terraform provider's names
  --client-id I --client-secret S      a service account (visible to other users in ps: prefer the above)
  --public-key K --private-key P       an API key (likewise)

Output:
  --wait-scale F             real seconds slept per second of every wait the run makes (the wait loop's,
                             the step's between looks, the Atlas client's back-off): default 0 on the
                             embedded emulator, 1 against any other Atlas
  --json                     print one JSON document instead of the table
  --verbose                  also print the provider's log lines (JSON) to stderr
  -h, --help                 this text
`;

interface Cli {
  atlasBaseUrl?: string;
  credentials?: AtlasCredentials;
  /** Where the credentials came from (never their values), for the progress log. */
  credentialsSource?: string;
  properties?: Properties;
  updates: Properties[];
  register?: Properties;
  /** Clusters every registration of the run waits for (its ClusterNames). */
  clusters: string[];
  keep: boolean;
  /** Seconds after which CloudFormation gives up on the service's Create. */
  cancelAfter?: number;
  waitScale?: number;
  json: boolean;
  verbose: boolean;
}

export function parseCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  readText: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Cli {
  const { values } = parseArgs({
    args: argv,
    options: {
      atlas: { type: 'boolean', default: false },
      'atlas-base-url': { type: 'string' },
      'credentials-file': { type: 'string' },
      'public-key': { type: 'string' },
      'private-key': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      properties: { type: 'string' },
      update: { type: 'string', multiple: true },
      register: { type: 'string' },
      cluster: { type: 'string', multiple: true },
      keep: { type: 'boolean', default: false },
      'cancel-after': { type: 'string' },
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

  const toAtlas = values.atlas || values['atlas-base-url'] !== undefined;
  const flagCredentials = credentialsFromFlags(values);
  const file = values['credentials-file'];
  if (!toAtlas && (flagCredentials || file !== undefined))
    throw new UsageError('credentials are for real Atlas (--atlas or --atlas-base-url); the embedded emulator has its own');
  let credentials: AtlasCredentials | undefined;
  let credentialsSource: string | undefined;
  let fileBaseUrl: string | undefined;
  if (toAtlas) {
    if (file !== undefined) {
      let text: string;
      try {
        text = readText(file);
      } catch (err) {
        throw new UsageError(`--credentials-file ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      try {
        const resolved = parseCredentialsSecret(`--credentials-file ${file}`, text);
        credentials = resolved.credentials;
        fileBaseUrl = resolved.baseUrl;
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      credentialsSource = `--credentials-file ${file}`;
    } else {
      const fromEnv = credentialsFromEnvironment(env);
      if (fromEnv) [credentials, credentialsSource] = [fromEnv.credentials, fromEnv.source];
      else if (flagCredentials) [credentials, credentialsSource] = [flagCredentials, 'command-line flags'];
    }
    if (!credentials) {
      throw new UsageError(
        'real Atlas needs credentials: --credentials-file FILE, or MONGODB_ATLAS_CLIENT_ID/MONGODB_ATLAS_CLIENT_SECRET or MONGODB_ATLAS_PUBLIC_API_KEY/MONGODB_ATLAS_PRIVATE_API_KEY in the environment',
      );
    }
  }
  const atlasBaseUrl = toAtlas
    ? (values['atlas-base-url'] ?? nonEmpty(env.MONGODB_ATLAS_BASE_URL) ?? fileBaseUrl ?? 'https://cloud.mongodb.com')
    : undefined;
  if (atlasBaseUrl !== undefined) {
    try {
      resolveAtlasBaseUrl({ baseUrl: atlasBaseUrl });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  let waitScale: number | undefined;
  if (values['wait-scale'] !== undefined) {
    waitScale = Number(values['wait-scale']);
    if (!Number.isFinite(waitScale) || waitScale < 0) throw new UsageError('--wait-scale must be a number ≥ 0');
  }
  const updates = (values.update ?? []).map((u) => json('--update', u)!);
  let properties = json('--properties', values.properties);
  const register = json('--register', values.register);
  // The embedded emulator has one project, which the reader need not look up.
  const projectId = nonEmpty(env.MONGODB_ATLAS_PROJECT_ID) ?? (toAtlas ? undefined : DEFAULT_PROJECT_ID);
  if (properties && properties.ProjectId === undefined && projectId) properties = { ProjectId: projectId, ...properties };
  if (updates.length > 0 && !properties) throw new UsageError('--update needs --properties (the Create it updates)');
  let cancelAfter: number | undefined;
  if (values['cancel-after'] !== undefined) {
    cancelAfter = Number(values['cancel-after']);
    if (!Number.isFinite(cancelAfter) || cancelAfter <= 0) throw new UsageError('--cancel-after must be a number of seconds > 0');
    if (!properties) throw new UsageError('--cancel-after needs --properties (the Create CloudFormation gives up on)');
    if (updates.length > 0 || register)
      throw new UsageError('--cancel-after runs the Create and its Delete only: not with --update or --register');
  }
  const clusters = values.cluster ?? [];
  for (const [i, name] of clusters.entries()) {
    if (!ATLAS_CLUSTER_NAME.test(name))
      throw new UsageError(`--cluster ${name}: an Atlas cluster name is 1-64 letters, digits or hyphens, starting with a letter or digit`);
    if (clusters.indexOf(name) !== i) throw new UsageError(`--cluster ${name} is given twice`);
  }
  if (clusters.length > MAX_CLUSTER_NAMES)
    throw new UsageError(`--cluster: a registration waits for at most ${MAX_CLUSTER_NAMES} clusters`);
  if (clusters.length > 0 && (properties || atlasBaseUrl) && !register)
    throw new UsageError('--cluster is for registrations: add --register (the tour registers on its own)');
  if (atlasBaseUrl && !properties && !register)
    throw new UsageError('real Atlas needs --properties or --register (the tour is for the embedded emulator)');
  return {
    atlasBaseUrl,
    credentials,
    credentialsSource,
    properties,
    updates,
    register,
    clusters,
    keep: values.keep ?? false,
    ...(cancelAfter !== undefined ? { cancelAfter } : {}),
    waitScale,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

function credentialsFromFlags(values: {
  'public-key'?: string;
  'private-key'?: string;
  'client-id'?: string;
  'client-secret'?: string;
}): AtlasCredentials | undefined {
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
  return credentials;
}

/**
 * Credentials under the names the Atlas CLI and MongoDB's Terraform provider read. A service account wins
 * over an API key when both are set, as in the Terraform provider.
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv): { credentials: AtlasCredentials; source: string } | undefined {
  const pair = (a: string, b: string) => {
    const [x, y] = [nonEmpty(env[a]), nonEmpty(env[b])];
    if ((x === undefined) !== (y === undefined))
      throw new UsageError(`${x === undefined ? a : b} is not set but ${x === undefined ? b : a} is: they go together`);
    return x !== undefined && y !== undefined ? ([x, y, `${a}/${b}`] as const) : undefined;
  };
  const account = pair('MONGODB_ATLAS_CLIENT_ID', 'MONGODB_ATLAS_CLIENT_SECRET');
  if (account) return { credentials: { kind: 'service-account', clientId: account[0], clientSecret: account[1] }, source: account[2] };
  const key =
    pair('MONGODB_ATLAS_PUBLIC_API_KEY', 'MONGODB_ATLAS_PRIVATE_API_KEY') ?? pair('MONGODB_ATLAS_PUBLIC_KEY', 'MONGODB_ATLAS_PRIVATE_KEY');
  if (key) return { credentials: { kind: 'api-key', publicKey: key[0], privateKey: key[1] }, source: key[2] };
  return undefined;
}

export class UsageError extends Error {}

/** A vpce- id such as AWS gives an interface endpoint (the emulator accepts any of this shape). */
function madeUpVpcEndpointId(): string {
  return `vpce-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** A made-up endpoint of this provider for the tour's registration (the emulator accepts any well-formed one). */
function madeUpRegistration(provider: string): Properties {
  const suffix = randomBytes(3).toString('hex');
  switch (provider) {
    case 'AZURE':
      return {
        EndpointId: `/subscriptions/${randomUUID()}/resourceGroups/tour-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe-${suffix}`,
        PrivateEndpointIpAddress: '10.0.1.4',
      };
    case 'GCP':
      // The tour's GCP service has port mapping: one forwarding rule, which names the registration.
      return {
        EndpointId: `atlas-psc-${suffix}`,
        GcpProjectId: 'tour-gcp-project',
        Endpoints: [{ EndpointName: `atlas-psc-${suffix}`, IpAddress: '10.128.0.20' }],
      };
    default:
      return { EndpointId: madeUpVpcEndpointId() };
  }
}

/**
 * The built-in tour: per provider, Create → Update in place → Update that replaces → Delete, with a
 * registration of a made-up endpoint between the last Update and the Deletes.
 */
export function tour(projectId: string): { properties: Properties; updates: Properties[]; register?: boolean }[] {
  return [
    {
      properties: { ProjectId: projectId, ProviderName: 'AWS', Region: 'us-east-1' },
      updates: [{ SupportedRemoteRegions: ['us-west-2'] }, { Region: 'eu-west-1' }],
      register: true,
    },
    {
      properties: { ProjectId: projectId, ProviderName: 'AZURE', Region: 'eastus2' },
      updates: [{ AdoptExisting: true }, { Region: 'westeurope' }],
      register: true,
    },
    {
      properties: { ProjectId: projectId, ProviderName: 'GCP', Region: 'us-central1', PortMappingEnabled: true },
      updates: [{ AdoptExisting: true }, { Region: 'europe-west1' }],
      register: true,
    },
  ];
}

interface Plan {
  /** The endpoint service's Create, or none (a registration with an existing service). */
  properties?: Properties;
  updates: Properties[];
  /** A registration after the service: true for the tour's made-up interface endpoint, or its properties. */
  register?: true | Properties;
  /** Logical ids of the two resources. */
  names: { service: string; registration: string };
  /** CloudFormation gives up on the service's Create after this many seconds. */
  cancelAfter?: number;
  /** The registration's ClusterNames. */
  clusters: string[];
}

export async function run(
  cli: Cli,
  io: { stdout: (s: string) => void; stderr: (s: string) => void },
  options: { handleSignals?: boolean } = {},
): Promise<{ results: RequestResult[]; atlasCalls: number; ok: boolean; interrupted: boolean }> {
  const say = (line: string) => io.stderr(`${line}\n`);
  const runner = await LocalRunner.start({
    atlasBaseUrl: cli.atlasBaseUrl,
    credentials: cli.credentials,
    waitScale: cli.waitScale,
    progress: say,
    logger: progressLogger(cli.verbose ? io.stderr : undefined, transportWatch(cli.atlasBaseUrl, say)),
    // Against an outside Atlas a request takes as long as it takes, up to its ServiceTimeout, as in CloudFormation.
    ...(cli.atlasBaseUrl ? { requestTimeoutMs: Number.POSITIVE_INFINITY } : {}),
  });
  if (cli.atlasBaseUrl) say(`Atlas at ${cli.atlasBaseUrl}, credentials from ${cli.credentialsSource}`);
  const plans: Plan[] =
    cli.properties || cli.register
      ? [
          {
            properties: cli.properties,
            updates: cli.updates,
            ...(cli.register ? { register: cli.register } : {}),
            names: { service: 'Service', registration: 'Registration' },
            clusters: cli.clusters,
            ...(cli.cancelAfter !== undefined ? { cancelAfter: cli.cancelAfter } : {}),
          },
        ]
      : tour(runner.emulator ? defaultProject() : '').map((t) => ({
          ...t,
          register: t.register ? (true as const) : undefined,
          names: {
            service: `Service${String(t.properties.ProviderName)}`,
            registration: `Registration${String(t.properties.ProviderName)}`,
          },
          clusters: cli.clusters,
        }));
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const key = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    if (!interrupted) {
      interrupted = true;
      say(
        `${signal}: no more waiting; ${cli.keep ? 'nothing is deleted (--keep)' : 'sending the Deletes of what this run made'}. ${key} again exits at once.`,
      );
      runner.interrupt();
      return;
    }
    say(`${signal} again: exiting at once. ${mayBeLeft(runner)}`);
    process.exit(130);
  };
  if (options.handleSignals) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
  let ok = true;
  const startedAt = runner.now();
  try {
    for (const plan of plans) {
      if (interrupted) break;
      if (!(await runPlan(runner, plan, cli.keep, () => interrupted))) ok = false;
    }
    if (runner.executionErrors.length > 0) ok = false;
    // A request CloudFormation gave up on gets no answer it waits for; every other exactly one.
    if (runner.results.some((r) => (r.answers !== 1 && !r.abandoned) || r.responseBytes > 4096)) ok = false;
    // What the run made in Atlas and left there: nothing, when the Deletes (or the provider's cleanup) did their work.
    const regions = cli.properties && (cli.atlasBaseUrl || cli.cancelAfter !== undefined || interrupted) ? regionsOf(cli) : [];
    const left = regions.length > 0 ? await leftBehind(runner, regions, startedAt) : undefined;
    if (left && (left.error || (left.ids.length > 0 && !cli.keep))) ok = false;
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
          ...(left ? { leftInAtlas: left.error ? null : left.ids } : {}),
          ...(interrupted ? { interrupted: true } : {}),
        })}\n`,
      );
    } else {
      io.stdout(summaryTable(runner.results));
      if (left)
        io.stdout(
          `Left in Atlas by this run: ${
            left.error
              ? `unknown: the services could not be listed (${left.error}); look in the project's private endpoints`
              : left.ids.length
                ? `${left.ids.join(', ')}${cli.keep ? ' (kept: --keep)' : ''}`
                : 'nothing'
          }\n`,
        );
    }
    return { results: runner.results, atlasCalls, ok: ok && !interrupted, interrupted };
  } finally {
    if (options.handleSignals) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    await runner.stop();
  }
}

/** One plan, as CloudFormation would run its stack: creates and updates in order, deletes in reverse; after `stopped()`, only the deletes. */
async function runPlan(runner: LocalRunner, plan: Plan, keep: boolean, stopped: () => boolean = () => false): Promise<boolean> {
  const serviceResource = { logicalResourceId: plan.names.service };
  let service: { physicalResourceId: string; properties: Properties; id?: string } | undefined;
  if (plan.properties && plan.cancelAfter !== undefined) {
    const { rollback } = await runner.cancelledCreate(plan.properties, plan.cancelAfter, serviceResource);
    return rollback.status === 'SUCCESS';
  }
  if (plan.properties) {
    // Interrupted, the Create goes unanswered and the runner sends the Delete CloudFormation would (a made-up id).
    const { create } = await runner.create(plan.properties, serviceResource);
    if (create.status !== 'SUCCESS') return false;
    service = { physicalResourceId: create.physicalResourceId, properties: plan.properties, id: create.data?.Id };
    for (const change of plan.updates) {
      if (stopped()) break;
      const properties: Properties = { ...service.properties, ...change };
      const { update } = await runner.update(service, properties, serviceResource);
      if (update.status !== 'SUCCESS') return (await deleteService()) && false;
      service = { physicalResourceId: update.physicalResourceId, properties, id: update.data?.Id };
    }
  }
  let ok = true;
  if (plan.register && !stopped()) {
    const registration = { logicalResourceId: plan.names.registration, resourceType: RESOURCE_TYPE_ENDPOINT };
    // The tour's endpoint is made up; yours is given.
    const named = plan.register === true ? undefined : plan.register.ProviderName;
    const provider = String(named ?? service?.properties.ProviderName ?? 'AWS').toUpperCase();
    const given = plan.register === true ? madeUpRegistration(provider) : plan.register;
    const properties: Properties = {
      ...(service ? { ProjectId: service.properties.ProjectId, EndpointServiceId: service.id } : {}),
      ProviderName: provider,
      ...(plan.clusters.length > 0 ? { ClusterNames: plan.clusters } : {}),
      ...given,
    };
    const madeUp = service ? madeUpClusters(runner, plan.clusters, service.properties) : [];
    try {
      const { create } = await runner.create(properties, registration);
      if (create.status !== 'SUCCESS') ok = false;
      else if (!keep) {
        const d = await runner.delete({ physicalResourceId: create.physicalResourceId, properties }, registration);
        if (d.status !== 'SUCCESS') ok = false;
      }
    } finally {
      for (const name of madeUp) runner.emulator!.removeCluster(name, String(properties.ProjectId));
    }
  }
  return (await deleteService()) && ok;

  async function deleteService(): Promise<boolean> {
    if (keep || !service) return true;
    return (await runner.delete(service, serviceResource)).status === 'SUCCESS';
  }
}

/**
 * On the embedded emulator, the named clusters do not exist until made up: each in the registration's
 * provider and its service's region, removed after the registration (the tour reuses the names on the next
 * provider). Against any other Atlas they are yours. Returns the names made up.
 */
function madeUpClusters(runner: LocalRunner, names: readonly string[], service: Properties): string[] {
  const emulator = runner.emulator;
  const place = placeOf(service);
  if (!emulator || names.length === 0 || !place) return [];
  for (const name of names) {
    emulator.addCluster({ name, projectId: place.projectId, providerName: place.provider, regions: [place.atlasRegion] });
  }
  return [...names];
}

/** Where a service's properties put it: project, cloud provider and region in Atlas's spelling; none when they do not parse. */
function placeOf(properties: Properties): { projectId: string; provider: CloudProvider; atlasRegion: string } | undefined {
  const parsed = parseServiceProperties(properties);
  if (!parsed.ok) return undefined;
  const { projectId, provider, region } = parsed.value;
  return { projectId, provider, atlasRegion: guessAtlasRegionName(provider, region.atlasName ?? region.input) };
}

/** The properties of each service the plan asks for: the Create's, and each Update's merged over the previous. */
function regionsOf(cli: Cli): Properties[] {
  const all: Properties[] = [cli.properties!];
  for (const change of cli.updates) all.push({ ...all[all.length - 1], ...change });
  return all;
}

/**
 * Ids of the services in the plan's regions made since the run started (ObjectIds carry their creation time),
 * or why they could not be listed.
 */
async function leftBehind(runner: LocalRunner, plan: Properties[], since: number): Promise<{ ids: string[]; error?: string }> {
  const ids = new Set<string>();
  const looked = new Set<string>();
  try {
    for (const properties of plan) {
      const place = placeOf(properties);
      if (!place) continue;
      const { projectId, provider, atlasRegion: atlasName } = place;
      if (looked.has(`${projectId}/${provider}/${atlasName}`)) continue;
      looked.add(`${projectId}/${provider}/${atlasName}`);
      const services = await runner.servicesIn(projectId, provider);
      for (const s of services) if (s.regionName === atlasName && createdSince(s, since)) ids.add(`${s.id} (${s.status})`);
    }
  } catch (err) {
    return { ids: [...ids], error: (err as Error).message };
  }
  return { ids: [...ids] };
}

/**
 * For a run stopped at once: what CloudFormation was told was made (SUCCESS answers to Creates and Updates) and
 * not deleted since, and the requests still unanswered whose execution has not ended having removed what it
 * made (an execution CloudFormation gave up on removes what it made itself: the Delete of the id CloudFormation
 * made up names nothing).
 */
export function mayBeLeft(runner: Pick<LocalRunner, 'requests' | 'resultOf' | 'stateMachine'>): string {
  const made = new Map<string, string>();
  const unanswered: string[] = [];
  const executions = runner.stateMachine.executions();
  const cleanedUp = (event: CloudFormationRequest) =>
    executions.some(
      (e) =>
        e.input.request.ResponseURL === event.ResponseURL && e.status !== 'RUNNING' && e.latest.outcome === 'DONE' && !e.latest.leftInAtlas,
    );
  for (const pending of runner.requests) {
    const r = runner.resultOf(pending);
    const what = `${r.logicalResourceId} ${r.physicalResourceId}`;
    if (r.requestType === 'Delete') {
      if (r.status === 'SUCCESS') made.delete(r.physicalResourceId);
    } else if (r.status === 'SUCCESS') made.set(r.physicalResourceId, what);
    else if (r.status === 'NO_ANSWER' && !cleanedUp(pending.event)) {
      const p = pending.event.ResourceProperties ?? {};
      unanswered.push(
        `${r.logicalResourceId} (its unanswered ${r.requestType}: project ${String(p.ProjectId)}, ${String(p.ProviderName ?? 'AWS')} ${String(p.Region ?? p.EndpointServiceId ?? '')})`.trim(),
      );
    }
  }
  const items = [...made.values(), ...unanswered];
  return items.length === 0
    ? 'Nothing this run made is known to be left in Atlas.'
    : `May be left in Atlas: ${items.join('; ')}. Look at the project's private endpoints in Atlas and delete what you do not want.`;
}

/** What to check for each kind of transport failure, by the error codes Node.js and undici give it. */
const TRANSPORT_HINTS: [RegExp, string][] = [
  [/\b(ENOTFOUND|EAI_AGAIN)\b/, "the host name does not resolve: check the network (DNS) and the base URL's host"],
  [/\b(ECONNREFUSED)\b/, "nothing listens there: check the base URL's host and port, and that the server is running"],
  [
    /\b(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|EHOSTUNREACH|ENETUNREACH|ENETDOWN)\b/,
    'no route or no answer: check the network, a firewall, or the proxy (HTTPS_PROXY)',
  ],
  [/\b(ECONNRESET|EPIPE|UND_ERR_SOCKET)\b/, 'the connection was cut: check a firewall or proxy between here and Atlas'],
  [
    /\b(CERT_\w+|UNABLE_TO_\w+|\w*SELF_SIGNED\w*|ERR_TLS_\w+|ERR_SSL_\w+|EPROTO)\b/,
    'the TLS handshake failed: check the base URL (https for Atlas), and a proxy that inspects TLS (NODE_EXTRA_CA_CERTS)',
  ],
];

/** Says, once per kind, when the provider's log shows that Atlas could not be reached, and what to check. */
export function transportWatch(baseUrl: string | undefined, say: (line: string) => void): (fields: object) => void {
  const seen = new Set<string>();
  return (fields) => {
    const text = JSON.stringify(fields);
    for (const [pattern, hint] of TRANSPORT_HINTS) {
      const code = pattern.exec(text)?.[1];
      if (!code || seen.has(hint)) continue;
      seen.add(hint);
      say(
        `  cannot reach Atlas${baseUrl ? ` at ${baseUrl}` : ''} (${code}): ${hint}; the provider keeps trying until the request's deadline`,
      );
    }
  };
}

/** The provider's log lines: to the transport watch always, as JSON lines to `write` with --verbose. */
function progressLogger(write: ((s: string) => void) | undefined, watch: (fields: object) => void) {
  const line =
    (level: string) =>
    (message: string, ...extra: object[]) => {
      const fields = Object.assign({ level, message }, ...extra) as object;
      watch(fields);
      write?.(`${JSON.stringify(fields, redactSecrets)}\n`);
    };
  return { debug: line('DEBUG'), info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}

function defaultProject(): string {
  return DEFAULT_PROJECT_ID;
}

/** The terminal the summary is laid out for. */
export const SUMMARY_COLUMNS = 100;

const LEGEND =
  "Columns: # numbers the request for the details below the table; request is the resource's logical id and " +
  "CloudFormation's request type; status is the provider's answer (SUCCESS or FAILED; NO_ANSWER when CloudFormation gave up first); sim s is how long " +
  'the request took on the clock the provider and Atlas share (simulated on the embedded emulator); ' +
  'Atlas calls counts the HTTP calls to Atlas; bytes is the size of the answer (CloudFormation accepts ' +
  'at most 4096).';

/**
 * A table of short columns that fits `SUMMARY_COLUMNS`, a legend, then per request its physical id, what it
 * produced and, for a failure, the whole reason: wrapped, never cut.
 */
export function summaryTable(results: readonly RequestResult[], columns = SUMMARY_COLUMNS): string {
  const header = ['#', 'request', 'status', 'sim s', 'Atlas calls', 'bytes'];
  const right = [true, false, false, true, true, true];
  const rows = results.map((r, i) => [
    String(i + 1),
    `${r.logicalResourceId} ${r.requestType}`,
    r.status,
    String(r.simulatedSeconds),
    String(r.atlasCalls),
    String(r.responseBytes),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', ...wrap(LEGEND, columns, ''), ''];
  const indent = ' '.repeat(String(results.length).length + 2);
  results.forEach((r, i) => {
    out.push(...wrap(`physical id ${r.physicalResourceId || '(none)'}`, columns, `${String(i + 1).padStart(indent.length - 2)}  `, indent));
    const produced = keyAttribute(r);
    if (produced) out.push(...wrap(produced, columns, indent));
    for (const line of connectionLines(r)) out.push(...wrap(line, columns, indent));
    if (r.reason) out.push(...wrap(`reason: ${r.reason}`, columns, indent));
  });
  return `${out.join('\n')}\n`;
}

/** Word-wraps `text` to `columns`, the first line after `first`, the rest after `rest`; a word too long for a line is split, not cut. */
export function wrap(text: string, columns: number, first: string, rest = first): string[] {
  const lines: string[] = [];
  let current = first;
  let fresh = true;
  const push = () => {
    lines.push(current);
    current = rest;
    fresh = true;
  };
  for (let word of text.split(/\s+/).filter(Boolean)) {
    if (!fresh && current.length + 1 + word.length > columns) push();
    while (current.length + (fresh ? 0 : 1) + word.length > columns) {
      const room = columns - current.length - (fresh ? 0 : 1);
      current += `${fresh ? '' : ' '}${word.slice(0, room)}`;
      word = word.slice(room);
      push();
    }
    current += `${fresh ? '' : ' '}${word}`;
    fresh = false;
  }
  if (!fresh) lines.push(current);
  return lines;
}

/** A registration's private connection strings, one line each (`ClusterNames`). */
function connectionLines(r: RequestResult): string[] {
  const d = r.data;
  if (!d) return [];
  const lines = (cluster: string, s: Partial<ClusterConnectionStrings>) => [
    `${cluster}: ${s.srvConnectionString || s.connectionString}`,
    ...(s.srvShardOptimizedConnectionString ? [`${cluster} (shard-optimized): ${s.srvShardOptimizedConnectionString}`] : []),
  ];
  if (d[SINGLE_CLUSTER_ATTRIBUTES.srvConnectionString] !== undefined || d[SINGLE_CLUSTER_ATTRIBUTES.connectionString] !== undefined) {
    return lines('private connection string', {
      connectionString: d[SINGLE_CLUSTER_ATTRIBUTES.connectionString],
      srvConnectionString: d[SINGLE_CLUSTER_ATTRIBUTES.srvConnectionString],
      srvShardOptimizedConnectionString: d[SINGLE_CLUSTER_ATTRIBUTES.srvShardOptimizedConnectionString],
    });
  }
  if (d[CONNECTION_STRINGS_ATTRIBUTE] === undefined) return [];
  const map = JSON.parse(d[CONNECTION_STRINGS_ATTRIBUTE]) as Record<string, ClusterConnectionStrings>;
  return Object.entries(map).flatMap(([cluster, s]) => lines(`private connection string of ${cluster}`, s));
}

function keyAttribute(r: RequestResult): string {
  const d = r.data;
  if (!d) return '';
  if (d.ConnectionStatus && d.ProviderName === 'AZURE')
    return `private endpoint ${d.InterfaceEndpointId} at ${d.PrivateEndpointIpAddress}: ${d.ConnectionStatus}`;
  if (d.ConnectionStatus && d.ProviderName === 'GCP')
    return `endpoint group ${d.EndpointGroupName} of GCP project ${d.GcpProjectId}: ${d.ConnectionStatus}`;
  if (d.ConnectionStatus) return `interface endpoint ${d.InterfaceEndpointId}: ${d.ConnectionStatus}`;
  if (d.EndpointServiceName) return `endpoint service name ${d.EndpointServiceName} (${d.Status})`;
  if (d.PrivateLinkServiceName) return `Private Link service ${d.PrivateLinkServiceName} (${d.Status})`;
  if (d.ServiceAttachmentNames) return `${d.ServiceAttachmentNames.split(',').length} service attachment(s) (${d.Status})`;
  return d.Status ? `status ${d.Status}` : '';
}

if (require.main === module) {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  run(cli, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }, { handleSignals: true })
    .then(({ ok, interrupted }) => process.exit(interrupted ? 130 : ok ? 0 : 1))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
