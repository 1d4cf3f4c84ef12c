import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { TaskTokenStore, WaitingTask } from '../../lib/aws/task-tokens';
import { deliverJobResult, JOB_FAILED } from '../../lib/pipeline/job-callback';

const sfn = mockClient(SFNClient);
afterAll(() => sfn.restore());
beforeEach(() => sfn.reset());

/** The token table as a map. */
function tokens(...tasks: WaitingTask[]): TaskTokenStore & { entries: Map<string, WaitingTask> } {
  const entries = new Map(tasks.map((task) => [task.inferenceId, task]));
  return {
    entries,
    put: async (task: WaitingTask) => void entries.set(task.inferenceId, task),
    get: async (id: string) => entries.get(id),
    delete: async (id: string) => void entries.delete(id),
  } as unknown as TaskTokenStore & { entries: Map<string, WaitingTask> };
}

const task = { inferenceId: 'job-1', token: 'token-1', videoId: 'v', expiresAt: 0 };

test('a completed job resolves its task with the output location, then forgets the token', async () => {
  const store = tokens(task);
  const outcome = await deliverJobResult({ inferenceId: 'job-1', status: 'Completed', outputLocation: 's3://b/e/1.out' }, { tokens: store, sfn: new SFNClient({}) });
  expect(outcome).toBe('resolved');
  expect(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({
    taskToken: 'token-1',
    output: JSON.stringify({ inferenceId: 'job-1', output: 's3://b/e/1.out' }),
  });
  expect(store.entries.size).toBe(0);
});

test("a failed job fails its task with SageMaker's reason", async () => {
  await deliverJobResult({ inferenceId: 'job-1', status: 'Failed', failureReason: 'ClientError: 422' }, { tokens: tokens(task), sfn: new SFNClient({}) });
  expect(sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input).toEqual({ taskToken: 'token-1', error: JOB_FAILED, cause: 'ClientError: 422' });
});

test('a notification for no known job, or for a task that stopped waiting, is dropped', async () => {
  const done = { inferenceId: 'job-1', status: 'Completed' as const, outputLocation: 's3://b/e/1.out' };
  expect(await deliverJobResult(done, { tokens: tokens(), sfn: new SFNClient({}) })).toBe('unknown-job');
  sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' }));
  const store = tokens(task);
  expect(await deliverJobResult(done, { tokens: store, sfn: new SFNClient({}) })).toBe('no-longer-waiting');
  expect(store.entries.size).toBe(0);
});

test('any other Step Functions error is thrown, and the token kept for the retried delivery', async () => {
  sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
  const store = tokens(task);
  const done = { inferenceId: 'job-1', status: 'Completed' as const, outputLocation: 's3://b/e/1.out' };
  await expect(deliverJobResult(done, { tokens: store, sfn: new SFNClient({}) })).rejects.toThrow('slow down');
  expect(store.entries.has('job-1')).toBe(true);
});
