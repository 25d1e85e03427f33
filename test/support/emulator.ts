/**
 * The one set-up of the Atlas emulator (and of the local runner on top of it) for the tests: started once
 * per file, reset before each test, closed after the file. Call at the top level of a test file; the
 * returned object's fields are valid inside tests and hooks.
 */
import { type AtlasEmulator, type EmulatorOptions, startAtlasEmulator } from '../../local/atlas-emulator';
import { LocalRunner, type LocalRunnerOptions } from '../../local/runner/runner';

export interface EmulatorFixture {
  readonly emulator: AtlasEmulator;
}

export interface RunnerFixture extends EmulatorFixture {
  readonly runner: LocalRunner;
  /** Replaces this test's runner with one started with other options (step faults), on the same emulator. */
  restart(options: Omit<LocalRunnerOptions, 'emulator'>): Promise<LocalRunner>;
}

/** An emulator for the whole file, reset before each test (unless `reset` is false). */
export function useEmulator(options: EmulatorOptions = {}, { reset = true }: { reset?: boolean } = {}): EmulatorFixture {
  let emulator: AtlasEmulator | undefined;
  beforeAll(async () => {
    emulator = await startAtlasEmulator(options);
  });
  afterAll(async () => {
    await emulator?.close();
  });
  if (reset) beforeEach(() => emulator!.reset());
  return {
    get emulator() {
      if (!emulator) throw new Error('the emulator is available inside tests and hooks only');
      return emulator;
    },
  };
}

/** An emulator for the whole file, and a fresh local runner on it for each test. */
export function useRunner(options: Omit<LocalRunnerOptions, 'emulator'> = {}, emulatorOptions: EmulatorOptions = {}): RunnerFixture {
  const fixture = useEmulator(emulatorOptions);
  let runner: LocalRunner | undefined;
  beforeEach(async () => {
    runner = await LocalRunner.start({ ...options, emulator: fixture.emulator });
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
  });
  return {
    get emulator() {
      return fixture.emulator;
    },
    get runner() {
      if (!runner) throw new Error('the runner is available inside tests and hooks only');
      return runner;
    },
    async restart(other) {
      await runner?.stop();
      runner = await LocalRunner.start({ ...other, emulator: fixture.emulator });
      return runner;
    },
  };
}
