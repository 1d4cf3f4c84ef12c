import { randomUUID } from 'node:crypto';
import type { Context, SNSEvent } from 'aws-lambda';
import {
  InvokeEndpointAsyncCommand,
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
  type InvokeEndpointAsyncCommandInput,
  type InvokeEndpointCommandInput,
} from '@aws-sdk/client-sagemaker-runtime';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { toHttpError } from '../../../containers/embedder/errors';
import type { ServedModel } from '../../../containers/embedder/model';
import { answerQuery } from '../../../containers/embedder/query';
import { runVideoJob } from '../../../containers/embedder/video-job';
import { parseS3Uri } from '../../../lib/aws/s3-objects';

/** What the endpoint does with the next jobs: run and notify, run and hold the notification, or nothing at all. */
export type JobMode = 'notify' | 'hold' | 'silent';

export interface FakeJob {
  input: InvokeEndpointAsyncCommandInput;
  manifest: Record<string, unknown>;
  /** Delivers a held notification. */
  release(): Promise<void>;
}

export interface FakeAsyncEndpoint {
  /** Every job invoked, in order. */
  jobs: FakeJob[];
  setMode(mode: JobMode): void;
  /** Resolves once every job invoked so far has run (and, unless held or silent, been notified). */
  settled(): Promise<void>;
  restore(): void;
}

type Handler<E> = (event: E, context: Context) => Promise<unknown>;

/**
 * Stands in for the SageMaker asynchronous endpoint: InvokeEndpointAsync (mocked with aws-sdk-client-mock) answers
 * the job's output and failure locations, runs the embedder container's own video-job code on the manifest from S3,
 * writes its answer to the output location (or SageMaker's failure message to the failure location), and then
 * delivers the notification SageMaker would publish to SNS by calling the job-callback handler with an SNS event
 * carrying the real notification JSON. The SDK being mocked for every client, the real-time InvokeEndpoint (the search
 * function's query endpoint) is answered here too, by the container's own query code with the same model.
 */
export function fakeAsyncEndpoint(options: {
  s3: S3Client;
  /** What the container reads videos with (it presigns s3:// references). */
  containerS3: S3Client;
  model: ServedModel;
  bucket: string;
  callback: Handler<SNSEvent>;
  context: Context;
}): FakeAsyncEndpoint {
  const { s3, containerS3, model, bucket, callback, context } = options;
  const mock = mockClient(SageMakerRuntimeClient);
  const jobs: FakeJob[] = [];
  const running: Promise<void>[] = [];
  let mode: JobMode = 'notify';

  /** Runs the job as the container would; resolves to the delivery of its notification. */
  async function run(
    input: InvokeEndpointAsyncCommandInput,
    manifest: unknown,
    { OutputLocation: outputLocation, FailureLocation: failureLocation }: { OutputLocation: string; FailureLocation: string },
  ): Promise<() => Promise<void>> {
    let notification: object;
    const common = {
      awsRegion: 'us-east-1',
      eventTime: new Date().toISOString(),
      receivedTime: new Date().toISOString(),
      requestParameters: {
        accept: input.Accept,
        contentType: input.ContentType,
        endpointName: input.EndpointName,
        inputLocation: input.InputLocation,
      },
      inferenceId: input.InferenceId,
      eventVersion: '1.0',
      eventSource: 'aws:sagemaker',
      eventName: 'InferenceResult',
    };
    try {
      const result = await runVideoJob(manifest, model, { s3: containerS3, allowLocal: true }, new AbortController().signal);
      await s3.send(new PutObjectCommand({ ...parseS3Location(outputLocation), Body: result.output }));
      notification = {
        ...common,
        invocationStatus: 'Completed',
        responseParameters: { contentType: 'application/vnd.vsearch.frame-embeddings', outputLocation },
      };
    } catch (error) {
      const answer = toHttpError(error);
      const failureReason = `ClientError: Received client error (${answer.status}) from primary with message "${JSON.stringify(answer.body())}"`;
      // What SageMaker's failure object holds exactly is unverified; the fake writes the reason its notification gives.
      await s3.send(new PutObjectCommand({ ...parseS3Location(failureLocation), Body: failureReason }));
      notification = { ...common, invocationStatus: 'Failed', failureReason };
    }
    return async () => {
      await callback(snsEvent(JSON.stringify(notification)), context);
    };
  }

  mock.on(InvokeEndpointAsyncCommand).callsFake(async (input: InvokeEndpointAsyncCommandInput) => {
    // Object names of SageMaker's choosing: only its answer tells where they will be.
    const answer = {
      InferenceId: input.InferenceId,
      OutputLocation: `s3://${bucket}/embeddings/${randomUUID()}.out`,
      FailureLocation: `s3://${bucket}/failures/${randomUUID()}-error.out`,
    };
    const jobMode = mode;
    const manifest = JSON.parse(await getText(s3, input.InputLocation!)) as Record<string, unknown>;
    if (jobMode === 'silent') {
      jobs.push({ input, manifest, release: async () => undefined });
      return answer;
    }
    // SageMaker answers at once and runs the job later: so does the fake, after this call has returned.
    const ran = new Promise<void>((resolve) => setImmediate(resolve)).then(() => run(input, manifest, answer));
    running.push(ran.then((notify) => (jobMode === 'notify' ? notify() : undefined)));
    jobs.push({ input, manifest, release: async () => (await ran)() });
    return answer;
  });

  mock.on(InvokeEndpointCommand).callsFake(async (input: InvokeEndpointCommandInput) => {
    const answer = await answerQuery(JSON.parse(Buffer.from(input.Body as string).toString('utf8')), model);
    return { ContentType: 'application/json', Body: Buffer.from(JSON.stringify(answer)) };
  });

  return {
    jobs,
    setMode: (next) => void (mode = next),
    async settled() {
      await Promise.all(running);
    },
    restore: () => mock.restore(),
  };
}

function snsEvent(message: string): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:job-succeeded:sub',
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:job-succeeded',
          Subject: '',
          Message: message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

function parseS3Location(uri: string): { Bucket: string; Key: string } {
  const { bucket, key } = parseS3Uri(uri);
  return { Bucket: bucket, Key: key };
}

async function getText(s3: S3Client, uri: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand(parseS3Location(uri)));
  return Body!.transformToString();
}
