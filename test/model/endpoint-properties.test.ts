import { parseEndpointProperties } from '../../lambda/model/endpoint-properties';
import { describeProblems } from '../../lambda/model/property-reader';

describe('endpoint registration properties', () => {
  const reg = {
    ProjectId: '5F1E0A1B2C3D4E5F6A7B8C9D',
    EndpointServiceId: '6b0afe2c5721d53048387adc',
    EndpointId: 'vpce-0123456789abcdef0',
  };
  const problems = (raw: Record<string, unknown>) => {
    const r = parseEndpointProperties(raw);
    return r.ok ? '' : describeProblems(r.problems);
  };

  it('defaults to AWS with enforcement on, and lowercases ids', () => {
    expect(parseEndpointProperties(reg)).toEqual({
      ok: true,
      value: {
        projectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
        provider: 'AWS',
        endpointServiceId: '6b0afe2c5721d53048387adc',
        endpointId: 'vpce-0123456789abcdef0',
        details: { provider: 'AWS' },
        credentials: {},
        enforceConnectionSuccess: true,
        adoptExisting: false,
        clusterNames: [],
        serviceTimeoutSeconds: 3600,
      },
    });
    const off = parseEndpointProperties({ ...reg, EnforceConnectionSuccess: 'false' });
    expect(off.ok && off.value.enforceConnectionSuccess).toBe(false);
  });

  it('takes over an existing registration only when AdoptExisting says so, as CloudFormation sends it (a string)', () => {
    const adopt = (v: unknown) => {
      const r = parseEndpointProperties({ ...reg, AdoptExisting: v });
      return r.ok ? r.value.adoptExisting : 'invalid';
    };
    expect(adopt('true')).toBe(true);
    expect(adopt(true)).toBe(true);
    expect(adopt('False')).toBe(false);
    expect(adopt('')).toBe(false);
    expect(problems({ ...reg, AdoptExisting: 'yes' })).toMatch(/AdoptExisting "yes" must be true or false/);
  });

  it('says what is accepted', () => {
    expect(problems({ ...reg, EndpointId: 'eni-1' })).toMatch(
      /EndpointId "eni-1" is not an AWS VPC endpoint id: expected vpce- and 17 hexadecimal digits/,
    );
    expect(problems({ ...reg, ProviderName: 'ORACLE' })).toMatch(/ProviderName "ORACLE" is not a provider .* accepted AWS, AZURE, GCP/);
    expect(problems({ ...reg, ProviderName: 'AZURE' })).toMatch(
      /EndpointId "vpce-0123456789abcdef0" is not an Azure private endpoint resource id/,
    );
    expect(problems({ ...reg, PrivateEndpointIpAddress: '10.0.0.4' })).toMatch(
      /PrivateEndpointIpAddress belongs to AZURE registrations; this one is AWS/,
    );
    expect(problems({ ...reg, EndpointServiceId: 'x' })).toMatch(/EndpointServiceId "x" is not an Atlas private endpoint service id/);
    expect(problems({ ...reg, Region: 'us-east-1' })).toMatch(/Unknown property Region/);
  });

  const AZURE_ID =
    '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe';
  const azure = { ...reg, ProviderName: 'azure', EndpointId: AZURE_ID, PrivateEndpointIpAddress: '10.0.1.4' };
  const gcp = {
    ...reg,
    ProviderName: 'GCP',
    EndpointId: 'atlas-group',
    GcpProjectId: 'my-gcp-project',
    Endpoints: [
      { EndpointName: 'atlas-group-0', IpAddress: '10.128.0.10' },
      { EndpointName: 'atlas-group-1', IpAddress: '10.128.0.11' },
    ],
  };

  it('reads an Azure registration: the private endpoint resource id and its private IP address', () => {
    const r = parseEndpointProperties(azure);
    expect(r.ok && r.value).toMatchObject({
      provider: 'AZURE',
      endpointId: AZURE_ID,
      details: { provider: 'AZURE', privateEndpointIpAddress: '10.0.1.4' },
    });
    expect(problems({ ...azure, PrivateEndpointIpAddress: undefined })).toMatch(/PrivateEndpointIpAddress is required/);
    expect(problems({ ...azure, PrivateEndpointIpAddress: '10.0.1.256' })).toMatch(/"10.0.1.256" is not an IPv4 address/);
    expect(problems({ ...azure, PrivateEndpointIpAddress: '127.0.0.1' })).toMatch(/"127.0.0.1" is not an address an endpoint can hold/);
    expect(problems({ ...azure, PrivateEndpointIpAddress: '010.0.1.4' })).toMatch(/is not an IPv4 address/);
    expect(problems({ ...azure, EndpointId: '/subscriptions/x/../y' })).toMatch(/is not an Azure private endpoint resource id/);
    expect(problems({ ...azure, GcpProjectId: 'my-gcp-project' })).toMatch(/GcpProjectId belongs to GCP registrations; this one is AZURE/);
  });

  it('reads a GCP registration: the project, the endpoint group and its forwarding rules with their addresses', () => {
    const r = parseEndpointProperties(gcp);
    expect(r.ok && r.value.details).toEqual({
      provider: 'GCP',
      gcpProjectId: 'my-gcp-project',
      endpoints: [
        { endpointName: 'atlas-group-0', ipAddress: '10.128.0.10' },
        { endpointName: 'atlas-group-1', ipAddress: '10.128.0.11' },
      ],
    });
    expect(problems({ ...gcp, GcpProjectId: undefined })).toMatch(/GcpProjectId is required/);
    expect(problems({ ...gcp, GcpProjectId: 'My_Project' })).toMatch(/"My_Project" is not a Google Cloud project id/);
    expect(problems({ ...gcp, Endpoints: [] })).toMatch(/Endpoints is required for GCP/);
    expect(problems({ ...gcp, Endpoints: [{ EndpointName: 'a', IpAddress: '10.0.0.1', Port: 27017 }] })).toMatch(
      /Endpoints\[0\] has unknown keys Port/,
    );
    expect(problems({ ...gcp, Endpoints: [{ EndpointName: 'Rule_0', IpAddress: '10.0.0.1' }] })).toMatch(
      /Endpoints\[0\].EndpointName "Rule_0" must be the name of a GCP forwarding rule/,
    );
    expect(problems({ ...gcp, Endpoints: [{ EndpointName: 'a' }] })).toMatch(/Endpoints\[0\].IpAddress is required/);
    expect(
      problems({
        ...gcp,
        Endpoints: [
          { EndpointName: 'a', IpAddress: '10.0.0.1' },
          { EndpointName: 'b', IpAddress: '10.0.0.1' },
        ],
      }),
    ).toMatch(/gives IP address 10.0.0.1 to two forwarding rules/);
    expect(
      problems({ ...gcp, Endpoints: Array.from({ length: 51 }, (_, i) => ({ EndpointName: `r${i}`, IpAddress: `10.0.0.${i + 1}` })) }),
    ).toMatch(/at most 50/);
    expect(problems({ ...gcp, EndpointId: 'Group 1' })).toMatch(/"Group 1" is not a GCP endpoint group name/);
  });

  it('leaves tokens unchecked at synth time', () => {
    const isUnresolved = (v: unknown) => typeof v === 'string' && v.startsWith('${Token');
    const r = parseEndpointProperties(
      { ...gcp, GcpProjectId: '${Token[1]}', Endpoints: [{ EndpointName: 'a', IpAddress: '${Token[2]}' }] },
      { isUnresolved },
    );
    expect(r.ok).toBe(true);
  });
});

