import type { LocalRunner } from '../../local/runner/runner';

/**
 * CloudFormation's side of every request the runner sent: exactly one answer, within 4096 bytes, a reason
 * on every FAILED, and no execution that ended without answering.
 */
export function expectWellAnswered(runner: LocalRunner): void {
  for (const r of runner.results) {
    expect(r.answers).toBe(1);
    expect(r.responseBytes).toBeGreaterThan(0);
    expect(r.responseBytes).toBeLessThanOrEqual(4096);
    if (r.status === 'FAILED') expect(r.reason).toBeTruthy();
  }
  expect(runner.executionErrors).toEqual([]);
}
