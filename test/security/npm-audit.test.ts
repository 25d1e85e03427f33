/**
 * `npm audit --omit=dev`: no high or critical advisory in what users install. The judgement is tested on
 * reports of each kind; the real audit runs against the registry, and a registry without the audit
 * endpoint is skipped with a message rather than failed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bundledPackages, closure, combineAudits, judgeAudit, runAudit } from '../../local/tools/audit-production';

const report = (vulnerabilities: Record<string, { severity: string }>) => {
  const counts: Record<string, number> = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
  for (const v of Object.values(vulnerabilities)) counts[v.severity]++;
  return JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: { vulnerabilities: { ...counts, total: Object.keys(vulnerabilities).length } },
  });
};

describe('judging npm audit', () => {
  it('fails on a high or critical finding, naming the package', () => {
    expect(judgeAudit(report({ undici: { severity: 'high' }, lodash: { severity: 'low' } }))).toMatchObject({
      verdict: 'findings',
      findings: ['undici (high)'],
    });
    expect(judgeAudit(report({ 'aws-cdk-lib': { severity: 'critical' } })).verdict).toBe('findings');
  });

  it('passes with only moderate and low findings, or none', () => {
    expect(judgeAudit(report({ x: { severity: 'moderate' }, y: { severity: 'low' } })).verdict).toBe('clean');
    expect(judgeAudit(report({})).verdict).toBe('clean');
  });

  it('skips, with a message, when the registry has no audit endpoint or none answers', () => {
    const noEndpoint = JSON.stringify({
      message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      error: { summary: '', detail: '' },
    });
    expect(judgeAudit(noEndpoint)).toMatchObject({ verdict: 'skipped', message: expect.stringMatching(/405 Method Not Allowed/) });
    expect(
      judgeAudit(JSON.stringify({ error: { code: 'ENOAUDIT', summary: 'Your configured registry does not support audit requests.' } })),
    ).toMatchObject({ verdict: 'skipped' });
    expect(judgeAudit('')).toMatchObject({ verdict: 'skipped' });
  });
});

describe('an audit that could not be made', () => {
  it('is "Not audited" as a whole, with no word of a pass, when either audit could not ask', () => {
    const clean = judgeAudit(report({}));
    const unasked = judgeAudit('');
    for (const [a, b] of [
      [clean, unasked],
      [unasked, clean],
      [unasked, unasked],
    ]) {
      const v = combineAudits(a, b);
      expect(v.verdict).toBe('skipped');
      expect(v.message).toMatch(/^Not audited: /);
      expect(v.message).not.toMatch(/nothing high or critical|clean|passed/i);
    }
    expect(combineAudits(clean, clean)).toMatchObject({ verdict: 'clean', message: expect.stringMatching(/nothing high or critical/) });
  });

  it('`npm run audit:production` against a registry that cannot be asked: says "Not audited" plainly and exits 0', () => {
    const r = spawnSync('npm', ['run', '--silent', 'audit:production'], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
      timeout: 120_000,
      // A closed loopback port: nothing answers, at once.
      env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_fetch_timeout: '5000' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Not audited: /);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/nothing high or critical/);
  }, 150_000);
});

describe('what users install', () => {
  it('counts the packages bundled into the Lambda (dev dependencies) and what they bring', () => {
    const root = join(__dirname, '..', '..');
    expect(bundledPackages(join(root, 'lambda'))).toEqual(expect.arrayContaining(['undici', '@aws-lambda-powertools/logger']));
    expect(bundledPackages(join(root, 'lambda'))).not.toContain('@aws-sdk/client-sfn');
    const lock = {
      packages: {
        'node_modules/a': { dependencies: { b: '1' } },
        'node_modules/b': { peerDependencies: { c: '1' } },
        'node_modules/c': {},
        'node_modules/d': {},
      },
    };
    expect([...closure(lock, ['a'])].sort()).toEqual(['a', 'b', 'c']);
    expect(judgeAudit(report({ d: { severity: 'critical' }, b: { severity: 'high' } }), closure(lock, ['a']))).toMatchObject({
      verdict: 'findings',
      findings: ['b (high)'],
    });
  });
});

describe('npm audit --omit=dev on this package', () => {
  it('finds nothing high or critical (or says why it could not ask)', async () => {
    const v = await runAudit(join(__dirname, '..', '..'), 30_000);
    if (v.verdict === 'skipped') console.warn(v.message);
    expect(v.findings).toEqual([]);
    expect(v.verdict).not.toBe('findings');
  }, 90_000);
});
