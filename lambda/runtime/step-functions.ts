/** Starts wait-loop executions on AWS Step Functions. */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionState } from '../lifecycle/core/execution-state';
import type { ExecutionStarter } from '../lifecycle/core/start';

export class StepFunctionsStarter implements ExecutionStarter {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = new SFNClient({}),
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
