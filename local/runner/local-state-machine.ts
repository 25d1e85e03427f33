/**
 * Runs the provider's real wait-loop definition with a local Amazon States Language interpreter
 * (aws-local-stepfunctions). Its Task states call the real step handler in-process; its Wait states take
 * no real time, and instead the wait they stand for moves the clock the handler and the emulator share
 * (and, with a wait scale above zero, is also slept in real time).
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ExecutionState } from '../../lambda/lifecycle/core/execution-state';
import type { ExecutionStarter } from '../../lambda/lifecycle/core/start';
import type { StepName } from '../../lambda/model/wait-loop';
import type { SynthesizedProvider } from './definition';

/** Makes a step fail the way a crashed or timed-out Lambda would. */
export interface StepFault {
  step: StepName;
  /** 'before' fails without running the step; 'after' runs it (its effects in Atlas happen) and then fails. */
  when: 'before' | 'after';
  /** How many times (default 1). */
  times?: number;
  /** Only when this holds for the state the step receives. */
  match?: (state: ExecutionState) => boolean;
}

export interface StepReport {
  executionName: string;
  step: StepName;
  before: ExecutionState;
  after?: ExecutionState;
  error?: string;
  /** Seconds of waiting that preceded this step. */
  waitedSeconds: number;
}

export interface LocalStateMachineOptions {
  definition: SynthesizedProvider['definition'];
  onStep: (invocation: { step: StepName; state: ExecutionState }) => Promise<ExecutionState>;
  /** Moves simulated time forward. */
  advance: (seconds: number) => void;
  /** Real milliseconds slept per simulated second of waiting (0: none). */
  waitScale: number;
  faults?: StepFault[];
  onReport?: (report: StepReport) => void;
}

export class LocalStateMachine implements ExecutionStarter {
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, Promise<unknown>>();
  private readonly taskNames: Record<string, StepName> = {};
  readonly errors: { executionName: string; error: string }[] = [];

  constructor(private readonly options: LocalStateMachineOptions) {
    this.machine = new StateMachine(options.definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    });
    for (const [name, state] of Object.entries(options.definition.States)) {
      const step = (state.Parameters as { step?: StepName } | undefined)?.step;
      if (state.Type === 'Task' && step) this.taskNames[name] = step;
    }
  }

  async start(name: string, input: ExecutionState): Promise<'started' | 'duplicate'> {
    if (this.executions.has(name)) return 'duplicate';
    const waits = Object.fromEntries(
      Object.entries(this.options.definition.States)
        .filter(([, s]) => s.Type === 'Wait')
        .map(([n]) => [n, 0]),
    );
    const retries = Object.fromEntries(Object.keys(this.taskNames).map((n) => [n, 0]));
    const handlers = Object.fromEntries(
      Object.entries(this.taskNames).map(([stateName, step]) => [
        stateName,
        (i: unknown) => this.task(name, step, i as { step: StepName; state: ExecutionState }),
      ]),
    );
    const run = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    });
    const done = run.result.catch((err: unknown) => {
      this.errors.push({ executionName: name, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    });
    this.executions.set(name, done);
    return 'started';
  }

  /** Resolves when every execution started so far has ended. */
  async settle(): Promise<void> {
    await Promise.all(this.executions.values());
  }

  private async task(
    executionName: string,
    step: StepName,
    invocation: { step: StepName; state: ExecutionState },
  ): Promise<ExecutionState> {
    const state = invocation.state;
    // The Wait state just passed: a failed step's retry waits the backoff the state machine doubled,
    // other steps the seconds the previous step computed.
    const waited = step === 'act' || step === 'poll' ? (state.stepError ? state.stepFailures.backoffSeconds : state.waitSeconds) : 0;
    if (waited > 0) {
      this.options.advance(waited);
      if (this.options.waitScale > 0) await new Promise((r) => setTimeout(r, waited * this.options.waitScale * 1000));
    }
    const fault = this.takeFault(step, state);
    const report: StepReport = { executionName, step, before: state, waitedSeconds: waited };
    try {
      if (fault?.when === 'before') throw new Error(`Injected crash before the ${step} step`);
      const after = await this.options.onStep(invocation);
      report.after = after;
      if (fault?.when === 'after') throw new Error(`Injected crash after the ${step} step`);
      return after;
    } catch (err) {
      report.error = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      this.options.onReport?.(report);
    }
  }

  private takeFault(step: StepName, state: ExecutionState): StepFault | undefined {
    const faults = this.options.faults ?? [];
    const i = faults.findIndex((f) => f.step === step && (f.times ?? 1) > 0 && (!f.match || f.match(state)));
    if (i < 0) return undefined;
    const f = faults[i];
    f.times = (f.times ?? 1) - 1;
    return f;
  }
}
