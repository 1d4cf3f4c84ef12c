import { z } from 'zod';

/**
 * The message SageMaker publishes to the async endpoint's success or error topic when a job ends (the SNS
 * `Message`, a JSON string). Only the fields the pipeline uses are checked; others may come and go.
 */
const NOTIFICATION = z.discriminatedUnion('invocationStatus', [
  z.object({
    invocationStatus: z.literal('Completed'),
    inferenceId: z.string().min(1),
    responseParameters: z.object({ outputLocation: z.string().min(1) }),
  }),
  z.object({
    invocationStatus: z.literal('Failed'),
    inferenceId: z.string().min(1),
    failureReason: z.string().default('no reason given'),
  }),
]);

export type JobNotification =
  | { inferenceId: string; status: 'Completed'; outputLocation: string }
  | { inferenceId: string; status: 'Failed'; failureReason: string };

/** The notification in an SNS message, or why the message is not one. */
export function parseJobNotification(message: string): { ok: true; value: JobNotification } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, error: 'message is not JSON' };
  }
  const parsed = NOTIFICATION.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    return { ok: false, error: `not a SageMaker async notification: ${issue.path.join('.') || 'message'}: ${issue.message}` };
  }
  const n = parsed.data;
  return {
    ok: true,
    value:
      n.invocationStatus === 'Completed'
        ? { inferenceId: n.inferenceId, status: 'Completed', outputLocation: n.responseParameters.outputLocation }
        : { inferenceId: n.inferenceId, status: 'Failed', failureReason: n.failureReason },
  };
}
