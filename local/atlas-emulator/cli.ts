/**
 * `npm run atlas-emulator -- [options]`: the emulator on its own, for curl, another tool, or the local
 * runner of another checkout. Prints its base URL as the first line of stdout and serves until stopped.
 */
import { parseArgs } from 'node:util';
import { SystemClock } from './clock';
import {
  DEFAULT_API_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_SERVICE_ACCOUNT,
  DEFAULT_SHAPES,
  DEFAULT_TIMINGS,
  type EmulatorCluster,
  type EmulatorTimingOverrides,
  type ProviderTimings,
  resolveCluster,
  resolveShapes,
  resolveTimings,
  type ResponseShapes,
} from './config';
import { CLOUD_PROVIDERS, type CloudProvider } from '../../lambda/model/provider';
import { ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT, type RateLimitSettings } from './rate-limit';
import { startAtlasEmulator } from './server';

const HELP = `Usage: npm run atlas-emulator -- [options]

A local Atlas Administration API v2 for private endpoint services and the cluster read (MongoDB's published
contract).

Options (all optional):
  --port N             port on 127.0.0.1 (default 0: any free port; the URL is printed)
  --project-id ID      the project that exists, 24 hex digits (default ${DEFAULT_PROJECT_ID})
  --public-key K       API key public part (default ${DEFAULT_API_KEY.publicKey})
  --private-key P      API key private part (default: a fixed development value, printed on stderr)
  --client-id I        service account client id (default ${DEFAULT_SERVICE_ACCOUNT.clientId})
  --client-secret S    service account secret (default: a fixed development value, printed on stderr)
  --time-scale F       emulated seconds per real second (default 1; 60 turns minutes into seconds)
  --rate-limit C/R/S   per-project token bucket: capacity C, refill R tokens every S seconds
                       (default ${ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT.capacity}/${ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT.refillRate}/${ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT.refillDurationSeconds}, Atlas's documented limit; "off" for none)
  --timing [P.]NAME=S  how many emulated seconds a change takes (repeatable), for every provider or for
                       provider P (AWS, AZURE, GCP); NAME one of
                       ${Object.keys(DEFAULT_TIMINGS.AWS).join(', ')}
                       (defaults: the recorded times, e.g. AWS.serviceCreate=${DEFAULT_TIMINGS.AWS.serviceCreate})
  --cluster SPEC       a cluster of the project (repeatable), for its private-endpoint connection strings:
                       NAME[@PROVIDER[:REGION[+REGION...]]][:SHARDED], e.g. Cluster0,
                       Cluster1@AWS:us-east-1+us-west-2, Shards@GCP:CENTRAL_US:SHARDED (default AWS in
                       US_EAST_1, AZURE in US_EAST_2, GCP in CENTRAL_US; a replica set unless :SHARDED)
  --shape NAME=VALUE   an older answer shape instead of the recorded one (repeatable):
                       readyStatus=WAITING_FOR_USER, gcpServiceAttachments=documented,
                       unauthorized=unexpected-error, unknownInterfaceEndpoint=older
  -h, --help           this text

It serves until stopped (Ctrl-C, kill PID), or until the process that started it ends (kill %1 in a shell
ends npm, and the emulator with it); its PID is on the first line of stderr.
`;

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        port: { type: 'string' },
        'project-id': { type: 'string' },
        'public-key': { type: 'string' },
        'private-key': { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'time-scale': { type: 'string' },
        'rate-limit': { type: 'string' },
        shape: { type: 'string', multiple: true },
        cluster: { type: 'string', multiple: true },
        timing: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const usage = (message: string): never => {
    process.stderr.write(`${message}\n\n${HELP}`);
    process.exit(2);
  };
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be 0-65535, got ${values.port}`);
  const projectId = values['project-id'] ?? DEFAULT_PROJECT_ID;
  if (!/^[a-f0-9]{24}$/.test(projectId)) usage(`--project-id must be 24 lowercase hex digits, got ${projectId}`);
  const timeScale = values['time-scale'] === undefined ? 1 : Number(values['time-scale']);
  if (!(timeScale > 0)) usage(`--time-scale must be a number > 0, got ${values['time-scale']}`);
  let rateLimit: RateLimitSettings | false | undefined;
  const rateLimitText = values['rate-limit'];
  if (rateLimitText === 'off') rateLimit = false;
  else if (rateLimitText !== undefined) {
    const m = /^(\d+)\/(\d+)\/(\d+)$/.exec(rateLimitText);
    const [capacity, refillRate, refillDurationSeconds] = m ? m.slice(1).map(Number) : [];
    if (!m || !(capacity >= 1 && refillRate >= 1 && refillDurationSeconds >= 1)) {
      usage(`--rate-limit must be capacity/refill/seconds (positive integers, e.g. 4000/2000/60) or off, got ${rateLimitText}`);
    }
    rateLimit = { capacity, refillRate, refillDurationSeconds };
  }
  const shapes: Record<string, string> = {};
  for (const pair of values.shape ?? []) {
    const [name, value] = pair.split('=');
    if (!name || !value || !(name in DEFAULT_SHAPES))
      usage(`--shape must be NAME=VALUE with NAME one of ${Object.keys(DEFAULT_SHAPES).join(', ')}, got ${pair}`);
    shapes[name] = value;
  }
  try {
    resolveShapes(shapes as Partial<ResponseShapes>);
  } catch (err) {
    usage(`--shape: ${(err as Error).message}`);
  }
  const timings: EmulatorTimingOverrides = {};
  for (const pair of values.timing ?? []) {
    const m = /^(?:(AWS|AZURE|GCP)\.)?(\w+)=(\d+(?:\.\d+)?)$/.exec(pair);
    if (!m || !(m[2] in DEFAULT_TIMINGS.AWS))
      usage(`--timing must be [PROVIDER.]NAME=SECONDS with NAME one of ${Object.keys(DEFAULT_TIMINGS.AWS).join(', ')}, got ${pair}`);
    const [, provider, name, seconds] = m!;
    for (const p of provider ? [provider as CloudProvider] : CLOUD_PROVIDERS)
      timings[p] = { ...timings[p], [name as keyof ProviderTimings]: Number(seconds) };
  }
  try {
    resolveTimings(timings);
  } catch (err) {
    usage(`--timing: ${(err as Error).message}`);
  }
  const clusters: EmulatorCluster[] = [];
  for (const spec of values.cluster ?? []) {
    const cluster = parseClusterSpec(spec);
    if (!cluster) usage(`--cluster must be NAME[@PROVIDER[:REGION[+REGION...]]][:SHARDED], got ${spec}`);
    try {
      resolveCluster(cluster!, [projectId]);
    } catch (err) {
      usage(`--cluster: ${(err as Error).message}`);
    }
    clusters.push(cluster!);
  }
  const apiKey = {
    publicKey: values['public-key'] ?? DEFAULT_API_KEY.publicKey,
    privateKey: values['private-key'] ?? DEFAULT_API_KEY.privateKey,
  };
  const serviceAccount = {
    clientId: values['client-id'] ?? DEFAULT_SERVICE_ACCOUNT.clientId,
    clientSecret: values['client-secret'] ?? DEFAULT_SERVICE_ACCOUNT.clientSecret,
  };

  startAtlasEmulator({
    port,
    projectIds: [projectId],
    clock: new SystemClock(timeScale),
    credentials: { apiKeys: [apiKey], serviceAccounts: [serviceAccount] },
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    shapes: shapes as Partial<ResponseShapes>,
    timings,
    clusters,
  })
    .then((emulator) => {
      process.stdout.write(`${emulator.baseUrl}\n`);
      // A local development tool: its own credentials are printed so that they can be used.
      process.stderr.write(
        [
          `Atlas emulator at ${emulator.baseUrl} (time scale ${timeScale}), PID ${process.pid}`,
          `  answer shapes:   ${Object.entries(emulator.shapes)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
          `  rate limit:      ${emulator.rateLimit ? `${emulator.rateLimit.capacity} per project, refill ${emulator.rateLimit.refillRate} per ${emulator.rateLimit.refillDurationSeconds} s` : 'off'}`,
          `  project:         ${projectId}`,
          ...emulator.clusters().map((c) => `  cluster:         ${c.name} (${c.clusterType}, ${c.connectionStrings.standardSrv})`),
          `  API key:         ${apiKey.publicKey}:${apiKey.privateKey}  (curl --digest -u)`,
          `  service account: ${serviceAccount.clientId} / ${serviceAccount.clientSecret}`,
          '',
        ].join('\n'),
      );
      const stop = () => void emulator.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      // Started by npm from a shell, `kill %1` ends npm but not its script's child: leave with the parent, so the
      // port is free for the next run. A parent that ends hands its children to another process (a new ppid).
      const parent = process.ppid;
      setInterval(() => {
        if (process.ppid !== parent) stop();
      }, 500).unref();
    })
    .catch((err: unknown) => {
      process.stderr.write(`Could not start the emulator: ${(err as Error).message}\n`);
      process.exit(1);
    });
}

/** `NAME[@PROVIDER[:REGION[+REGION...]]][:SHARDED]`; names and regions are checked by `resolveCluster`. */
function parseClusterSpec(spec: string): EmulatorCluster | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:@(AWS|AZURE|GCP)(?::([\w-]+(?:\+[\w-]+)*))?)?(:SHARDED)?$/i.exec(spec);
  if (!m) return undefined;
  const [, name, provider, regionList, shardedSuffix] = m;
  // `NAME@PROVIDER:SHARDED`: the word is the type, not a region.
  const sharded = shardedSuffix !== undefined || regionList?.toUpperCase() === 'SHARDED';
  const regions = regionList !== undefined && regionList.toUpperCase() !== 'SHARDED' ? regionList.split('+') : undefined;
  return {
    name,
    ...(provider ? { providerName: provider.toUpperCase() as CloudProvider } : {}),
    ...(regions ? { regions } : {}),
    ...(sharded ? { type: 'SHARDED' as const } : {}),
  };
}

main();
