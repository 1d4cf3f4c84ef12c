import { OBJECT_CREATED } from '../aws/s3-events';
import { executionName } from './execution-name';
import { parseInput } from './schemas';

/** The indexing workflow's executions (statemachines/index-video.asl.yml). */
export interface IndexingExecutions {
  /**
   * Starts an execution named `name` with `input` (JSON text). `already-started` when the workflow has an execution
   * of that name already, running or closed in the last 90 days: names are unique per state machine, so nothing is
   * started twice. Any other failure throws.
   */
  start(name: string, input: string): Promise<'started' | 'already-started'>;
}

export interface StartedIndexing {
  name: string;
  outcome: 'started' | 'already-started';
}

/**
 * The "Object Created" event of an upload starts the execution that indexes it, named after the upload
 * (executionName). The execution's input is the event exactly as EventBridge delivered it, as when the rule started
 * executions itself: the workflow's first state (Register) reads it. EventBridge delivers an event at least once; a
 * repeated delivery names the same execution and is done (`already-started`).
 */
export async function startIndexing(event: unknown, deps: { executions: IndexingExecutions }): Promise<StartedIndexing> {
  const { object } = parseInput(OBJECT_CREATED, event).detail;
  const name = executionName(object.key, object.sequencer);
  return { name, outcome: await deps.executions.start(name, JSON.stringify(event)) };
}
