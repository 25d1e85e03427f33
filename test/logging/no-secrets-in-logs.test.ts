/**
 * Runs the client, credentials and provider code through their scenarios, success and failure, with the
 * real Powertools logger at DEBUG, and fails if any key, secret, token, Authorization header or pre-signed
 * URL signature appears in what was written or in an error message or answer.
 */
import { AtlasClient } from '../../lambda/atlas';
import { CredentialsStore } from '../../lambda/credentials';
import { createLogger } from '../../lambda/logging';
import {
  DEFAULT_API_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_SERVICE_ACCOUNT,
  startAtlasEmulator,
  type AtlasEmulator,
} from '../../local/atlas-emulator';
import { LocalRunner } from '../../local/runner/runner';
import { RecordingProxy } from '../support/recording-proxy';

const PROJECT = DEFAULT_PROJECT_ID;

describe('no secret reaches a log line, an error or an answer', () => {
  let emulator: AtlasEmulator;
  let proxy: RecordingProxy;
  const written: string[] = [];
  const messages: string[] = [];
  let restore: () => void;

  beforeAll(async () => {
    emulator = await startAtlasEmulator();
    proxy = await new RecordingProxy(emulator.baseUrl).start();
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const capture = (chunk: unknown) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    restore = () => {
      process.stdout.write = out;
      process.stderr.write = err;
    };
  });
  afterAll(async () => {
    restore();
    await proxy.stop();
    await emulator.close();
  });

  const collect = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      messages.push(String(e), (e as Error).message, JSON.stringify(e), (e as Error).stack ?? '');
    }
  };

  it('runs the scenarios', async () => {
    const logger = createLogger('leak-test', 'DEBUG');
    for (const credentials of [
      { kind: 'api-key' as const, ...DEFAULT_API_KEY },
      { kind: 'service-account' as const, ...DEFAULT_SERVICE_ACCOUNT },
      { kind: 'api-key' as const, publicKey: DEFAULT_API_KEY.publicKey, privateKey: 'wrong-private-key-value' },
      { kind: 'service-account' as const, clientId: DEFAULT_SERVICE_ACCOUNT.clientId, clientSecret: 'mdb_sa_sk_wrong-secret-value' },
    ]) {
      const c = new AtlasClient({ baseUrl: proxy.url, credentials, logger, now: () => emulator.clock.now(), sleep: async () => undefined });
      await collect(c.listEndpointServices(PROJECT, 'AWS'));
      emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
      await collect(c.createEndpointService(PROJECT, { providerName: 'AWS', region: 'us-east-1' }));
      emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 429, retryAfterSeconds: 1 });
      await collect(c.listEndpointServices(PROJECT, 'AWS'));
      emulator.advance(4000); // stale nonces, expired tokens
      await collect(c.listEndpointServices(PROJECT, 'GCP'));
      await collect(c.getEndpointService(PROJECT, 'AWS', 'aaaaaaaaaaaaaaaaaaaaaaaa'));
      await c.close();
      emulator.reset();
    }

    for (const secret of ['{"PublicKey":"pub-leak-1","PrivateKey":"priv-leak-2" broken', JSON.stringify({ ClientId: 'id-leak-3' })]) {
      const p = new CredentialsStore({ reader: { getSecretString: async () => secret }, logger });
      await collect(p.get({ profile: 'leaky' }));
    }

    const runner = await LocalRunner.start({ emulator, atlasBaseUrl: proxy.url, logger });
    const props = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' };
    const { create } = await runner.create(props);
    await runner.update(
      { physicalResourceId: create.physicalResourceId, properties: props },
      { ...props, SupportedRemoteRegions: ['us-west-2'] },
    );
    await runner.delete({ physicalResourceId: create.physicalResourceId, properties: props });
    emulator.faults.nextService({ outcome: 'FAILED', errorMessage: 'capacity' });
    await runner.create(props);
    await runner.create({ ...props, Region: 'nowhere' });
    for (const r of runner.results) messages.push(r.reason ?? '', JSON.stringify(r.data ?? {}));
    const responseUrls = runner.responsePeer;
    await runner.stop();
    expect(responseUrls).toBeDefined();
    expect(written.join('').length).toBeGreaterThan(1000); // the logger really wrote
  });

  it('finds none of them in what was written', () => {
    const secrets = [
      DEFAULT_API_KEY.privateKey,
      DEFAULT_SERVICE_ACCOUNT.clientSecret,
      'wrong-private-key-value',
      'mdb_sa_sk_wrong-secret-value',
      'priv-leak-2',
      'pub-leak-1',
      Buffer.from(`${DEFAULT_SERVICE_ACCOUNT.clientId}:${DEFAULT_SERVICE_ACCOUNT.clientSecret}`).toString('base64'),
    ];
    const authorizations = proxy.exchanges.map((x) => x.requestHeaders.authorization).filter((a): a is string => typeof a === 'string');
    const tokens = proxy.exchanges
      .filter((x) => x.path === '/api/oauth/token' && x.status === 200)
      .map((x) => (JSON.parse(x.responseBody ?? '{}') as { access_token?: string }).access_token)
      .filter((t): t is string => typeof t === 'string');
    expect(authorizations.length).toBeGreaterThan(10);
    expect(tokens.length).toBeGreaterThan(0);
    const haystack = written.join('\n') + messages.join('\n');
    for (const needle of [...secrets, ...tokens, ...authorizations, ...authorizations.map((a) => a.split(' ').pop()!)]) {
      expect(haystack.includes(needle) ? needle : 'absent').toBe('absent');
    }
    for (const pattern of [
      /Digest username=/i,
      /Bearer [A-Za-z0-9._-]{8,}/,
      /Basic [A-Za-z0-9+/=]{8,}/,
      /X-Amz-Signature/i,
      /cloudformation-responses/,
    ]) {
      expect(haystack.match(pattern)?.[0] ?? 'absent').toBe('absent');
    }
  });
});
