import { parseJobNotification } from '../../lib/aws/sagemaker-notification';
import { failureReason } from '../../lib/pipeline/mark-video';

// The messages SageMaker publishes for an async inference (docs: "Check prediction results").
const success = {
  awsRegion: 'us-east-1',
  eventTime: '2026-01-01T00:00:05.000Z',
  receivedTime: '2026-01-01T00:00:00.000Z',
  invocationStatus: 'Completed',
  requestParameters: {
    accept: 'application/vnd.vsearch.frame-embeddings',
    contentType: 'application/json',
    endpointName: 'embedder-async',
    inputLocation: 's3://bucket/jobs/v/1.json',
  },
  responseParameters: { contentType: 'application/vnd.vsearch.frame-embeddings', outputLocation: 's3://bucket/embeddings/1.out' },
  inferenceId: 'job-1',
  eventVersion: '1.0',
  eventSource: 'aws:sagemaker',
  eventName: 'InferenceResult',
};
// A failure has a reason and no response parameters.
const { responseParameters: _, ...request } = success;
const failure = { ...request, invocationStatus: 'Failed', failureReason: 'ClientError: 422 video_corrupt' };

describe('parseJobNotification', () => {
  it('reads a success and a failure', () => {
    expect(parseJobNotification(JSON.stringify(success))).toEqual({
      ok: true,
      value: { inferenceId: 'job-1', status: 'Completed', outputLocation: 's3://bucket/embeddings/1.out' },
    });
    expect(parseJobNotification(JSON.stringify(failure))).toEqual({
      ok: true,
      value: { inferenceId: 'job-1', status: 'Failed', failureReason: 'ClientError: 422 video_corrupt' },
    });
  });

  it('says why a message is not a notification', () => {
    expect(parseJobNotification('not json')).toEqual({ ok: false, error: 'message is not JSON' });
    expect(parseJobNotification(JSON.stringify({ ...success, responseParameters: {} }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/responseParameters\.outputLocation/),
    });
    expect(parseJobNotification(JSON.stringify({ ...success, invocationStatus: 'Pending' }))).toMatchObject({ ok: false });
  });
});

describe('failureReason', () => {
  it("takes a Lambda error's message, a plain cause as is, and explains causeless errors", () => {
    const lambda = { Error: 'IndexWriteError', Cause: JSON.stringify({ errorType: 'IndexWriteError', errorMessage: 'still throttled' }) };
    expect(failureReason(lambda)).toBe('IndexWriteError: still throttled');
    expect(failureReason({ Error: 'EmbeddingJobFailed', Cause: 'ClientError: 422' })).toBe('EmbeddingJobFailed: ClientError: 422');
    expect(failureReason({ Error: 'States.Timeout' })).toMatch(/^States\.Timeout: the embedding job did not report back/);
    expect(failureReason({ Error: 'Custom' })).toBe('Custom');
  });
});
