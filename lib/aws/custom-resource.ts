import { z } from 'zod';

/** A CloudFormation custom resource request (what the stack sends its ServiceToken function). */
export const CUSTOM_RESOURCE_REQUEST = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.string().optional(),
  ResourceProperties: z.record(z.string(), z.unknown()),
});

export type CustomResourceRequest = z.infer<typeof CUSTOM_RESOURCE_REQUEST>;

/**
 * Runs the request's work and always answers CloudFormation (a request left unanswered holds the stack for an hour):
 * SUCCESS with the physical id the work returns, or FAILED with its error's message.
 */
export async function answerCustomResource(
  request: CustomResourceRequest,
  work: () => Promise<string>,
): Promise<{ status: 'SUCCESS' | 'FAILED'; reason?: string }> {
  let physicalId = request.PhysicalResourceId ?? request.LogicalResourceId;
  let outcome: { status: 'SUCCESS' | 'FAILED'; reason?: string };
  try {
    physicalId = await work();
    outcome = { status: 'SUCCESS' };
  } catch (error) {
    outcome = { status: 'FAILED', reason: error instanceof Error ? error.message : String(error) };
  }
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason ?? 'done',
    PhysicalResourceId: physicalId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
  });
  // The URL is presigned for no content type: a byte body makes fetch send none (a string body would be text/plain).
  const response = await fetch(request.ResponseURL, { method: 'PUT', body: Buffer.from(body) });
  if (!response.ok) throw new Error(`CloudFormation refused the response: ${response.status} ${await response.text()}`);
  return outcome;
}
