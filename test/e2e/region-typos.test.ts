/**
 * A misspelt region in a template, as the provider meets it: the Create fails at once with "did you mean",
 * without a call to Atlas, and CloudFormation's rollback Delete of the marker id succeeds.
 */
import { DEFAULT_PROJECT_ID } from '../../local/atlas-emulator';
import { LocalRunner } from '../../local/runner/runner';
import { expectWellAnswered } from '../support/answers';

describe('a misspelt region reaching the provider', () => {
  let runner: LocalRunner;
  beforeAll(async () => {
    runner = await LocalRunner.start();
  });
  afterAll(async () => {
    await runner.stop();
  });

  it('fails the Create with "did you mean" before any Atlas call', async () => {
    const { create, rollback } = await runner.create({ ProjectId: DEFAULT_PROJECT_ID, ProviderName: 'AWS', Region: 'us-eats-1' });
    expect(create.status).toBe('FAILED');
    expect(create.reason).toContain('Property Region "us-eats-1" is not an AWS region Atlas offers. Did you mean us-east-1 (US_EAST_1)?');
    expect(create.atlasCalls).toBe(0);
    expect(rollback?.status).toBe('SUCCESS');
    expect(runner.emulator!.services(DEFAULT_PROJECT_ID)).toEqual([]);
    expectWellAnswered(runner);
  });

  it('sends a well-formed region far from every known one to Atlas, which judges it', async () => {
    const { create } = await runner.create({ ProjectId: DEFAULT_PROJECT_ID, ProviderName: 'AWS', Region: 'ap-future-9' });
    expect(create.atlasCalls).toBeGreaterThan(0);
    expect(create.status).toBe('FAILED');
    expectWellAnswered(runner);
  });
});
