import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A waiting execution's task token, stored under the InferenceId of the job it waits for. */
export interface WaitingTask {
  inferenceId: string;
  token: string;
  videoId: string;
  /** Epoch seconds after which DynamoDB's TTL may drop the entry (the wait has timed out by then). */
  expiresAt: number;
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

  async get(inferenceId: string): Promise<WaitingTask | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { inferenceId }, ConsistentRead: true }));
    return Item as WaitingTask | undefined;
  }

  async delete(inferenceId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { inferenceId } }));
  }
}
