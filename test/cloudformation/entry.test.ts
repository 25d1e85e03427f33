/**
 * The gate in front of both functions: which ResponseURLs an answer may go to, which stacks are served,
 * which events are dropped and which are answered at once. Hosts are CloudFormation's response buckets as
 * they appear in real events (virtual-hosted S3, both domain styles, China's domain).
 */
import { checkEvent } from '../../lambda/cloudformation/entry';
import { checkResponseUrl, redactResponseUrl } from '../../lambda/cloudformation/response-url';
import { homeOfFunctionArn, parseStackId } from '../../lambda/cloudformation/stack-id';

const home = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
const SIG = '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0123456789abcdef';
const good = `https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws%3Acloudformation%3Aeu-west-1%3A123456789012%3Astack/app/1%7CService%7Creq-1${SIG}`;

describe('ResponseURL', () => {
  it.each([
    good,
    `https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/key${SIG}`,
    `https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/key${SIG}`,
  ])('accepts the response bucket of its own region: %s', (url) => {
    expect(checkResponseUrl(url, { home })).toMatchObject({ ok: true });
  });

  it('accepts the China partition only in China', () => {
    const cn = 'https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/key';
    expect(checkResponseUrl(cn, { home: { partition: 'aws-cn', region: 'cn-north-1', account: '123456789012' } })).toMatchObject({
      ok: true,
    });
    expect(checkResponseUrl(cn, { home })).toMatchObject({ ok: false });
  });

  it.each([
    ['http', `http://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/key`],
    ['loopback http', 'http://127.0.0.1:8080/r'],
    ['localhost https', 'https://localhost/r'],
    ['another bucket', 'https://attacker-bucket.s3.amazonaws.com/r'],
    ['a look-alike suffix', 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com.evil.example/r'],
    ['a look-alike prefix', 'https://evil-cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/r'],
    ['another region', 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/r'],
    ['a host region that disagrees', 'https://cloudformation-custom-resource-response-euwest1.s3.us-east-1.amazonaws.com/r'],
    ['a port', 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com:8443/r'],
    ['credentials', 'https://user:pw@cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/r'],
    ['not a URL', 'not a url'],
    ['a file URL', 'file:///etc/passwd'],
    ['an IP', 'https://169.254.169.254/latest/meta-data'],
  ])('refuses %s', (_what, url) => {
    expect(checkResponseUrl(url, { home })).toMatchObject({ ok: false });
  });

  it('accepts loopback http only when the local runner asks for it', () => {
    expect(checkResponseUrl('http://127.0.0.1:8080/r', { home, allowLoopbackHttp: true })).toMatchObject({ ok: true });
    expect(checkResponseUrl('http://10.0.0.1:8080/r', { home, allowLoopbackHttp: true })).toMatchObject({ ok: false });
  });

  it('is logged without its query string', () => {
    expect(redactResponseUrl(good)).not.toContain('Signature');
    expect(redactResponseUrl(good)).toMatch(/^https:\/\/cloudformation-custom-resource-response-euwest1/);
    expect(redactResponseUrl('junk?X-Amz-Signature=secret')).toBe('junk');
  });
});

describe('stack and function ARNs', () => {
  it('parses a stack id and a function ARN, with or without a qualifier', () => {
    expect(parseStackId('arn:aws:cloudformation:eu-west-1:123456789012:stack/app/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab')).toEqual({
      ...home,
      stackName: 'app',
    });
    expect(homeOfFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:OnEvent')).toEqual(home);
    expect(homeOfFunctionArn('arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:OnEvent:live')).toEqual({
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      account: '123456789012',
    });
    expect(parseStackId('arn:aws:cloudformation:eu-west-1:123456789012:stack/../x')).toBeUndefined();
    expect(parseStackId('app')).toBeUndefined();
  });
});

describe('checkEvent', () => {
  const event = (over: Record<string, unknown> = {}) => ({
    RequestType: 'Create',
    ResponseURL: good,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/app/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab',
    RequestId: 'req-1',
    ResourceType: 'Custom::AtlasPrivateEndpointService',
    LogicalResourceId: 'Service',
    ResourceProperties: { ProjectId: '5f1e0a1b2c3d4e5f6a7b8c9d' },
    ...over,
  });

  it("accepts CloudFormation's event from a stack of its own account and region", () => {
    expect(checkEvent(event(), { home })).toMatchObject({ kind: 'accept', stack: { stackName: 'app' } });
  });

  it.each([
    ['another account', 'arn:aws:cloudformation:eu-west-1:999999999999:stack/app/1'],
    ['another region', 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1'],
    ['another partition', 'arn:aws-cn:cloudformation:eu-west-1:123456789012:stack/app/1'],
    ['no ARN', 'app'],
  ])('refuses a stack in %s (answered, not acted on)', (_what, StackId) => {
    const v = checkEvent(event({ StackId }), { home });
    expect(v.kind).toBe('refuse');
    expect(v.kind === 'refuse' && v.problem).toMatch(/StackId|Stack app/);
  });

  it('refuses every stack when it cannot tell its own home', () => {
    expect(checkEvent(event(), {})).toMatchObject({ kind: 'refuse', problem: expect.stringMatching(/own account/) });
  });

  it("drops an event whose ResponseURL is not CloudFormation's, logging it without the query string", () => {
    const v = checkEvent(event({ ResponseURL: 'https://attacker.example/collect?token=s3cr3t' }), { home });
    expect(v.kind).toBe('drop');
    expect(JSON.stringify(v)).not.toContain('s3cr3t');
    expect(v.kind === 'drop' && v.log.responseUrlWithoutQuery).toBe('https://attacker.example/collect');
  });

  it('names the malformed field', () => {
    expect(checkEvent(event({ RequestType: 'Destroy' }), { home })).toMatchObject({
      kind: 'refuse',
      problem: expect.stringMatching(/^RequestType "Destroy"/),
    });
    expect(checkEvent(event({ RequestId: 42 }), { home })).toMatchObject({
      kind: 'refuse',
      problem: expect.stringMatching(/^RequestId \(a number\)/),
    });
    expect(checkEvent(event({ ResourceProperties: 'x' }), { home })).toMatchObject({
      kind: 'refuse',
      problem: expect.stringMatching(/^ResourceProperties/),
    });
    expect(checkEvent(event({ RequestType: 'Delete' }), { home })).toMatchObject({
      kind: 'refuse',
      problem: expect.stringMatching(/PhysicalResourceId is missing/),
    });
    const big = checkEvent(event({ ResourceProperties: { Region: 'x'.repeat(200_000) } }), { home });
    expect(big).toMatchObject({ kind: 'refuse', problem: expect.stringMatching(/largest is Region/) });
  });
});
