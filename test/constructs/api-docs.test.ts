/**
 * `npm run docs` (TypeDoc over the package's entry point) finds every exported construct, prop, attribute and
 * public member documented; typedoc.json turns each gap into an error.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

it('TypeDoc documents the whole public API without a warning', () => {
  // Without source links: they need a git remote, which a checkout without one (an unpacked tarball) lacks,
  // and they say nothing about the documentation itself.
  const r = spawnSync('npx', ['typedoc', '--emit', 'none', '--disableSources'], {
    cwd: join(__dirname, '..', '..'),
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(`${r.status}\n${r.stdout}${r.stderr}`).toBe(`0\n${r.stdout}${r.stderr}`);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/warning|error \S/i);
}, 300_000);
