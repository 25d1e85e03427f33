/**
 * Starts wait-loop executions on AWS Step Functions, and finds and stops the execution of a request
 * CloudFormation gave up on (`lifecycle/core/cancellation.ts`).
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type ExecutionStatus as SfnExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { CloudFormationRequest } from '../cloudformation/request';
import type { EarlierExecution, ExecutionStatus } from '../lifecycle/core/cancellation';
import type { ExecutionState } from '../lifecycle/core/execution-state';
import { type ExecutionStarter, executionNamePrefix } from '../lifecycle/core/start';

/** Executions listed (newest first) before giving up on finding the previous one: five pages of 100. */
const MAX_LISTED_PAGES = 5;
/** History events read (newest first) to find an execution's latest state: the newest state event is among the last few. */
const HISTORY_EVENTS = 25;

/** The Step Functions client calls the adapter makes. */
export type StepFunctionsApi = Pick<SFNClient, 'send'>;

export class StepFunctionsStarter implements ExecutionStarter {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: StepFunctionsApi = new SFNClient({}),
  ) {}

  async start(name: string, input: ExecutionState): Promise<'started' | 'duplicate'> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      return 'started';
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists || (err as { name?: string }).name === 'ExecutionAlreadyExists') return 'duplicate';
      throw err;
    }
  }

  /**
   * ListExecutions returns the newest first; the executions of this stack's logical id share a name
   * prefix, and the first one whose input is a request of that stack and logical id is the previous one.
   */
  async findPrevious(request: CloudFormationRequest, ownName: string): Promise<EarlierExecution | undefined> {
    const prefix = executionNamePrefix(request);
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LISTED_PAGES; page++) {
      const listed = await this.client.send(
        new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const e of listed.executions ?? []) {
        if (!e.name || !e.executionArn || e.name === ownName || !e.name.startsWith(prefix)) continue;
        const found = await this.read(e.executionArn, e.name);
        if (found && found.last.request.StackId === request.StackId && found.last.request.LogicalResourceId === request.LogicalResourceId) {
          return found;
        }
      }
      nextToken = listed.nextToken;
      if (!nextToken) break;
    }
    return undefined;
  }

  async stopPrevious(execution: EarlierExecution): Promise<EarlierExecution> {
    const executionArn = this.executionArn(execution.name);
    try {
      await this.client.send(
        new StopExecutionCommand({
          executionArn,
          error: 'Superseded',
          cause: 'CloudFormation sent a later request for this resource: it gave up on this one.',
        }),
      );
    } catch (err) {
      // It ended on its own meanwhile (or a duplicate delivery stopped it first): what it left is read below
      // all the same. Anything else that leaves it running is an error.
      const after = await this.read(executionArn, execution.name);
      if ((err as { name?: string }).name === 'ExecutionDoesNotExist' || (after && after.status !== 'RUNNING')) return after ?? execution;
      throw err;
    }
    return (await this.read(executionArn, execution.name)) ?? execution;
  }

  /** An execution as Step Functions keeps it: its status, and its latest state from its output or its history. */
  private async read(executionArn: string, name: string): Promise<EarlierExecution | undefined> {
    const d = await this.client.send(new DescribeExecutionCommand({ executionArn }));
    const input = parseState(d.input);
    if (!input) return undefined;
    const status = statusOf(d.status);
    const base = { name, status, startedAt: d.startDate ? new Date(d.startDate).getTime() : 0 };
    if (status === 'SUCCEEDED') return { ...base, last: parseState(d.output) ?? input, stepInFlight: false };
    const history = await this.client.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: HISTORY_EVENTS, includeExecutionData: true }),
    );
    const latest = latestState(history.events ?? []);
    return { ...base, last: latest?.state ?? input, stepInFlight: latest?.stepInFlight ?? false };
  }

  private executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
}

/**
 * The latest execution state in a history read newest first: the output of a step that finished, or the
 * input of the state entered last; entered into a Task state whose invocation has not finished (or failed
 * without the state showing it yet), a step is in flight on it: it may act after a stop, or may have acted.
 */
export function latestState(newestFirst: readonly HistoryEvent[]): { state: ExecutionState; stepInFlight: boolean } | undefined {
  // The Task's own Retry invokes again within the same Task state, so every invocation event since the state was
  // entered counts: one that started may have acted (its failure is not in the state until a Catch counts it),
  // and one that is about to start or still runs may act after a stop. Only one that never ran cannot have.
  let ran = false;
  let neverRan = false;
  for (const e of newestFirst) {
    const succeeded = e.lambdaFunctionSucceededEventDetails?.output ?? e.taskSucceededEventDetails?.output;
    const state = parseState(succeeded ?? e.stateExitedEventDetails?.output ?? e.stateEnteredEventDetails?.input);
    if (state) return { state, stepInFlight: e.type === 'TaskStateEntered' && (ran || !neverRan) };
    const type = e.type ?? '';
    if (/^(LambdaFunction|Task)(StartFailed|ScheduleFailed|SubmitFailed)$/.test(type)) neverRan = true;
    else if (/^(LambdaFunction|Task)(Started|Failed|TimedOut)$/.test(type)) ran = true;
  }
  return undefined;
}

function parseState(json: string | undefined): ExecutionState | undefined {
  if (!json) return undefined;
  try {
    const v = JSON.parse(json) as Partial<ExecutionState> | null;
    return v && typeof v === 'object' && v.request && typeof v.request === 'object' && v.task ? (v as ExecutionState) : undefined;
  } catch {
    return undefined;
  }
}

function statusOf(status: SfnExecutionStatus | string | undefined): ExecutionStatus {
  switch (status) {
    case 'RUNNING':
    case 'SUCCEEDED':
    case 'FAILED':
    case 'ABORTED':
    case 'TIMED_OUT':
      return status;
    default:
      // PENDING_REDRIVE and anything newer: treated as still going.
      return 'RUNNING';
  }
}
