import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../helpers/cli';
import { declaredFunctions, functionByArn, type Handler } from './serverless-functions';
import { answerStartExecution } from '../../doubles/step-functions';

export const DEFINITION_FILE = path.join(REPO_ROOT, 'statemachines', 'index-video.asl.yml');

type JSONValue = Parameters<StateMachine['run']>[0];

/** The definition as written (statemachines/index-video.asl.yml), parsed: a fresh copy each call. */
export const sourceDefinition = (): Record<string, unknown> => parse(readFileSync(DEFINITION_FILE, 'utf8'));

/** The handlers of the functions serverless.yml declares, by key (registerVideo, planVideo…). */
export type TaskFunctions = Record<string, Handler>;

/** How a Task state calls its function. */
export interface TaskBinding {
  /** The serverless.yml key of the function. */
  function: string;
  /** `direct`: Resource is the function's ARN; `waitForTaskToken`: lambda:invoke.waitForTaskToken with Parameters.FunctionName. */
  integration: 'direct' | 'waitForTaskToken';
}

export interface LocalExecution {
  /** The execution's output, or its error and cause if it failed. */
  outcome: Promise<{ status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED'; error: string; cause: string }>;
  /** The Task states entered, in order (those of Map iterations included). */
  states: string[];
  /** The same, each with the function it invoked: `Plan → planVideo`. */
  invoked: string[];
}

export interface LocalStateMachine {
  /**
   * Starts an execution of the definition (statemachines/index-video.asl.yml unless `definition`, a parsed one, is
   * given) rendered with these serverless.yml parameters. Throws if a Task state names no function serverless.yml
   * declares, or one that was not given.
   */
  start(input: unknown, params: DefinitionParams, definition?: unknown): LocalExecution;
  /** The executions StartExecution started (see `started`), by name. */
  named: Map<string, LocalExecution>;
  restore(): void;
}

/** What StartExecution calls (the starter function's) find: the machine's ARN, and the parameters its executions run with. */
export interface StartedBy {
  stateMachineArn: string;
  params: DefinitionParams;
}

/** The stage parameters the definition refers to (`${param:…}`, resolved by serverless when it packages). */
export interface DefinitionParams {
  jobTimeoutSeconds: number;
}

/**
 * The real definition (statemachines/index-video.asl.yml) run by aws-local-stepfunctions, each Task state bound to the
 * real handler of the function its definition names (its Resource, or Parameters.FunctionName for a lambda:invoke
 * integration, resolved through serverless.yml's functions as `sls package` resolves Fn::GetAtt), called as Lambda
 * would call it: never by the state's name, so a task wired to the wrong function runs the wrong function. A
 * `waitForTaskToken` task gets a token of its own, calls the submit handler, and waits until Step Functions'
 * SendTaskSuccess / SendTaskFailure (mocked with aws-sdk-client-mock) is called with that token: so the real
 * callback path — notification, token lookup by InferenceId, SFN call — is what resolves it. StartExecution (mocked
 * the same way, with Step Functions' rules: tests/doubles/step-functions.ts) starts an execution with the input it is
 * given. As in Step Functions, a token is good for one answer and only while its task waits: answered before, or past
 * the task's TimeoutSeconds, it gets TaskTimedOut.
 */
export function localStateMachine(functions: TaskFunctions, context: Context, started: StartedBy): LocalStateMachine {
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

  const handler = (name: string) => {
    const fn = functions[name];
    if (!fn) throw new Error(`the definition invokes ${name}, whose handler the test did not load`);
    return fn;
  };

  /** A Task whose Resource is the function's ARN: the state's input is the event, the function's result its output. */
  const invoke = (name: string) => {
    const fn = handler(name);
    return async (input: JSONValue) => (await fn(jsonCopy(input) as never, context)) as JSONValue;
  };

  /**
   * `lambda:invoke.waitForTaskToken`: the payload goes to the function, the output comes from SendTask*. The runner
   * times the task out after `timeoutSec` (the state's TimeoutSeconds); the token expires with it.
   */
  const waitForToken = (name: string, timeoutSec: number) => {
    const fn = handler(name);
    return async (input: JSONValue) => {
      const { FunctionName, Payload } = input as { FunctionName: string; Payload: Record<string, JSONValue> };
      if (functionByArn(FunctionName)?.key !== name) throw new Error(`FunctionName ${FunctionName} is not ${name}, which the state names`);
      const token = `token-${++tokens}`;
      const answered = new Promise<JSONValue>((resolve, reject) => {
        const timer = setTimeout(() => waiting.delete(token), timeoutSec * 1000).unref();
        waiting.set(token, { resolve, reject, timer });
      });
      try {
        await fn({ ...jsonCopy(Payload), token } as never, context);
      } catch (error) {
        clearTimeout(waiting.get(token)?.timer);
        waiting.delete(token);
        throw error;
      }
      return answered;
    };
  };

  const named = new Map<string, LocalExecution>();
  const machine: LocalStateMachine = {
    named,
    start(input, params, definition = sourceDefinition()) {
      const states: string[] = [];
      const invoked: string[] = [];
      const rendered = renderDefinition(definition, params);
      const handlers = Object.fromEntries(
        Object.entries(taskBindings(rendered)).map(([state, binding]) => {
          const task =
            binding.integration === 'direct' ? invoke(binding.function) : waitForToken(binding.function, params.jobTimeoutSeconds);
          const recorded = async (input: JSONValue) => {
            states.push(state);
            invoked.push(`${state} → ${binding.function}`);
            return task(input);
          };
          return [state, recorded];
        }),
      );
      const execution = new StateMachine(rendered as never).run(jsonCopy(input) as JSONValue, {
        overrides: {
          taskResourceLocalHandlers: handlers,
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
      return { outcome, states, invoked };
    },
    restore: () => sfn.restore(),
  };
  answerStartExecution(sfn, started.stateMachineArn, ({ name, input }) => {
    const execution = machine.start(JSON.parse(input), started.params);
    named.set(name, execution);
    return execution.outcome;
  });
  return machine;
}

/**
 * The definition as deployed: serverless replaces `${param:name}` values with the stage parameters, and
 * CloudFormation `Fn::GetAtt: [function, Arn]` with the ARN of the function serverless.yml declares under that key
 * (serverless-step-functions turns it into the function's logical id; tests/integration/template.test.ts checks the
 * packaged template). Throws for a parameter the test does not set or a function serverless.yml does not declare.
 * A fresh copy each time (the runner must not share one).
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
  if (getAtt) {
    const fn = declaredFunctions().get(getAtt[0]);
    if (!fn || getAtt[1] !== 'Arn') throw new Error(`the definition refers to Fn::GetAtt ${getAtt.join('.')}, not the ARN of a function serverless.yml declares`);
    return fn.arn;
  }
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renderDefinition(inner, params)]));
}

const LAMBDA_ARN = /^arn:aws:lambda:[^:]+:\d{12}:function:[^:]+$/;
const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/**
 * The function every Task state of a rendered definition invokes, by state name (Map and Parallel states' inner
 * states included; aws-local-stepfunctions binds handlers by state name, so names must be unique). Throws for a
 * resource this runner does not know how to call, or a function serverless.yml does not declare.
 */
export function taskBindings(definition: unknown): Record<string, TaskBinding> {
  const bindings: Record<string, TaskBinding> = {};
  const visit = (states: Record<string, Record<string, any>>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Map') visit((state.ItemProcessor ?? state.Iterator).States);
      if (state.Type === 'Parallel') for (const branch of state.Branches) visit(branch.States);
      if (state.Type !== 'Task') continue;
      if (name in bindings) throw new Error(`two Task states are named ${name}`);
      const integration = state.Resource === WAIT_FOR_TASK_TOKEN ? 'waitForTaskToken' : LAMBDA_ARN.test(state.Resource) ? 'direct' : undefined;
      if (!integration) throw new Error(`state ${name}: resource ${JSON.stringify(state.Resource)} is not one this runner calls`);
      const arn = integration === 'direct' ? state.Resource : state.Parameters?.FunctionName;
      const fn = typeof arn === 'string' ? functionByArn(arn) : undefined;
      if (!fn) throw new Error(`state ${name} invokes ${JSON.stringify(arn)}, which is no function serverless.yml declares`);
      bindings[name] = { function: fn.key, integration };
    }
  };
  visit((definition as { States: Record<string, Record<string, any>> }).States);
  return bindings;
}

/** A deep copy through JSON, as Lambda payloads are (and in this realm: see toolchain facts on structuredClone). */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
