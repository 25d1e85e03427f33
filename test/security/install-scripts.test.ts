/**
 * What runs and what is downloaded when the project installs: install scripts are allowed only for the
 * packages that have them, at the one version the lock file pins, the platform binaries they pick come from
 * the lock file (with its integrity), and the one binary fetched outside it (the Node.js that npm scripts run on, which the `node`
 * package installs at its pinned version) must match a checked-in checksum.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
type LockEntry = { version?: string; integrity?: string; hasInstallScript?: boolean; optionalDependencies?: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const nameOf = (key: string) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('install scripts and downloaded binaries', () => {
  it('allows install scripts only for the packages that have them, each at a version the lock file pins with its integrity', () => {
    // npm can check a version-pinned allowScripts key ("esbuild@0.28.2") only against a lock file that records
    // resolved URLs, which this one omits: the names are allowed, and the lock file pins their versions.
    const withScripts = Object.entries(lock.packages).filter(([k, v]) => k !== '' && v.hasInstallScript);
    expect(Object.keys(pkg.allowScripts).sort()).toEqual(withScripts.map(([k]) => nameOf(k)).sort());
    for (const [key, entry] of withScripts) {
      expect({ key, version: entry.version, integrity: /^sha512-/.test(entry.integrity ?? '') }).toEqual({
        key,
        version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
        integrity: true,
      });
      // Only one version of each in the tree: the allowed name cannot pick up another.
      expect(Object.keys(lock.packages).filter((k) => nameOf(k) === nameOf(key))).toEqual([key]);
    }
  });

  it('takes the platform binaries of those packages from the lock file, pinned and with integrity', () => {
    for (const [key, entry] of Object.entries(lock.packages).filter(([k, v]) => k !== '' && v.hasInstallScript)) {
      for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
        const locked = lock.packages[`node_modules/${dep}`];
        expect({ key, dep, range, version: locked?.version, integrity: /^sha512-/.test(locked?.integrity ?? '') }).toEqual({
          key,
          dep,
          range: entry.version,
          version: entry.version,
          integrity: true,
        });
      }
    }
  });

  it('runs npm scripts on a Node.js binary whose checksum is pinned', () => {
    const pinned = JSON.parse(readFileSync(join(ROOT, 'local', 'tools', 'toolchain-binaries.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    const version = lock.packages['node_modules/node'].version;
    const platform = `${process.platform}-${process.arch}`;
    const expected = pinned[`node@${version}`]?.[platform];
    if (!expected) throw new Error(`No checksum is pinned for node@${version} on ${platform} in local/tools/toolchain-binaries.json.`);
    const binary = realpathSync(join(ROOT, 'node_modules', '.bin', 'node'));
    expect(createHash('sha256').update(readFileSync(binary)).digest('hex')).toBe(expected);
  });
});
