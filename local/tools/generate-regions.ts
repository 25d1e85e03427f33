/**
 * Writes lambda/model/regions.data.ts from lambda/model/regions.tsv, so the table ships inside the
 * Lambda bundle without a file read at run time. `test/model/regions.test.ts` fails if they disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, '..', '..', 'lambda', 'model');

export function renderRegionsModule(tsv: string): string {
  const rows = tsv
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [provider, atlasRegion, cloudRegion, location] = line.split('\t');
      return `  [${JSON.stringify(provider)}, ${JSON.stringify(atlasRegion)}, ${JSON.stringify(cloudRegion)}, ${JSON.stringify(location)}],`;
    });
  return [
    '// Generated from regions.tsv by `npm run regions:generate`. Do not edit by hand.',
    '// Columns: provider, Atlas region name, cloud region name, location.',
    'export const REGION_ROWS: ReadonlyArray<readonly [string, string, string, string]> = [',
    ...rows,
    '];',
    '',
  ].join('\n');
}

if (require.main === module) {
  const tsv = readFileSync(join(dir, 'regions.tsv'), 'utf8');
  writeFileSync(join(dir, 'regions.data.ts'), renderRegionsModule(tsv));
  console.log('wrote lambda/model/regions.data.ts');
}