describe('ClusterNames: the clusters a registration waits for', () => {
  const base = {
    ProjectId: '5f1e0a1b2c3d4e5f6a7b8c9d',
    EndpointServiceId: '6b0afe2c5721d53048387adc',
    EndpointId: 'vpce-0a1b2c3d4e5f60718',
  };
  it.each([
    [undefined, []],
    [[], []],
    [[''], []],
    [['Cluster0'], ['Cluster0']],
    ['Cluster0, analytics-1', ['Cluster0', 'analytics-1']],
  ])('%j is read as %j', (raw, names) => {
    const parsed = parseEndpointProperties({ ...base, ...(raw !== undefined ? { ClusterNames: raw } : {}) });
    expect(parsed.ok && parsed.value.clusterNames).toEqual(names);
  });

  it.each([
    [['Cluster0', 'Cluster0'], /names cluster "Cluster0" twice/],
    [['-bad'], /"-bad", which is not an Atlas cluster name/],
    [['x'.repeat(65)], /not an Atlas cluster name/],
    [[42], /a number, which is not an Atlas cluster name/],
    [Array.from({ length: 11 }, (_, i) => `c${i}`), /names 11 clusters; one registration waits for at most 10/],
    [{ Cluster0: true }, /must be a list of Atlas cluster names/],
    [['Cluster0', ''], /holds "", which is not an Atlas cluster name/],
    ['Cluster0,', /holds "", which is not an Atlas cluster name/],
  ])('%j is refused', (raw, why) => {
    const parsed = parseEndpointProperties({ ...base, ClusterNames: raw });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problems.map((p) => p.message).join(' ')).toMatch(why);
  });
});
