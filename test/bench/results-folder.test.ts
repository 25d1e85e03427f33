/**
 * `npm run bench` leaves the committed results alone unless asked: a full run writes to a build folder git
 * ignores, `--write-results` rewrites bench/RESULTS.md and the chart, `--out DIR` writes to DIR.
 */
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { BUILD_RESULTS, COMMITTED_RESULTS, resultsFolder } from '../../bench/run';

const ROOT = join(__dirname, '..', '..');

describe('npm run bench: where the results go', () => {
  it('nowhere given for a plain run (then the build folder), the committed folder with --write-results, DIR with --out', () => {
    expect(resultsFolder([])).toBeUndefined();
    expect(resultsFolder(['--json'])).toBeUndefined();
    expect(resultsFolder(['--write-results'])).toBe(COMMITTED_RESULTS);
    expect(resultsFolder(['--out', 'x', '--write-results'])).toBe('x');
    expect(relative(ROOT, COMMITTED_RESULTS)).toBe('bench');
  });

  it('the build folder is ignored by git, the committed results are tracked', () => {
    const ignored = (path: string) => spawnSync('git', ['check-ignore', '-q', path], { cwd: ROOT }).status === 0;
    expect(ignored(relative(ROOT, join(BUILD_RESULTS, 'RESULTS.md')))).toBe(true);
    expect(ignored('bench/RESULTS.md')).toBe(false);
  });
});
