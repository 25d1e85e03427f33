/**
 * Profile bindings from the construct to the functions: what a synthesized provider writes into both
 * functions' environment, read back with the Lambda's own parser and judged for concrete stacks.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AtlasPrivateEndpointProvider, AtlasPrivateEndpointService } from '../../lib';
import { bindingProblem, parseProfileBindings, PROFILE_BINDINGS_ENV, type ProfileBindings } from '../../lambda/model/profile-bindings';

const env = { account: '123456789012', region: 'eu-west-1' };
const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';

/** The bindings each provider function was given (the ServiceToken, step and failure-destination functions carry the same). */
function bindingsOf(stack: Stack): ProfileBindings | undefined {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const values = Object.values(functions).map(
    (f) =>
      (f as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables[PROFILE_BINDINGS_ENV],
  );
  expect(values).toHaveLength(3);
  for (const v of values) expect(v).toEqual(values[0]);
  expect(typeof values[0]).toBe('string');
  return parseProfileBindings(values[0] as string);
}

const may = (b: ProfileBindings | undefined, profile: string, stackName: string) => bindingProblem(b, { profile }, stackName) === undefined;

describe('profile bindings in the provider construct', () => {
  it('lets every stack use the one secret of a provider that reads one (one provider, one trust boundary)', () => {
    const stack = new Stack(new App(), 'Provider', { env });
    new AtlasPrivateEndpointProvider(stack, 'Provider');
    const b = bindingsOf(stack);
    expect(may(b, 'default', 'any-stack')).toBe(true);
    expect(may(b, 'prod', 'any-stack')).toBe(false);
  });

  it('serves every stack with each of several secrets nobody bound, and says so at synth for each', () => {
    // A provider that serves nobody would lock out every stack that used it once redeployed this way.
    const stack = new Stack(new App(), 'Provider', { env });
    new AtlasPrivateEndpointProvider(stack, 'Provider', { profiles: ['dev', 'prod'] });
    const b = bindingsOf(stack);
    expect(may(b, 'prod', 'app-dev')).toBe(true);
    expect(may(b, 'dev', 'anything')).toBe(true);
    expect(may(b, 'other', 'app-dev')).toBe(false);
    const infos = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('bound to no stack'));
    expect(infos.map((i) => String(i.entry.data))).toEqual([
      expect.stringMatching(/cfn\/atlas\/profile\/dev is bound to no stack: every stack .* profileBindings: \{ 'dev': \[/),
      expect.stringMatching(/cfn\/atlas\/profile\/prod is bound to no stack/),
    ]);
  });

  it('keeps a secret that is bound narrowed while the unbound ones serve every stack', () => {
    const stack = new Stack(new App(), 'Provider', { env });
    new AtlasPrivateEndpointProvider(stack, 'Provider', { profiles: ['dev'], profileBindings: { prod: ['app-prod'] } });
    const b = bindingsOf(stack);
    expect(may(b, 'prod', 'app-dev')).toBe(false);
    expect(may(b, 'dev', 'app-dev')).toBe(true);
    expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('profile/prod is bound to no stack'))).toEqual([]);
  });

  it('binds credentials to Atlas projects: another project is refused, named, before any secret is read', () => {
    const stack = new Stack(new App(), 'Provider', { env });
    const OTHER = '0123456789abcdef01234567';
    new AtlasPrivateEndpointProvider(stack, 'Provider', {
      profileBindings: { 'team-a': ['SC-*'] },
      profileProjects: { 'team-a': [PROJECT.toUpperCase()] },
    });
    const b = bindingsOf(stack);
    expect(bindingProblem(b, { profile: 'team-a' }, 'SC-123', [PROJECT])).toBeUndefined();
    expect(bindingProblem(b, { profile: 'team-a' }, 'SC-123', [PROJECT, OTHER])).toMatch(
      new RegExp(`may not be used for Atlas project ${OTHER} by stack SC-123: this provider binds it to project ${PROJECT} only`),
    );
    expect(() => new AtlasPrivateEndpointProvider(new Stack(new App()), 'P', { profileProjects: { x: ['not-a-project'] } })).toThrow(
      /"not-a-project" bound to cfn\/atlas\/profile\/x is not an Atlas project id/,
    );
  });

  it('refuses credentials that cannot name a secret, bindings or not', () => {
    expect(bindingProblem(undefined, { profile: 'pr od' }, 'app')).toMatch(/cannot be part of a secret name.*refused/);
    expect(bindingProblem(undefined, { secretArn: 'arn:aws:secretsmanager:x' }, 'app')).toMatch(/is not a Secrets Manager secret ARN/);
  });

  it('binds what profileBindings says: names exactly, prefixes ending in *, and * for all', () => {
    const stack = new Stack(new App(), 'Provider', { env });
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team-a-AbCdEf';
    new AtlasPrivateEndpointProvider(stack, 'Provider', {
      profileBindings: { prod: ['app-prod'], dev: ['dev-*'], shared: ['*'], [arn]: ['team-a-*'] },
    });
    const b = bindingsOf(stack);
    expect(may(b, 'prod', 'app-prod')).toBe(true);
    expect(may(b, 'prod', 'app-prod-copy')).toBe(false);
    expect(may(b, 'dev', 'dev-alice')).toBe(true);
    expect(may(b, 'dev', 'app-prod')).toBe(false);
    expect(may(b, 'shared', 'whatever')).toBe(true);
    expect(bindingProblem(b, { secretArn: arn }, 'team-a-app')).toBeUndefined();
    expect(bindingProblem(b, { secretArn: arn }, 'team-b-app')).toMatch(/may not be used by stack team-b-app/);
    // Binding a profile lets the provider read it.
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    for (const p of ['prod', 'dev', 'shared']) expect(policies).toContain(`cfn/atlas/profile/${p}-??????`);
  });

  it("binds a resource's own stack to the credentials it names", () => {
    const app = new App();
    const stack = new Stack(app, 'app-dev', { env });
    const provider = new AtlasPrivateEndpointProvider(stack, 'Provider', { profileBindings: { prod: ['app-prod'] } });
    new AtlasPrivateEndpointService(stack, 'Service', {
      provider,
      projectId: PROJECT,
      providerName: 'AWS',
      region: 'eu-west-1',
      profile: 'dev',
    });
    const b = bindingsOf(stack);
    expect(may(b, 'dev', 'app-dev')).toBe(true);
    expect(may(b, 'dev', 'app-dev2')).toBe(false);
    expect(may(b, 'prod', 'app-dev')).toBe(false);
  });

  it('refuses at synth a binding that is not a stack name, naming the construct', () => {
    const stack = new Stack(new App(), 'Provider', { env });
    expect(() => new AtlasPrivateEndpointProvider(stack, 'Provider', { profileBindings: { prod: ['app prod'] } })).toThrow(
      /"app prod" is not a stack name.*\(at Provider\/Provider\)/,
    );
  });
});
