import type { JobLocations } from '../aws/sagemaker-async';
import type { JobNotification } from '../aws/sagemaker-notification';
import { finishTask, type CallbackDeps, type CallbackOutcome } from './job-callback';

/**
 * Where a job's end shows when its notification never arrives: SageMaker writes the output (or the failure) to S3
 * before it publishes to SNS, so an object there means the job is over.
 */
export interface JobOutcomes {
  /** The job's result as its notification would have carried it, or undefined while neither object exists. */
  ended(job: JobLocations & { inferenceId: string }): Promise<JobNotification | undefined>;
}

export interface ReconcileReport {
  /** Token entries found (executions waiting, or entries whose wait ended unnoticed). */
  waiting: number;
  /** Entries without the locations InvokeEndpointAsync answers (the submission did not get that far): left to TTL. */
  unlocated: number;
  /** The jobs found ended, and what became of their tasks. */
  finished: { inferenceId: string; videoId: string; status: JobNotification['status']; outcome: Exclude<CallbackOutcome, 'unknown-job'> }[];
  /** Entries that could not be checked or finished this time, and why; the next run tries them again. */
  errors: { inferenceId: string; videoId: string; error: string }[];
}

/**
 * Finishes the tasks whose job ended without its notification reaching the job callback (a message dropped after
 * Lambda's retries, an SNS delivery given up): for every waiting token whose job's output or failure object exists,
 * sends the task's success or failure exactly as the callback would have. Safe to run at any time and concurrently
 * with the callback: the first answer wins, later ones find the task closed (TaskTimedOut) and only drop the entry.
 */
export async function reconcileJobs(deps: CallbackDeps & { outcomes: JobOutcomes }): Promise<ReconcileReport> {
  const report: ReconcileReport = { waiting: 0, unlocated: 0, finished: [], errors: [] };
  for await (const task of deps.tokens.all()) {
    report.waiting++;
    const { inferenceId, videoId, outputLocation, failureLocation } = task;
    if (!outputLocation || !failureLocation) {
      report.unlocated++;
      continue;
    }
    try {
      const ended = await deps.outcomes.ended({ inferenceId, outputLocation, failureLocation });
      if (!ended) continue;
      report.finished.push({ inferenceId, videoId, status: ended.status, outcome: await finishTask(task, ended, deps) });
    } catch (error) {
      report.errors.push({ inferenceId, videoId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return report;
}
