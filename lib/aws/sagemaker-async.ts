import { InvokeEndpointAsyncCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { FRAME_EMBEDDINGS_CONTENT_TYPE } from '../frame-embeddings-format';

export interface AsyncJob {
  endpointName: string;
  /** `s3://…` of the job manifest. */
  inputLocation: string;
  /** 1–64 characters; the notification carries it back. */
  inferenceId: string;
  /** How long the container may work on the job (at most 3,600 s). */
  invocationTimeoutSec: number;
}

/** Queues a video job on the asynchronous endpoint; SageMaker answers through the SNS topics, not here. */
export async function invokeAsync(client: SageMakerRuntimeClient, job: AsyncJob): Promise<void> {
  await client.send(
    new InvokeEndpointAsyncCommand({
      EndpointName: job.endpointName,
      InputLocation: job.inputLocation,
      InferenceId: job.inferenceId,
      ContentType: 'application/json',
      Accept: FRAME_EMBEDDINGS_CONTENT_TYPE,
      InvocationTimeoutSeconds: job.invocationTimeoutSec,
    }),
  );
}
