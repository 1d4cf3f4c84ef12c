import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../helpers/cli';

export const DEFINITION_FILE = path.join(REPO_ROOT, 'statemachines', 'index-video.asl.yml');

type Handler = (event: never, context: Context) => Promise<unknown>;
type JSONValue = Parameters<StateMachine['run']>[0];

/** The functions the state machine's tasks invoke, by the names serverless.yml gives them. */
export interface TaskFunctions {
  registerVideo: Handler;
  submitJob: Handler;
  planVideo: Handler;
  ingestFrames: Handler;
  markVideo: Handler;
}

export interface LocalExecution {
  /** The execution's output, or its error and cause if it failed. */
  outcome: Promise<{ status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED'; error: string; cause: string }>;
  /** The Task states entered, in order (those of Map iterations included). */
  states: string[];
}

export interface LocalStateMachine {
  /** Starts an execution of the definition rendered with these serverless.yml parameters. */
  start(input: unknown, params: DefinitionParams): LocalExecution;
  restore(): void;
}

/** The stage parameters the definition refers to (`${param:…}`, resolved by serverless when it packages). */
export interface DefinitionParams {
  jobTimeoutSeconds: number;
}

/**
 * The real definition (statemachines/index-video.asl.yml) run by aws-local-stepfunctions, each Task bound to the
 * real handler of the function its resource names, called as Lambda would call it. A `waitForTaskToken` task gets a
 * token of its own, calls the submit handler, and waits until Step Functions' SendTaskSuccess / SendTaskFailure
 * (mocked with aws-sdk-client-mock) is called with that token: so the real callback path — notification, token
 * lookup by InferenceId, SFN call — is what resolves it. As in Step Functions, a token is good for one answer and only
 * while its task waits: answered before, or past the task's TimeoutSeconds, it gets TaskTimedOut.
 */
export function localStateMachine(functions: TaskFunctions, context: Context): LocalStateMachine {
  const definition = parse(readFileSync(DEFINITION_FILE, 'utf8'));
  const waiting = new Map<string, { resolve: (output: JSONValue) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  let tokens = 0;

  const sfn = mockClient(SFNClient);
  const answer = (token: string) => {
    const task = waiting.get(token);
    // Step Functions: "The task token has either expired or the task associated with the token has already been closed."
    if (!task) throw Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
    waiting.delete(token);
    clearTimeout(task.timer);
    return task;
  };
  sfn.on(SendTaskSuccessCommand).callsFake(({ taskToken, output }) => {
    answer(taskToken).resolve(JSON.parse(output));
    return {};
  });
  sfn.on(SendTaskFailureCommand).callsFake(({ taskToken, error, cause }) => {
    answer(taskToken).reject(Object.assign(new Error(cause), { name: error }));
    return {};
  });

  const invoke = (name: keyof TaskFunctions) => async (input: JSONValue) =>
    (await functions[name](jsonCopy(input) as never, context)) as JSONValue;

  /**
   * `lambda:invoke.waitForTaskToken`: the payload goes to the function, the output comes from SendTask*. The runner
   * times the task out after `timeoutSec` (the state's TimeoutSeconds); the token expires with it.
   */
  const waitForToken = (timeoutSec: number) => async (input: JSONValue) => {
    const { FunctionName, Payload } = input as { FunctionName: string; Payload: Record<string, JSONValue> };
    const token = `token-${++tokens}`;
    const answered = new Promise<JSONValue>((resolve, reject) => {
      const timer = setTimeout(() => waiting.delete(token), timeoutSec * 1000).unref();
      waiting.set(token, { resolve, reject, timer });
    });
    try {
      await functions[functionName(FunctionName)]({ ...jsonCopy(Payload), token } as never, context);
    } catch (error) {
      clearTimeout(waiting.get(token)?.timer);
      waiting.delete(token);
      throw error;
    }
    return answered;
  };

  return {
    start(input, params) {
      const states: string[] = [];
      const record = (state: string, task: (input: JSONValue) => Promise<JSONValue>) => async (input: JSONValue) => {
        states.push(state);
        return task(input);
      };
      const machine = new StateMachine(renderDefinition(definition, params) as never);
      const execution = machine.run(jsonCopy(input) as JSONValue, {
        overrides: {
          taskResourceLocalHandlers: {
            Register: record('Register', invoke('registerVideo')),
            EmbedFirstChunk: record('EmbedFirstChunk', waitForToken(params.jobTimeoutSeconds)),
            Plan: record('Plan', invoke('planVideo')),
            EmbedChunk: record('EmbedChunk', waitForToken(params.jobTimeoutSeconds)),
            Ingest: record('Ingest', invoke('ingestFrames')),
            MarkReady: record('MarkReady', invoke('markVideo')),
            MarkFailed: record('MarkFailed', invoke('markVideo')),
          },
          retryIntervalOverrides: { Ingest: 10, Register: 10, MarkFailed: 10 },
        },
        context: {
          Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:index-video:local', StartTime: new Date().toISOString() },
          Task: { Token: 'replaced-per-task' },
        },
      });
      const outcome = execution.result.then(
        (output) => ({ status: 'SUCCEEDED' as const, output }),
        (error: Error) => {
          const cause = error.cause as Error | undefined;
          return { status: 'FAILED' as const, error: cause?.name ?? error.name, cause: cause?.message ?? error.message };
        },
      );
      return { outcome, states };
    },
    restore: () => sfn.restore(),
  };
}

/**
 * The definition as deployed: serverless replaces `${param:name}` values with the stage parameters, CloudFormation
 * `Fn::GetAtt: [function, Arn]` with the function's ARN. A fresh copy each time (the runner must not share one).
 */
export function renderDefinition(value: unknown, params: DefinitionParams): unknown {
  if (Array.isArray(value)) return value.map((item) => renderDefinition(item, params));
  if (typeof value === 'string') {
    const param = /^\$\{param:(\w+)\}$/.exec(value)?.[1];
    if (param === undefined) return value;
    if (!(param in params)) throw new Error(`the definition uses \${param:${param}}, which the test does not set`);
    return params[param as keyof DefinitionParams];
  }
  if (typeof value !== 'object' || value === null) return value;
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `arn:aws:lambda:us-east-1:123456789012:function:${getAtt[0]}`;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renderDefinition(inner, params)]));
}

function functionName(arn: string): keyof TaskFunctions {
  return arn.slice(arn.lastIndexOf(':') + 1) as keyof TaskFunctions;
}

/** A deep copy through JSON, as Lambda payloads are (and in this realm: see toolchain facts on structuredClone). */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
