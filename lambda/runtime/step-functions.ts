/**
 * Starts wait-loop executions on AWS Step Functions: the one call the ServiceToken function makes to Step
 * Functions. What an execution made, that execution removes; no execution is looked up or stopped.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionState } from '../lifecycle/core/execution-state';
import type { ExecutionStarter } from '../lifecycle/core/start';

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
}
