import type { SFNClient } from '@aws-sdk/client-sfn';
import type { JobNotification } from '../aws/sagemaker-notification';
import { resolveTask } from '../aws/step-functions';
import type { TaskTokenStore, WaitingTask } from '../aws/task-tokens';
import type { JobResult } from './schemas';

/** The error a failed embedding job fails its waiting task with (the state machine's Catch sees this name). */
export const JOB_FAILED = 'EmbeddingJobFailed';

export type CallbackOutcome = 'resolved' | 'unknown-job' | 'no-longer-waiting';

export interface CallbackDeps {
  tokens: TaskTokenStore;
  sfn: SFNClient;
}

/**
 * Hands a job's notification to the execution waiting for it: success with the output location, or failure with
 * SageMaker's reason. The token entry is deleted only once the task is resolved, so a retried notification can
 * still resolve it after a failed attempt.
 */
export async function deliverJobResult(notification: JobNotification, deps: CallbackDeps): Promise<CallbackOutcome> {
  const waiting = await deps.tokens.get(notification.inferenceId);
  if (!waiting) return 'unknown-job';
  return finishTask(waiting, notification, deps);
}

/**
 * Ends the waiting task with the job's result, then deletes its token entry. A task that no longer waits (answered
 * before, timed out, stopped) is left as it is: whoever answers second gets Step Functions' TaskTimedOut, never a
 * second success.
 */
export async function finishTask(
  waiting: WaitingTask,
  ended: JobNotification,
  deps: CallbackDeps,
): Promise<Exclude<CallbackOutcome, 'unknown-job'>> {
  const { inferenceId } = waiting;
  const result =
    ended.status === 'Completed'
      ? { output: { inferenceId, output: ended.outputLocation } satisfies JobResult }
      : { error: JOB_FAILED, cause: ended.failureReason };
  const resolved = await resolveTask(deps.sfn, waiting.token, result);
  await deps.tokens.delete(inferenceId);
  return resolved ? 'resolved' : 'no-longer-waiting';
}
