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
        credentials: {},
        enforceConnectionSuccess: true,
        adoptExisting: false,
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
    expect(problems({ ...reg, ProviderName: 'AZURE' })).toMatch(
      /ProviderName "AZURE" is not supported by Custom::AtlasPrivateEndpoint yet: accepted AWS/,
    );
    expect(problems({ ...reg, EndpointServiceId: 'x' })).toMatch(/EndpointServiceId "x" is not an Atlas private endpoint service id/);
    expect(problems({ ...reg, Region: 'us-east-1' })).toMatch(/Unknown property Region/);
  });
});
