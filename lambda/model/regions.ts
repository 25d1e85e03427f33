/**
 * The one region table, shared by the Lambda, the constructs and the emulator. Atlas accepts a region
 * in the cloud's spelling (`us-east-1`, `eastus2`, `us-central1`) or its own (`US_EAST_1`) and always
 * answers with its own, so everything that compares regions compares Atlas names.
 */
import type { CloudProvider } from './provider';
import { REGION_ROWS } from './regions.data';

export interface Region {
  readonly provider: CloudProvider;
  /** Atlas's name, as responses carry it: `US_EAST_1`. */
  readonly atlasName: string;
  /** The cloud's own name: `us-east-1`, `eastus2`, `us-central1`. */
  readonly cloudName: string;
  readonly location: string;
}

const REGIONS: readonly Region[] = REGION_ROWS.map(([provider, atlasName, cloudName, location]) => ({
  provider: provider as CloudProvider,
  atlasName,
  cloudName,
  location,
}));

/** Every region of the table for one provider. */
export function regionsOf(provider: CloudProvider): readonly Region[] {
  return REGIONS.filter((r) => r.provider === provider);
}

/** The table's row for a region given in either spelling, or undefined when the table has none. */
export function findRegion(provider: CloudProvider, value: string): Region | undefined {
  const v = value.trim();
  return REGIONS.find((r) => r.provider === provider && (r.atlasName === v.toUpperCase() || r.cloudName === v.toLowerCase()));
}

/** Providers (other than `provider`) whose table has this region, to say "eastus2 is an Azure region". */
export function otherProvidersWithRegion(provider: CloudProvider, value: string): CloudProvider[] {
  const others = new Set<CloudProvider>();
  for (const r of REGIONS) {
    if (r.provider !== provider && (r.atlasName === value.trim().toUpperCase() || r.cloudName === value.trim().toLowerCase())) {
      others.add(r.provider);
    }
  }
  return [...others];
}

const ATLAS_SPELLING = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
// The shapes of each cloud's own region names. A value of the right shape that the table lacks may be
// a region Atlas added after the table was made: callers let Atlas judge it.
const CLOUD_SPELLING: Record<CloudProvider, RegExp> = {
  AWS: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
  AZURE: /^[a-z]+[a-z0-9]*$/,
  GCP: /^[a-z]+-[a-z]+\d{1,2}$/,
};

/** True when `value` has the shape of a region name of this provider, in either spelling. */
export function isWellFormedRegion(provider: CloudProvider, value: string): boolean {
  return ATLAS_SPELLING.test(value) || CLOUD_SPELLING[provider].test(value);
}

/**
 * The Atlas name for a region in either spelling: the table's when it has the region; otherwise, for a
 * value already in Atlas's spelling, the value itself; otherwise undefined (Atlas alone can say).
 */
export function toAtlasRegionName(provider: CloudProvider, value: string): string | undefined {
  const row = findRegion(provider, value);
  if (row) return row.atlasName;
  return ATLAS_SPELLING.test(value.trim()) ? value.trim() : undefined;
}

/**
 * Atlas's name for a region as Atlas will list it: `toAtlasRegionName`, or for a region the table lacks the
 * AWS rule (us-east-1 → US_EAST_1), or the value in capitals for the other providers.
 */
export function guessAtlasRegionName(provider: CloudProvider, value: string): string {
  const known = toAtlasRegionName(provider, value);
  if (known) return known;
  return provider === 'AWS' ? value.toUpperCase().replace(/-/g, '_') : value.toUpperCase();
}

/** Up to `limit` regions of this provider closest to `value` in either spelling, closest first. */
export function suggestRegions(provider: CloudProvider, value: string, limit = 3): Region[] {
  const v = value.trim().toLowerCase();
  // Nothing that long is a misspelt region, and the distance costs length × length.
  if (v.length > 64) return [];
  const scored = regionsOf(provider).map((r) => ({
    r,
    d: Math.min(editDistance(v, r.cloudName), editDistance(v, r.atlasName.toLowerCase())),
  }));
  scored.sort((a, b) => a.d - b.d || a.r.atlasName.localeCompare(b.r.atlasName));
  const cutoff = Math.max(3, Math.ceil(v.length / 2));
  return scored
    .filter((s) => s.d <= cutoff)
    .slice(0, limit)
    .map((s) => s.r);
}

/**
 * The known regions a well-formed but unknown region is most likely a misspelling of: the same words and
 * numbers but for one word of four letters or more, which is one typo (a letter missing, extra, wrong, or
 * two swapped) from the known word and is itself no word of any known region. `us-eats-1` is us-east-1
 * mistyped; `us-east-9`, `ca-west-1` or `mx-central-1` (new numbers, known words, short area codes) may be
 * regions Atlas added after this table, and give none. No region of the table, taken out of it, would be
 * taken for a typo of another (a test checks), so a new region like them is not refused.
 */
export function likelyMisspellingOf(provider: CloudProvider, value: string, table: readonly Region[] = regionsOf(provider)): Region[] {
  const words = tokens(value);
  const found = new Set<Region>();
  for (const spelling of [(r: Region) => r.cloudName, (r: Region) => r.atlasName]) {
    // Only the numbers differ from a known region: a new region of a known area.
    if (table.some((r) => lettersOnly(tokens(spelling(r))) === lettersOnly(words))) return [];
    const vocabulary = new Set(table.flatMap((r) => tokens(spelling(r))));
    for (const r of table) {
      const known = tokens(spelling(r));
      if (known.length !== words.length) continue;
      const differing = words.map((w, i) => [w, known[i]] as const).filter(([w, k]) => w !== k);
      if (differing.length !== 1) continue;
      const [word, knownWord] = differing[0];
      if (/\d/.test(word) || word.length < 4 || vocabulary.has(word)) continue;
      if (editDistance(word, knownWord) <= 1) found.add(r);
    }
  }
  return [...found];
}

/** Words and numbers of a region name in either spelling: `us-east-1`, `US_EAST_1` → us, east, 1; `eastus2` → eastus, 2. */
function tokens(value: string): string[] {
  return (
    value
      .trim()
      .toLowerCase()
      .match(/[a-z]+|\d+/g) ?? []
  );
}

function lettersOnly(words: readonly string[]): string {
  return words.filter((w) => !/\d/.test(w)).join(' ');
}

/** Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
