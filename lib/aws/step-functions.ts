import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';

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
