import { StartExecutionCommand, type SFNClient, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** An execution StartExecution started, as Step Functions remembers it (names are unique for 90 days). */
export interface StartedExecution {
  name: string;
  input: string;
  running: boolean;
}

/** Step Functions' limit on an execution's input: 256 KiB of UTF-8. */
const MAX_INPUT_BYTES = 256 * 1024;

const refusal = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

/**
 * StartExecution on a mocked SFN client, answered as Step Functions answers it for one Standard workflow: another
 * state machine does not exist; a name must be 1–80 letters, digits, `-` or `_` (InvalidName: the characters AWS
 * lists as unsafe are refused, and so is anything else outside the safe set); the input is JSON of at most 256 KiB;
 * a name is unique per state machine — the same name and input while that execution runs is the same execution
 * again, anything else ExecutionAlreadyExists. `run` (optional) runs each started execution; it stops running when
 * its promise settles. Returns the executions by name.
 */
export function answerStartExecution(
  sfn: AwsClientStub<SFNClient>,
  stateMachineArn: string,
  run: (execution: StartedExecution) => Promise<unknown> = () => new Promise(() => undefined),
): Map<string, StartedExecution> {
  const executions = new Map<string, StartedExecution>();
  sfn.on(StartExecutionCommand).callsFake(({ stateMachineArn: arn, name, input = '{}' }: StartExecutionCommandInput) => {
    if (arn !== stateMachineArn) throw refusal('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    if (name === undefined || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw refusal('InvalidName', `Invalid Name: '${name}'`);
    if (Buffer.byteLength(input) > MAX_INPUT_BYTES || !isJson(input)) throw refusal('InvalidExecutionInput', 'Invalid State Machine Execution Input');
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = executions.get(name);
    if (existing?.running && existing.input === input) return { executionArn, startDate: new Date() };
    if (existing) throw refusal('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    const execution = { name, input, running: true };
    executions.set(name, execution);
    const closed = () => void (execution.running = false);
    run(execution).then(closed, closed);
    return { executionArn, startDate: new Date() };
  });
  return executions;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
