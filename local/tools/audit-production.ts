/**
 * `npm audit --omit=dev`, judged: no high or critical advisory may reach what the package's users install.
 * The Lambda's libraries are dev dependencies (they are bundled into the handler), so `--omit=dev` alone
 * does not see them: a second, full audit is judged for the packages the bundle and the peer dependencies
 * bring (their closure in the lock file). A registry without the audit endpoint (some mirrors and proxies
 * answer 404/405, or nothing at all) is not failed, and nothing is passed either: the output says "Not
 * audited" and why, and no line of it claims a pass for an audit that was not made.
 *
 *   npm run audit:production        exit 0 (clean, or not audited with the reason), 1 (findings)
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type AuditVerdict = { verdict: 'clean' | 'findings' | 'skipped'; message: string; findings: string[] };

interface AuditReport {
  vulnerabilities?: Record<string, { severity?: string; via?: unknown[] }>;
  metadata?: { vulnerabilities?: Record<string, number> };
  message?: string;
  error?: { code?: string; summary?: string; detail?: string } | string;
}

const BLOCKING = ['high', 'critical'];

/** Judges what `npm audit --json` printed; with `only`, findings in other packages do not count. */
export function judgeAudit(stdout: string, only?: ReadonlySet<string>): AuditVerdict {
  let report: AuditReport;
  try {
    report = JSON.parse(stdout) as AuditReport;
  } catch {
    return { verdict: 'skipped', message: 'npm audit printed no JSON report (no registry reachable?).', findings: [] };
  }
  if (!report.metadata?.vulnerabilities) {
    const why =
      report.message ?? (typeof report.error === 'string' ? report.error : report.error?.summary || report.error?.code) ?? 'no report';
    return { verdict: 'skipped', message: `The registry did not answer the audit (${why}).`, findings: [] };
  }
  const findings = Object.entries(report.vulnerabilities ?? {})
    .filter(([name, v]) => BLOCKING.includes(String(v.severity)) && (!only || only.has(name)))
    .map(([name, v]) => `${name} (${v.severity})`);
  const counts = report.metadata.vulnerabilities;
  const summary = `${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low`;
  return findings.length
    ? { verdict: 'findings', message: `npm audit --omit=dev: ${summary}: ${findings.join(', ')}.`, findings }
    : { verdict: 'clean', message: `npm audit --omit=dev: ${summary}; nothing high or critical.`, findings };
}

/** Packages imported by the Lambda code (bundled), other than Node's and the runtime's own AWS SDK. */
export function bundledPackages(lambdaDir: string): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/from '([^.'][^']*)'/g)) {
          const spec = m[1];
          if (spec.startsWith('node:') || spec.startsWith('@aws-sdk/')) continue;
          found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
        }
      }
    }
  };
  walk(lambdaDir);
  return [...found].sort();
}

/** `roots` and everything they depend on, by the lock file. */
export function closure(
  lock: { packages?: Record<string, { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }> },
  roots: string[],
): Set<string> {
  const out = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (out.has(name)) continue;
    out.add(name);
    const entry = lock.packages?.[`node_modules/${name}`];
    for (const dep of Object.keys({ ...entry?.dependencies, ...entry?.peerDependencies })) queue.push(dep);
  }
  return out;
}

function npm(cwd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; killed: boolean }> {
  const npmCli = process.env.npm_execpath;
  const [cmd, pre] = npmCli && /\.(c?js)$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', []];
  return new Promise((resolve) => {
    // npm audit exits non-zero on findings and on errors alike: the JSON tells which.
    execFile(cmd, [...pre, ...args], { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      resolve({ stdout: String(stdout), killed: Boolean((err as { killed?: boolean } | null)?.killed) });
    });
  });
}

/** `npm audit --omit=dev`, then the full audit judged for the bundled and peer packages; the worse verdict wins. */
export async function runAudit(cwd: string, timeoutMs = 60_000): Promise<AuditVerdict> {
  const production = await npm(cwd, ['audit', '--omit=dev', '--json'], timeoutMs);
  const first = judgeAudit(production.stdout);
  if (production.killed) first.message = `npm audit did not finish within ${timeoutMs / 1000} s.`;
  const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { peerDependencies?: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(cwd, 'package-lock.json'), 'utf8')) as Parameters<typeof closure>[0];
  const roots = [...bundledPackages(join(cwd, 'lambda')), ...Object.keys(pkg.peerDependencies ?? {})];
  const shipped = closure(lock, roots);
  const full = await npm(cwd, ['audit', '--json'], timeoutMs);
  const second = judgeAudit(full.stdout, shipped);
  if (full.killed) second.message = `npm audit did not finish within ${timeoutMs / 1000} s.`;
  second.message = second.message.replace('npm audit --omit=dev', `npm audit of the bundled and peer packages (${roots.join(', ')})`);
  return combineAudits(first, second);
}

/**
 * One verdict of the two audits: findings of either fail; if either could not be asked, the whole is "Not
 * audited" and says why, without a word of pass (a half-made audit is no pass).
 */
export function combineAudits(first: AuditVerdict, second: AuditVerdict): AuditVerdict {
  const findings = [...first.findings, ...second.findings];
  if (findings.length) return { verdict: 'findings', message: `${first.message} ${second.message}`, findings };
  const unasked = [first, second].filter((v) => v.verdict === 'skipped');
  if (unasked.length) {
    return {
      verdict: 'skipped',
      message: `Not audited: ${unasked.map((v) => v.message).join(' ')} No advisory was checked; run npm run audit:production where the registry answers audits.`,
      findings: [],
    };
  }
  return { verdict: 'clean', message: `${first.message} ${second.message}`, findings };
}

if (require.main === module) {
  void runAudit(process.cwd()).then((v) => {
    (v.verdict === 'findings' ? console.error : console.log)(v.message);
    process.exitCode = v.verdict === 'findings' ? 1 : 0;
  });
}
