import type { SFNClient } from '@aws-sdk/client-sfn';
import type { JobNotification } from '../aws/sagemaker-notification';
import { resolveTask } from '../aws/step-functions';
import type { TaskTokenStore } from '../aws/task-tokens';
import type { JobResult } from './schemas';

/** The error a failed embedding job fails its waiting task with (the state machine's Catch sees this name). */
export const JOB_FAILED = 'EmbeddingJobFailed';

export type CallbackOutcome = 'resolved' | 'unknown-job' | 'no-longer-waiting';

/**
 * Hands a job's notification to the execution waiting for it: success with the output location, or failure with
 * SageMaker's reason. The token entry is deleted only once the task is resolved, so a retried notification can
 * still resolve it after a failed attempt.
 */
export async function deliverJobResult(
  notification: JobNotification,
  deps: { tokens: TaskTokenStore; sfn: SFNClient },
): Promise<CallbackOutcome> {
  const { inferenceId } = notification;
  const waiting = await deps.tokens.get(inferenceId);
  if (!waiting) return 'unknown-job';
  const result =
    notification.status === 'Completed'
      ? { output: { inferenceId, output: notification.outputLocation } satisfies JobResult }
      : { error: JOB_FAILED, cause: notification.failureReason };
  const resolved = await resolveTask(deps.sfn, waiting.token, result);
  await deps.tokens.delete(inferenceId);
  return resolved ? 'resolved' : 'no-longer-waiting';
}
