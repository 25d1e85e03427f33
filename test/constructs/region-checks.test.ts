/**
 * Region spellings caught before anything is deployed: a misspelt region fails the synth naming the
 * construct and the region meant; a well-formed region far from every known one synthesizes, with a warning.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AtlasPrivateEndpointService } from '../../lib';

const TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const base = { serviceToken: TOKEN, projectId: '5f1e0a1b2c3d4e5f6a7b8c9d', providerName: 'AWS' as const };

describe('regions at synth', () => {
  it('fails on a region one typo from a known one, with "did you mean"', () => {
    const stack = new Stack(new App(), 'Network');
    expect(() => new AtlasPrivateEndpointService(stack, 'Atlas', { ...base, region: 'us-eats-1' })).toThrow(
      'Network/Atlas: Property Region "us-eats-1" is not an AWS region Atlas offers. Did you mean us-east-1 (US_EAST_1)?',
    );
    expect(() => new AtlasPrivateEndpointService(stack, 'Azure', { ...base, providerName: 'AZURE', region: 'westeruope' })).toThrow(
      /Did you mean westeurope \(EUROPE_WEST\)\?/,
    );
    expect(
      () => new AtlasPrivateEndpointService(stack, 'Remote', { ...base, region: 'us-east-1', supportedRemoteRegions: ['us-wset-2'] }),
    ).toThrow(/Did you mean us-west-2/);
  });

  it('synthesizes a well-formed region it does not know, warning that Atlas will judge it', () => {
    const stack = new Stack(new App(), 'Network');
    new AtlasPrivateEndpointService(stack, 'Atlas', { ...base, region: 'ap-future-9' });
    Template.fromStack(stack).hasResourceProperties('Custom::AtlasPrivateEndpointService', { Region: 'ap-future-9' });
    Annotations.fromStack(stack).hasWarning(
      '/Network/Atlas',
      Match.stringLikeRegexp(
        'Property Region "ap-future-9" is not among the 38 AWS regions this version knows; it goes to Atlas as written',
      ),
    );
  });

  it('says nothing about a known region', () => {
    const stack = new Stack(new App(), 'Network');
    new AtlasPrivateEndpointService(stack, 'Atlas', { ...base, region: 'us-east-1' });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
