import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { IndexingExecutions } from '../pipeline/start-indexing';

/** Step Functions' answers for a token whose wait is over (timed out, execution stopped, answered before). */
const GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/** Step Functions' limit on a failure's cause. */
const MAX_CAUSE = 32_768;

/**
 * Ends a waiting task. Returns false when the task no longer waits: nothing is left to do then, and retrying the
 * notification would not change that.
 */
export async function resolveTask(
  sfn: SFNClient,
  token: string,
  result: { output: unknown } | { error: string; cause: string },
): Promise<boolean> {
  try {
    if ('output' in result) {
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(result.output) }));
    } else {
      const cause = result.cause.slice(0, MAX_CAUSE);
      await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: result.error, cause }));
    }
    return true;
  } catch (error) {
    if (GONE.has((error as Error).name)) return false;
    throw error;
  }
}

/** The indexing workflow's executions on Step Functions: StartExecution on the state machine. */
export class StepFunctionsExecutions implements IndexingExecutions {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: string): Promise<'started' | 'already-started'> {
    try {
      // A Standard workflow answers a repeated call with the same name and input while the execution runs as the
      // first one; once it has closed (or for another input), with ExecutionAlreadyExists.
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input }));
      return 'started';
    } catch (error) {
      if ((error as Error).name === 'ExecutionAlreadyExists') return 'already-started';
      throw error;
    }
  }
}
