/**
 * Runs the provider's real wait-loop definition with a local Amazon States Language interpreter
 * (aws-local-stepfunctions). Its Task states call the real step handler in-process; its Wait states take
 * no real time: the wait they stand for is slept on the runner's scheduler, so many executions share one
 * virtual clock with the emulator. Executions can be listed, as Step Functions keeps them.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ExecutionState } from '../../lambda/lifecycle/core/execution-state';
import type { ExecutionStarter } from '../../lambda/lifecycle/core/start';
import type { StepName } from '../../lambda/model/wait-loop';
import type { SynthesizedProvider } from './definition';
import type { VirtualScheduler } from './scheduler';

/** Makes a step fail the way a crashed or timed-out Lambda would. */
export interface StepFault {
  step: StepName;
  /**
   * 'before' fails without running the step; 'after' runs it (its effects in Atlas happen) and then fails;
   * 'timeout' runs it, then the invocation times out (the function's whole timeout passes) and fails.
   */
  when: 'before' | 'after' | 'timeout';
  /** How many times (default 1). */
  times?: number;
  /** Only when this holds for the state the step receives. */
  match?: (state: ExecutionState) => boolean;
  /**
   * The error's name as Step Functions sees it (default `Error`, which the state machine's Catch counts);
   * `Lambda.ServiceException` is retried by the Task's own Retry with the same input.
   */
  error?: string;
  /** Called when the fault fires (e.g. to arm an Atlas fault for the next attempt). */
  onFire?: () => void;
}

export interface StepReport {
  executionName: string;
  step: StepName;
  before: ExecutionState;
  after?: ExecutionState;
  error?: string;
  /** Seconds of waiting that preceded this step. */
  waitedSeconds: number;
  /** Epoch ms on the shared clock when the step started. */
  at: number;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** What Step Functions keeps of one execution: its input, the latest state a step returned, its status. */
export interface ExecutionRecord {
  name: string;
  input: ExecutionState;
  /** The latest state a step returned (the input until one did). */
  latest: ExecutionState;
  status: ExecutionStatus;
  startedAt: number;
  error?: string;
}

export interface LocalStateMachineOptions {
  definition: SynthesizedProvider['definition'];
  onStep: (invocation: { step: StepName; state: ExecutionState }) => Promise<ExecutionState>;
  scheduler: VirtualScheduler;
  faults?: StepFault[];
  onReport?: (report: StepReport) => void;
  /** Seconds a step function invocation may run (its Lambda timeout), for injected timeouts. */
  stepTimeoutSeconds?: number;
  /** Errors StartExecution throws before it works (throttling, an outage): consumed one per call. */
  startErrors?: Error[];
}

/** The error a Lambda invocation that ran out of time raises in Step Functions. */
export class LambdaTimeout extends Error {
  override readonly name = 'Sandbox.Timedout';
}

export class LocalStateMachine implements ExecutionStarter {
  private readonly machine: StateMachine;
  private readonly runs = new Map<string, { record: ExecutionRecord; done: Promise<unknown> }>();
  private readonly taskNames: Record<string, StepName> = {};
  private readonly contexts = new Map<string, { RetryCount: number }>();
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
    const startError = this.options.startErrors?.shift();
    if (startError) throw startError;
    if (this.runs.has(name)) return 'duplicate';
    const scheduler = this.options.scheduler;
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
    const record: ExecutionRecord = { name, input, latest: input, status: 'RUNNING', startedAt: scheduler.now() };
    const release = scheduler.hold();
    // The context object's `$$.State.RetryCount`, which the interpreter does not keep: counted here when a
    // step fails with an error the Task's own Retry catches.
    const contextState = { Name: '', EnteredTime: '', RetryCount: 0 };
    this.contexts.set(name, contextState);
    const run = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
      context: { State: contextState } as never,
    });
    const done = run.result
      .then(() => {
        record.status = 'SUCCEEDED';
      })
      .catch((err: unknown) => {
        record.status = 'FAILED';
        record.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        this.errors.push({ executionName: name, error: record.error });
      })
      .finally(release);
    this.runs.set(name, { record, done });
    return 'started';
  }

  addFault(fault: StepFault): void {
    (this.options.faults ??= []).push(fault);
  }

  /** Every execution so far, oldest first. */
  executions(): ExecutionRecord[] {
    return [...this.runs.values()].map((r) => r.record);
  }

  /** Resolves when every execution started so far has ended. */
  async settle(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  private async task(
    executionName: string,
    step: StepName,
    invocation: { step: StepName; state: ExecutionState },
  ): Promise<ExecutionState> {
    const record = this.runs.get(executionName)?.record;
    const state = invocation.state;
    // The Wait state just passed: a failed step's retry waits the backoff the state machine doubled,
    // other steps the seconds the previous step computed.
    const waited =
      step === 'act' || step === 'poll' || step === 'confirm'
        ? state.stepError
          ? state.stepFailures.backoffSeconds
          : state.waitSeconds
        : 0;
    await this.options.scheduler.sleep(waited);
    const fault = this.takeFault(step, state);
    const report: StepReport = { executionName, step, before: state, waitedSeconds: waited, at: this.options.scheduler.now() };
    const crash = (what: string) => {
      const err = new Error(`Injected ${what} the ${step} step`);
      if (fault?.error) err.name = fault.error;
      return err;
    };
    fault?.onFire?.();
    try {
      if (fault?.when === 'before') throw crash('crash before');
      const after = await this.options.onStep(invocation);
      report.after = after;
      if (fault?.when === 'after') throw crash('crash after');
      if (fault?.when === 'timeout') {
        await this.options.scheduler.sleep(this.options.stepTimeoutSeconds ?? 90);
        throw new LambdaTimeout(`Injected timeout of the ${step} step`);
      }
      if (record) record.latest = after;
      const context = this.contexts.get(executionName);
      if (context) context.RetryCount = 0;
      return after;
    } catch (err) {
      report.error = err instanceof Error ? err.message : String(err);
      const context = this.contexts.get(executionName);
      if (context) context.RetryCount = err instanceof Error && err.name.startsWith('Lambda.') ? context.RetryCount + 1 : 0;
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
