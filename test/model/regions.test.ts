import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRegionsModule } from '../../local/tools/generate-regions';
import {
  findRegion,
  isWellFormedRegion,
  likelyMisspellingOf,
  otherProvidersWithRegion,
  regionsOf,
  suggestRegions,
  toAtlasRegionName,
} from '../../lambda/model/regions';

const modelDir = join(__dirname, '..', '..', 'lambda', 'model');

describe('region table', () => {
  it('the generated module is exactly what regions.tsv yields (run `npm run regions:generate` after editing the TSV)', () => {
    const tsv = readFileSync(join(modelDir, 'regions.tsv'), 'utf8');
    expect(readFileSync(join(modelDir, 'regions.data.ts'), 'utf8')).toBe(renderRegionsModule(tsv));
  });

  it('has the row counts the contract notes give: 38 AWS, 55 Azure, 41 GCP', () => {
    expect([regionsOf('AWS').length, regionsOf('AZURE').length, regionsOf('GCP').length]).toEqual([38, 55, 41]);
  });

  it.each([
    ['AWS', 'us-east-1', 'US_EAST_1'],
    ['AWS', 'US_EAST_1', 'US_EAST_1'],
    ['AWS', 'eu-central-1', 'EU_CENTRAL_1'],
    ['AZURE', 'eastus2', 'US_EAST_2'],
    ['AZURE', 'ASIA_SOUTH_EAST', 'ASIA_SOUTH_EAST'],
    ['GCP', 'us-central1', 'CENTRAL_US'],
    ['GCP', 'US_EAST_4', 'US_EAST_4'],
  ] as const)('%s %s is Atlas region %s (either spelling)', (provider, value, atlas) => {
    expect(findRegion(provider, value)?.atlasName).toBe(atlas);
    expect(toAtlasRegionName(provider, value)).toBe(atlas);
  });

  it('knows when a region belongs to another provider', () => {
    expect(findRegion('AWS', 'eastus2')).toBeUndefined();
    expect(otherProvidersWithRegion('AWS', 'eastus2')).toEqual(['AZURE']);
  });

  it('tells well-formed unknown regions (Atlas judges them) from malformed ones', () => {
    expect(isWellFormedRegion('AWS', 'ap-future-9')).toBe(true);
    expect(isWellFormedRegion('AWS', 'US_FUTURE_9')).toBe(true);
    expect(toAtlasRegionName('AWS', 'ap-future-9')).toBeUndefined();
    expect(isWellFormedRegion('AWS', 'us east 1')).toBe(false);
    expect(isWellFormedRegion('GCP', 'us-central-1')).toBe(false);
    expect(isWellFormedRegion('GCP', 'us-central1')).toBe(true);
  });

  it('suggests the nearest regions of the same provider', () => {
    expect(suggestRegions('AWS', 'us-east-l')[0].cloudName).toBe('us-east-1');
    expect(suggestRegions('GCP', 'us-central-1')[0].cloudName).toBe('us-central1');
    expect(suggestRegions('AZURE', 'eastus3').map((r) => r.cloudName)).toContain('eastus2');
  });

  it.each([
    ['AWS', 'us-eats-1', ['us-east-1']],
    ['AWS', 'us-esat-1', ['us-east-1']],
    ['AWS', 'ap-sotheast-1', ['ap-southeast-1']],
    ['AWS', 'EU_WSET_1', ['eu-west-1']],
    ['AZURE', 'westeruope', ['westeurope']],
    ['AZURE', 'EASTSU2', ['eastus2']],
    ['GCP', 'europe-wset1', ['europe-west1']],
  ] as const)('takes %s %s for a misspelling of %j', (provider, value, expected) => {
    expect(likelyMisspellingOf(provider, value).map((r) => r.cloudName)).toEqual(expected);
  });

  it.each([
    ['AWS', 'us-east-9'], // a new number of a known area
    ['AWS', 'ca-west-1'], // known words in a new combination
    ['AWS', 'xx-east-1'], // a short area code
    ['AWS', 'ap-future-9'], // far from everything
    ['AZURE', 'eastus3'],
    ['GCP', 'asia-southeast3'],
  ] as const)('takes %s %s for no misspelling: it may be a region Atlas added since', (provider, value) => {
    expect(likelyMisspellingOf(provider, value)).toEqual([]);
  });

  it('would not refuse any known region if it were missing from the table (the way a new region arrives)', () => {
    const refused: string[] = [];
    for (const provider of ['AWS', 'AZURE', 'GCP'] as const) {
      for (const region of regionsOf(provider)) {
        const rest = regionsOf(provider).filter((r) => r !== region);
        for (const spelling of [region.cloudName, region.atlasName, region.cloudName.toUpperCase()]) {
          const claimed = likelyMisspellingOf(provider, spelling, rest);
          if (claimed.length > 0) refused.push(`${provider} ${spelling} → ${claimed.map((r) => r.cloudName).join(', ')}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });
});
