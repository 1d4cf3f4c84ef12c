import type { S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { FRAME_EMBEDDINGS_CONTENT_TYPE } from '../frame-embeddings-format';
import { getObjectBytes, objectExists, parseS3Uri } from './s3-objects';
import type { JobNotification } from './sagemaker-notification';

export interface AsyncJob {
  endpointName: string;
  /** `s3://…` of the job manifest. */
  inputLocation: string;
  /** 1–64 characters; the notification carries it back. */
  inferenceId: string;
  /** How long the container may work on the job (at most 3,600 s). */
  invocationTimeoutSec: number;
}

/** Where SageMaker will write the job's output, or its failure: the notification names one of them when the job ends. */
export interface JobLocations {
  outputLocation: string;
  failureLocation: string;
}

/**
 * Queues a video job on the asynchronous endpoint; SageMaker answers through the SNS topics, not here. Returns where
 * the job's output or failure will appear (undefined if SageMaker did not say: an endpoint without S3FailurePath).
 */
export async function invokeAsync(client: SageMakerRuntimeClient, job: AsyncJob): Promise<JobLocations | undefined> {
  const { OutputLocation, FailureLocation } = await client.send(
    new InvokeEndpointAsyncCommand({
      EndpointName: job.endpointName,
      InputLocation: job.inputLocation,
      InferenceId: job.inferenceId,
      ContentType: 'application/json',
      Accept: FRAME_EMBEDDINGS_CONTENT_TYPE,
      InvocationTimeoutSeconds: job.invocationTimeoutSec,
    }),
  );
  return OutputLocation && FailureLocation ? { outputLocation: OutputLocation, failureLocation: FailureLocation } : undefined;
}

/**
 * What an ended job left in S3, read back as the notification SageMaker would have sent: its output object, or its
 * failure object, whose text is the reason (SageMaker writes either before it publishes the notification).
 */
export class S3JobOutcomes {
  constructor(private readonly s3: S3Client) {}

  async ended({ inferenceId, outputLocation, failureLocation }: JobLocations & { inferenceId: string }): Promise<JobNotification | undefined> {
    if (await objectExists(this.s3, parseS3Uri(outputLocation))) return { inferenceId, status: 'Completed', outputLocation };
    const failure = parseS3Uri(failureLocation);
    if (!(await objectExists(this.s3, failure))) return undefined;
    const reason = Buffer.from(await getObjectBytes(this.s3, failure)).toString('utf8').trim();
    return { inferenceId, status: 'Failed', failureReason: reason || `the job failed (${failureLocation} is empty)` };
  }
}
