import { describeProblems } from '../../lambda/model/property-reader';
import { parseServiceProperties } from '../../lambda/model/service-properties';

const base = { ProjectId: '5f1e0a1b2c3d4e5f6a7b8c9d', ProviderName: 'AWS', Region: 'us-east-1' };
const problemsOf = (raw: Record<string, unknown>) => {
  const r = parseServiceProperties(raw);
  return r.ok ? '' : describeProblems(r.problems);
};

describe('service properties (as CloudFormation sends them: strings)', () => {
  it('parses a minimal AWS resource with defaults', () => {
    expect(parseServiceProperties({ ...base, ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f' })).toEqual({
      ok: true,
      value: {
        projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
        provider: 'AWS',
        region: { input: 'us-east-1', atlasName: 'US_EAST_1' },
        credentials: {},
        adoptExisting: false,
        serviceTimeoutSeconds: 3600,
      },
    });
  });

  it('reads booleans, lists and ServiceTimeout from their string forms', () => {
    const r = parseServiceProperties({
      ...base,
      SupportedRemoteRegions: ['us-west-2', 'EU_WEST_1', 'us-west-2'],
      AdoptExisting: 'true',
      ServiceTimeout: '1800',
    });
    expect(r.ok && r.value).toMatchObject({
      supportedRemoteRegions: ['EU_WEST_1', 'US_WEST_2'],
      adoptExisting: true,
      serviceTimeoutSeconds: 1800,
    });
    const g = parseServiceProperties({ ...base, ProviderName: 'GCP', Region: 'us-central1', PortMappingEnabled: 'TRUE' });
    expect(g.ok && g.value).toMatchObject({ provider: 'GCP', region: { atlasName: 'CENTRAL_US' }, portMappingEnabled: true });
  });

  it('names the property, the value and what is accepted', () => {
    expect(problemsOf({ ...base, ProjectId: 'abc' })).toMatch(
      /ProjectId "abc" is not an Atlas project \(group\) id: expected 24 hexadecimal digits/,
    );
    expect(problemsOf({ ...base, ProviderName: 'google' })).toMatch(
      /ProviderName "google" .* accepted AWS, AZURE, GCP\. Did you mean GCP\?/,
    );
    expect(problemsOf({ ...base, Region: 'eastus2' })).toMatch(/Region "eastus2" is a region of AZURE, not of AWS/);
    expect(problemsOf({ ...base, Region: 'us-east-l' })).toMatch(
      /Region "us-east-l" is not an AWS region name.*Did you mean us-east-1 \(US_EAST_1\)/,
    );
    expect(problemsOf({ ...base, ProviderName: 'GCP', Region: 'us-central-1' })).toMatch(/Did you mean us-central1 \(CENTRAL_US\)/);
    expect(problemsOf({ ...base, PortMappingEnabled: 'true' })).toMatch(/PortMappingEnabled applies to GCP only/);
    expect(problemsOf({ ...base, ProviderName: 'AZURE', Region: 'eastus2', SupportedRemoteRegions: ['eastus'] })).toMatch(/AWS only/);
    expect(problemsOf({ ...base, AdoptExisting: 'yes' })).toMatch(/AdoptExisting "yes" must be true or false/);
    expect(problemsOf({ ...base, Regoin: 'x' })).toMatch(/Unknown property Regoin/);
    expect(problemsOf({ ...base, region: 'x' })).toMatch(/did you mean Region\?/);
    expect(problemsOf({ ...base, ServiceTimeout: '7200' })).toMatch(
      /ServiceTimeout "7200" must be a whole number of seconds from 109 to 3600/,
    );
    // Too short for the deadline's margin to leave one poll and one Atlas call: the smallest that works is named.
    expect(problemsOf({ ...base, ServiceTimeout: '108' })).toMatch(
      /ServiceTimeout 108 is too short.*one poll and one Atlas call.*The smallest ServiceTimeout that works is 109 seconds/,
    );
    expect(parseServiceProperties({ ...base, ServiceTimeout: '109' })).toMatchObject({ ok: true, value: { serviceTimeoutSeconds: 109 } });
    expect(problemsOf({ ...base, Profile: 'a b' })).toMatch(/Profile "a b" cannot name a secret/);
    expect(problemsOf({})).toMatch(/ProjectId is required.*ProviderName is required.*Region is required/);
  });

  it('lets Atlas judge a well-formed region the table does not have yet, with a warning', () => {
    const r = parseServiceProperties({ ...base, Region: 'ap-future-9' });
    expect(r.ok && r.value.region).toEqual({ input: 'ap-future-9' });
    expect(r.ok && r.warnings).toEqual([
      {
        property: 'Region',
        value: 'ap-future-9',
        message:
          'Property Region "ap-future-9" is not among the 38 AWS regions this version knows; it goes to Atlas as written, which refuses it if it is not a region Atlas offers.',
      },
    ]);
    // A new number of a known area is no typo either.
    const n = parseServiceProperties({ ...base, Region: 'us-east-9' });
    expect(n.ok && n.value.region).toEqual({ input: 'us-east-9' });
    expect(parseServiceProperties(base)).not.toHaveProperty('warnings');
  });

  it.each([
    ['AWS', 'us-eats-1', 'us-east-1 (US_EAST_1)'],
    ['AWS', 'US_EATS_1', 'us-east-1 (US_EAST_1)'],
    ['AWS', 'eu-centrl-1', 'eu-central-1 (EU_CENTRAL_1)'],
    ['AZURE', 'eastsu2', 'eastus2 (US_EAST_2)'],
    ['AZURE', 'northeurop', 'northeurope (EUROPE_NORTH)'],
    ['GCP', 'us-centrall1', 'us-central1 (CENTRAL_US)'],
  ])('refuses the %s region %s, one typo from a known one, with "did you mean %s"', (provider, region, suggestion) => {
    const r = parseServiceProperties({ ...base, ProviderName: provider, Region: region });
    expect(r.ok).toBe(false);
    expect(problemsOf({ ...base, ProviderName: provider, Region: region })).toBe(
      `Property Region "${region}" is not ${provider === 'AWS' ? 'an' : 'a'} ${provider} region Atlas offers. Did you mean ${suggestion}?`,
    );
  });

  it('refuses a misspelt remote region too', () => {
    expect(problemsOf({ ...base, SupportedRemoteRegions: ['us-west-2', 'eu-wset-1'] })).toMatch(
      /SupportedRemoteRegions "eu-wset-1" .*Did you mean eu-west-1 \(EU_WEST_1\)\?/,
    );
  });

  it('skips unresolved values (CDK tokens) at synth time', () => {
    const token = '${Token[TOKEN.1]}';
    const r = parseServiceProperties({ ...base, ProjectId: token, Region: token }, { isUnresolved: (v) => v === token });
    expect(r.ok).toBe(true);
  });
});
