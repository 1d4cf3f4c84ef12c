import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  paginateScan,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

/** A waiting execution's task token, stored under the InferenceId of the job it waits for. */
export interface WaitingTask {
  inferenceId: string;
  token: string;
  videoId: string;
  /** Epoch seconds after which DynamoDB's TTL may drop the entry (the wait has timed out by then). */
  expiresAt: number;
  /** Where SageMaker will write the job's output and its failure (InvokeEndpointAsync's answer), once it has answered. */
  outputLocation?: string;
  failureLocation?: string;
}

/**
 * Task tokens by InferenceId. A token can be longer than SageMaker's CustomAttributes allow, so the job carries only
 * the InferenceId and the notification handler looks the token up here.
 */
export class TaskTokenStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(task: WaitingTask): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: task }));
  }

  /**
   * Records where the job's output and failure will be. An entry already gone (its notification came first and
   * resolved the task) is not written again.
   */
  async locate(inferenceId: string, locations: { outputLocation: string; failureLocation: string }): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { inferenceId },
          UpdateExpression: 'SET outputLocation = :output, failureLocation = :failure',
          ConditionExpression: 'attribute_exists(inferenceId)',
          ExpressionAttributeValues: { ':output': locations.outputLocation, ':failure': locations.failureLocation },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async get(inferenceId: string): Promise<WaitingTask | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { inferenceId }, ConsistentRead: true }));
    return Item as WaitingTask | undefined;
  }

  /** Every entry, a page of the table at a time (the table holds only the jobs being waited for). */
  async *all(): AsyncGenerator<WaitingTask> {
    for await (const page of paginateScan({ client: this.db }, { TableName: this.table, ConsistentRead: true })) {
      yield* (page.Items ?? []) as WaitingTask[];
    }
  }

  async delete(inferenceId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { inferenceId } }));
  }
}
