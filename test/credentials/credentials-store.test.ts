import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CredentialsError, CredentialsStore, SecretsManagerReader } from '../../lambda/credentials';

/**
 * A stand-in for the Secrets Manager endpoint speaking its JSON protocol, so the real SDK client (the
 * adapter this code ships) is exercised over HTTP.
 */
class FakeSecretsManager {
  readonly secrets = new Map<string, string | { error: string; status?: number }>();
  readonly reads: string[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const { SecretId } = JSON.parse(body || '{}') as { SecretId: string };
        this.reads.push(SecretId);
        const found = this.secrets.get(SecretId);
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (target !== 'secretsmanager.GetSecretValue') {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: 'UnknownOperationException' }));
        } else if (found === undefined) {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." }));
        } else if (typeof found === 'object') {
          res.statusCode = found.status ?? 400;
          res.end(JSON.stringify({ __type: found.error, Message: 'refused' }));
        } else {
          res.end(
            JSON.stringify({
              ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SecretId}-AbCdEf`,
              Name: SecretId,
              SecretString: found,
            }),
          );
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('CredentialsStore with the Secrets Manager SDK client', () => {
  const fake = new FakeSecretsManager();
  let sdk: SecretsManagerClient;
  let now = 0;
  const store = () => new CredentialsStore({ reader: new SecretsManagerReader(sdk), now: () => now, maxAgeMs: 60_000 });

  beforeAll(async () => {
    await fake.start();
    sdk = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: fake.url,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    sdk.destroy();
    await fake.stop();
  });
  beforeEach(() => {
    fake.secrets.clear();
    fake.reads.length = 0;
    now = 0;
  });

  it('reads the default profile secret in the format of MongoDB CloudFormation resources, and caches it', async () => {
    fake.secrets.set('cfn/atlas/profile/default', JSON.stringify({ PublicKey: 'pub', PrivateKey: 'priv' }));
    const p = store();
    await expect(p.get()).resolves.toEqual({ credentials: { kind: 'api-key', publicKey: 'pub', privateKey: 'priv' } });
    await p.get({ profile: '' });
    expect(fake.reads).toEqual(['cfn/atlas/profile/default']);
    now = 60_001; // past the bounded age: read again, so a rotated secret is picked up
    await p.get();
    expect(fake.reads).toHaveLength(2);
  });

  it('reads a service account by explicit ARN, with BaseUrl', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas/sa-AbCdEf';
    fake.secrets.set(
      arn,
      JSON.stringify({ ClientId: 'mdb_sa_id_1', ClientSecret: 'mdb_sa_sk_2', BaseUrl: 'https://cloud.mongodbgov.com' }),
    );
    await expect(store().get({ secretArn: arn, profile: 'ignored' })).resolves.toEqual({
      credentials: { kind: 'service-account', clientId: 'mdb_sa_id_1', clientSecret: 'mdb_sa_sk_2' },
      baseUrl: 'https://cloud.mongodbgov.com',
    });
  });

  it('prefers the service account when a secret holds both pairs', async () => {
    fake.secrets.set('cfn/atlas/profile/both', JSON.stringify({ PublicKey: 'a', PrivateKey: 'b', ClientId: 'c', ClientSecret: 'd' }));
    await expect(store().get({ profile: 'both' })).resolves.toMatchObject({ credentials: { kind: 'service-account' } });
  });

  it('names the secret and the expected keys when the secret is missing', async () => {
    const err = await store()
      .get({ profile: 'prod' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toMatch(/cfn\/atlas\/profile\/prod was not found/);
    expect((err as Error).message).toMatch(/"PublicKey".*"PrivateKey"/);
    expect((err as Error).message).toMatch(/"ClientId".*"ClientSecret"/);
  });

  it('never repeats a value of a malformed secret', async () => {
    fake.secrets.set('cfn/atlas/profile/bad', '{"PublicKey": "pub-123", "PrivateKey": "very-secret-value" oops');
    const err = await store()
      .get({ profile: 'bad' })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/cfn\/atlas\/profile\/bad is not valid JSON/);
    expect((err as Error).message).not.toContain('very-secret-value');
    expect((err as Error).message).not.toContain('pub-123');
  });

  it('says which half of a key pair is missing, naming keys but not values', async () => {
    fake.secrets.set('cfn/atlas/profile/half', JSON.stringify({ PublicKey: 'pub-xyz', Other: 'zzz-value' }));
    const err = (await store()
      .get({ profile: 'half' })
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/"PublicKey" but no "PrivateKey"/);
    expect(err.message).toMatch(/Keys present: "PublicKey" \(and 1 other, not named here\)/);
    expect(err.message).not.toContain('pub-xyz');
    expect(err.message).not.toContain('zzz-value');
  });

  it('names no key that is not an expected one: a key may be a pasted secret', async () => {
    fake.secrets.set('cfn/atlas/profile/pasted', JSON.stringify({ 'mdb_sa_sk_pasted-secret-as-key': 'x', ClientId: 'mdb_sa_id_1' }));
    const err = (await store()
      .get({ profile: 'pasted' })
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/"ClientId" but no "ClientSecret"/);
    expect(err.message).not.toContain('pasted-secret-as-key');
  });

  it('reports a bad BaseUrl without repeating it, as a configuration error no retry fixes', async () => {
    for (const BaseUrl of [
      'http://internal.corp.example/private-token-abc',
      'https://user:pass-abc@cloud.mongodb.com',
      'not a url private-token-abc',
    ]) {
      fake.secrets.set('cfn/atlas/profile/base', JSON.stringify({ ClientId: 'mdb_sa_id_1', ClientSecret: 'mdb_sa_sk_2', BaseUrl }));
      const err = (await store()
        .get({ profile: 'base' })
        .catch((e: unknown) => e)) as CredentialsError;
      expect(err).toBeInstanceOf(CredentialsError);
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/cfn\/atlas\/profile\/base has a "BaseUrl" that is not accepted/);
      expect(err.message).not.toMatch(/private-token-abc|pass-abc|internal\.corp/);
    }
  });

  it('explains an access denial and marks throttling retryable', async () => {
    fake.secrets.set('cfn/atlas/profile/locked', { error: 'AccessDeniedException' });
    const denied = (await store()
      .get({ profile: 'locked' })
      .catch((e: unknown) => e)) as CredentialsError;
    expect(denied.message).toMatch(/secretsmanager:GetSecretValue/);
    expect(denied.retryable).toBe(false);
    fake.secrets.set('cfn/atlas/profile/busy', { error: 'ThrottlingException' });
    const busy = (await store()
      .get({ profile: 'busy' })
      .catch((e: unknown) => e)) as CredentialsError;
    expect(busy).toBeInstanceOf(CredentialsError);
    expect(busy.retryable).toBe(true);
  });

  it('rejects a profile or ARN that cannot name a secret, before any read', async () => {
    await expect(store().get({ profile: 'has space' })).rejects.toThrow(/Profile "has space"/);
    await expect(store().get({ secretArn: 'arn:aws:s3:::bucket' })).rejects.toThrow(/not a Secrets Manager secret ARN/);
    expect(fake.reads).toEqual([]);
  });
});
