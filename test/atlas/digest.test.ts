import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AtlasApiError, AtlasClient } from '../../lambda/atlas';
import { DigestSession, parseDigestChallenge } from '../../lambda/atlas/digest';
// An independent digest implementation (server side) to hold the client to.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpAuth = require('http-auth') as {
  digest(
    options: { realm: string },
    checker: (user: string, cb: (hash: string) => void) => void,
  ): {
    nonces: unknown[];
    check(listener: (req: unknown, res: import('node:http').ServerResponse) => void): (req: unknown, res: unknown) => void;
  };
};

describe('digest response (RFC test vectors)', () => {
  it('matches RFC 2617 section 3.5 (MD5, qop=auth)', () => {
    const c = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    const s = new DigestSession('Mufasa', 'Circle Of Life', () => '0a4f113b');
    s.accept(c);
    const header = s.authorization('GET', '/dir/index.html')!;
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toContain('nc=00000001');
    expect(header).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('matches RFC 7616 section 3.9.1 for MD5 and SHA-256', () => {
    const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
    const challenge = (alg: string) =>
      parseDigestChallenge(
        `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
      )!;
    const md5 = new DigestSession('Mufasa', 'Circle of Life', () => cnonce);
    md5.accept(challenge('MD5'));
    expect(md5.authorization('GET', '/dir/index.html')).toContain('response="8ca523f5e9506fed4657c9700eebdbec"');
    const sha = new DigestSession('Mufasa', 'Circle of Life', () => cnonce);
    sha.accept(challenge('SHA-256'));
    expect(sha.authorization('GET', '/dir/index.html')).toContain(
      'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"',
    );
  });

  it('counts nc per nonce and restarts it with a new nonce', () => {
    const s = new DigestSession('k', 'p', () => 'c');
    s.accept(parseDigestChallenge('Digest realm="MMS Public API", nonce="n1", qop="auth", algorithm=MD5')!);
    s.authorization('GET', '/a');
    expect(s.authorization('GET', '/a')).toContain('nc=00000002');
    s.accept(parseDigestChallenge('Digest realm="MMS Public API", nonce="n2", qop="auth", stale=true')!);
    expect(s.authorization('GET', '/a')).toContain('nc=00000001');
  });

  it('finds the Digest challenge among several schemes and reads quoted escapes and stale', () => {
    const c = parseDigestChallenge([
      'Bearer realm="x"',
      'Digest realm="MMS \\"Public\\" API", domain="", nonce="abc", algorithm=MD5, qop="auth", stale=TRUE',
    ])!;
    expect(c).toMatchObject({ realm: 'MMS "Public" API', nonce: 'abc', algorithm: 'MD5', qop: ['auth'], stale: true });
    expect(parseDigestChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseDigestChallenge(undefined)).toBeUndefined();
  });

  it('refuses what it cannot answer correctly', () => {
    const s = new DigestSession('k', 'p');
    expect(() => s.accept(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"')!)).toThrow(/qop/);
    expect(() => s.accept(parseDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-1')!)).toThrow(/algorithm/);
  });
});

describe('digest client against an independent server (http-auth)', () => {
  const realm = 'MMS Public API';
  const project = '5f1e0a1b2c3d4e5f6a7b8c9d';
  let server: Server;
  let baseUrl: string;
  let digest: ReturnType<typeof httpAuth.digest>;
  let requests: { authorization: boolean }[];

  beforeAll(async () => {
    digest = httpAuth.digest({ realm }, (user, cb) => {
      cb(user === 'public-key' ? createHash('md5').update(`public-key:${realm}:private-key`).digest('hex') : 'no-such-user');
    });
    const guarded = digest.check((_req, res) => {
      res.setHeader('content-type', 'application/vnd.atlas.2023-01-01+json;charset=utf-8');
      res.end('[]');
    });
    server = createServer((req, res) => {
      requests.push({ authorization: req.headers.authorization !== undefined });
      guarded(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    requests = [];
  });

  it('answers the first challenge, then reuses the nonce without another round trip', async () => {
    const client = new AtlasClient({ baseUrl, credentials: { kind: 'api-key', publicKey: 'public-key', privateKey: 'private-key' } });
    await expect(client.listEndpointServices(project, 'AWS')).resolves.toEqual([]);
    expect(requests).toEqual([{ authorization: false }, { authorization: true }]);
    await expect(client.listEndpointServices(project, 'GCP')).resolves.toEqual([]);
    expect(requests).toHaveLength(3);
    await client.close();
  });

  it('answers a stale=true re-challenge once the server forgot its nonce', async () => {
    const client = new AtlasClient({ baseUrl, credentials: { kind: 'api-key', publicKey: 'public-key', privateKey: 'private-key' } });
    await client.listEndpointServices(project, 'AWS');
    digest.nonces.length = 0; // every nonce handed out so far is now unknown: the server answers stale=true
    requests = [];
    await expect(client.listEndpointServices(project, 'AWS')).resolves.toEqual([]);
    expect(requests).toEqual([{ authorization: true }, { authorization: true }]);
    await client.close();
  });

  it('fails with a 401 AtlasApiError for a wrong private key, without looping', async () => {
    const client = new AtlasClient({ baseUrl, credentials: { kind: 'api-key', publicKey: 'public-key', privateKey: 'wrong' } });
    const err = await client.listEndpointServices(project, 'AWS').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasApiError);
    expect((err as AtlasApiError).status).toBe(401);
    expect((err as AtlasApiError).retryable).toBe(false);
    expect(requests.length).toBeLessThanOrEqual(3);
    expect((err as Error).message).not.toContain('wrong');
    await client.close();
  });
});
