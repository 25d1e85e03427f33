/**
 * `npm run test:faults [-- --json] [-- --filter TEXT]`: runs the fault matrix and reports. With --json, one
 * line: {"scenarios":N,"passed":N,"failed":[names],"unanswered":N,"orphans":N,"wronglyDeleted":N,"oversizedResponses":N}.
 * Exits 1 when a row fails.
 */
import { parseArgs } from 'node:util';
import { runScenario, type ScenarioOutcome, summarize } from './harness';
import { MATRIX } from './scenarios';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, filter: { type: 'string' }, verbose: { type: 'boolean' } } });
  const rows = values.filter ? MATRIX.filter((r) => r.name.includes(values.filter!)) : MATRIX;
  const outcomes: ScenarioOutcome[] = [];
  for (const row of rows) {
    const outcome = await runScenario(row);
    outcomes.push(outcome);
    if (!values.json || values.verbose) {
      const line = `${outcome.passed ? 'pass' : 'FAIL'}  ${row.name}  (${outcome.requests} requests, ${outcome.simulatedSeconds} s simulated)`;
      process.stderr.write(`${line}\n${outcome.problems.map((p) => `      ${p}\n`).join('')}`);
    }
  }
  const summary = summarize(outcomes);
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else
    process.stdout.write(
      `${summary.passed}/${summary.scenarios} scenarios passed; unanswered ${summary.unanswered}, orphans ${summary.orphans}, wrongly deleted ${summary.wronglyDeleted}, oversized answers ${summary.oversizedResponses}\n`,
    );
  return summary.failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
