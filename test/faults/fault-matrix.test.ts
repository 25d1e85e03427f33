/**
 * The fault matrix under jest: every row through the local runner and a fresh emulator on virtual time.
 * Rows whose defect is still open are expected to fail (`test.failing`) until their fix lands.
 */
import { runScenario } from './harness';
import { MATRIX } from './scenarios';

jest.setTimeout(120_000);

describe('fault matrix', () => {
  it('has at least 60 rows, with unique names', () => {
    expect(MATRIX.length).toBeGreaterThanOrEqual(60);
    expect(new Set(MATRIX.map((r) => r.name)).size).toBe(MATRIX.length);
  });

  for (const row of MATRIX) {
    const name = `${row.defect ? `[defect ${row.defect}] ` : ''}${row.name}`;
    (row.open ? test.failing : test)(name, async () => {
      const outcome = await runScenario(row);
      expect(outcome.problems).toEqual([]);
      expect(outcome).toMatchObject({ passed: true, unanswered: 0, orphans: 0, wronglyDeleted: 0, oversizedResponses: 0 });
    });
  }
});
