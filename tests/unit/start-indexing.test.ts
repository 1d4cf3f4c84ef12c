import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { executionName } from '../../lib/pipeline/execution-name';
import { answerStartExecution } from '../doubles/step-functions';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:semantic-video-search-ci-index-video';
const sfn = mockClient(SFNClient);
let handler: (event: unknown, context: Context) => Promise<unknown>;

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: 'us-east-1', STATE_MACHINE_ARN: STATE_MACHINE, POWERTOOLS_LOG_LEVEL: 'SILENT' });
  handler = (await import('../../functions/start-indexing/handler')).handler as never;
});
afterAll(() => sfn.restore());

/** Step Functions with no execution yet; the test closes one by setting `running` false. */
function stepFunctions() {
  sfn.reset();
  return answerStartExecution(sfn, STATE_MACHINE);
}

const context = { functionName: 'startIndexing', awsRequestId: 'request-1' } as Context;

/** The event EventBridge delivers for an upload, every field included. */
const KEY = 'videos/Fête de la musique 1.mp4';
const EVENT = {
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '123456789012',
  time: '2026-03-01T18:15:45Z',
  region: 'us-east-1',
  resources: ['arn:aws:s3:::videos-bucket'],
  detail: {
    version: '0',
    bucket: { name: 'videos-bucket' },
    object: { key: KEY, size: 5242880, etag: 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', sequencer: '00617F08299329D189' },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789012',
    'source-ip-address': '1.2.3.4',
    reason: 'PutObject',
  },
};

test('an upload starts one execution named after it, with the event exactly as delivered as its input', async () => {
  stepFunctions();
  const name = executionName(KEY, '00617F08299329D189');
  expect(await handler(EVENT, context)).toEqual({ name, outcome: 'started' });
  const [call] = sfn.commandCalls(StartExecutionCommand);
  expect(call.args[0].input).toMatchObject({ stateMachineArn: STATE_MACHINE, name });
  expect(JSON.parse(call.args[0].input.input!)).toEqual(EVENT);
});

test("EventBridge's repeated delivery is done: while the execution runs, and after it closed (ExecutionAlreadyExists)", async () => {
  const executions = stepFunctions();
  const name = executionName(KEY, '00617F08299329D189');
  expect(await handler(EVENT, context)).toEqual({ name, outcome: 'started' });
  expect(await handler(EVENT, context)).toEqual({ name, outcome: 'started' });
  executions.get(name)!.running = false;
  expect(await handler(EVENT, context)).toEqual({ name, outcome: 'already-started' });
  expect(executions.size).toBe(1);
});

test('a newer upload of the same key starts its own execution', async () => {
  const executions = stepFunctions();
  await handler(EVENT, context);
  const newer = { ...EVENT, detail: { ...EVENT.detail, object: { ...EVENT.detail.object, sequencer: '00617F08299329D18A' } } };
  expect(await handler(newer, context)).toMatchObject({ outcome: 'started' });
  expect(executions.size).toBe(2);
});

test('any other Step Functions failure throws, so Lambda retries the event and then hands it to the failure queue', async () => {
  stepFunctions();
  sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  await expect(handler(EVENT, context)).rejects.toThrow('Rate exceeded');
});

test('an event that is not an "Object Created" with a hex sequencer starts nothing', async () => {
  stepFunctions();
  const removed = { ...EVENT, 'detail-type': 'Object Deleted' };
  await expect(handler(removed, context)).rejects.toThrow(/detail-type/);
  const bad = { ...EVENT, detail: { ...EVENT.detail, object: { ...EVENT.detail.object, sequencer: 'not-hex' } } };
  await expect(handler(bad, context)).rejects.toThrow(/detail\.object\.sequencer: must be hexadecimal/);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});
