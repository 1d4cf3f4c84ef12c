import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  paginateScan,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { keywordMatcher } from '../core/keywords';
import type { VideoRecord, VideoStatus } from '../core/types';
import type { Catalog } from '../store/catalog';
import type { ActiveRuns } from '../store/frame-index';
import { InvalidTransitionError, SupersededError } from '../pipeline/errors';
import type { VideoRef } from '../pipeline/schemas';
import { ALLOWED_FROM, toRecord, type VideoItem, type VideoItems } from '../pipeline/video-item';

/** A run id no frame has (run ids are an ISO time then a UUID). */
const NO_RUN = 'none';

/** BatchGetItem's limit on keys per request. */
const BATCH_GET_KEYS = 100;

/**
 * The video catalog in DynamoDB, one item per video (key `id`). Besides the `Catalog` interface, the pipeline's writes:
 * each is conditional on the event sequencer the caller acts for, so a write of a superseded execution fails with
 * `SupersededError` instead of overwriting the newer one's state. Deleted videos stay as tombstones, which `get`,
 * `list` and `matchKeywords` do not show.
 */
export class DynamoCatalog implements Catalog, VideoItems {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Merges the record's fields into the item (a plain put would drop the pipeline's attributes). */
  async put(video: VideoRecord): Promise<void> {
    const { id, ...fields } = video;
    await this.db.send(new UpdateCommand({ TableName: this.table, Key: { id }, ...setExpression(fields) }));
  }

  async get(id: string): Promise<VideoRecord | undefined> {
    const item = await this.item(id);
    return item && !item.deleted ? toRecord(item) : undefined;
  }

  /** BatchGetItem, 100 keys a request (its limit), unprocessed keys asked again (throttling returns them). */
  async getMany(ids: readonly string[]): Promise<Map<string, VideoRecord>> {
    const videos = new Map<string, VideoRecord>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_KEYS).map((id) => ({ id }));
      for (let attempt = 0; keys?.length; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        const { Responses, UnprocessedKeys }: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }),
        );
        for (const item of (Responses?.[this.table] ?? []) as VideoItem[]) if (!item.deleted) videos.set(item.id, toRecord(item));
        keys = UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return videos;
  }

  async list(): Promise<VideoRecord[]> {
    const videos: VideoRecord[] = [];
    for await (const page of paginateScan({ client: this.db }, { TableName: this.table })) {
      for (const item of (page.Items ?? []) as VideoItem[]) if (!item.deleted) videos.push(toRecord(item));
    }
    return videos.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * Every video's current run (`runId`, set when it became READY), from one projected scan. A video with no run yet
   * (being indexed for the first time) maps to NO_RUN, so search shows none of its frames until the run is complete.
   */
  async activeRuns(): Promise<ActiveRuns> {
    const runs = new Map<string, string>();
    const scan = { TableName: this.table, ProjectionExpression: 'id, runId, deleted' };
    for await (const page of paginateScan({ client: this.db }, scan)) {
      for (const item of (page.Items ?? []) as Pick<VideoItem, 'id' | 'runId' | 'deleted'>[]) {
        if (!item.deleted) runs.set(item.id, item.runId ?? NO_RUN);
      }
    }
    return runs;
  }

  async remove(id: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { id } }));
  }

  async matchKeywords(keywords: string): Promise<string[]> {
    // One item per video: a scan is cheaper than keeping a text index in step.
    return (await this.list()).filter(keywordMatcher(keywords)).map((video) => video.id);
  }

  /** The whole item, tombstones included. */
  async item(id: string): Promise<VideoItem | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    return Item as VideoItem | undefined;
  }

  /** One Scan request: DynamoDB's order (by key hash), resumed after the key `after`; consistent reads. */
  async items({ after, limit }: { after?: string; limit: number }): Promise<{ items: VideoItem[]; next?: string }> {
    const { Items, LastEvaluatedKey } = await this.db.send(
      new ScanCommand({
        TableName: this.table,
        Limit: limit,
        ConsistentRead: true,
        ...(after !== undefined && { ExclusiveStartKey: { id: after } }),
      }),
    );
    const next = LastEvaluatedKey?.id as string | undefined;
    return { items: (Items ?? []) as VideoItem[], ...(next !== undefined && { next }) };
  }

  /**
   * Writes `item` in place of the one whose sequencer was `seen` (or of none): false when another write came first,
   * and the caller must decide again on what is there now.
   */
  async replace(item: VideoItem, seen: string | undefined): Promise<boolean> {
    return ifConditionHolds(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: seen === undefined ? 'attribute_not_exists(id)' : 'sequencer = :seen',
          ...(seen !== undefined && { ExpressionAttributeValues: { ':seen': seen } }),
        }),
      ),
    );
  }

  /**
   * Marks the video deleted for the removal event `sequencer`, in place of the item whose sequencer was `seen` (or of
   * none: the tombstone then only holds the sequencer). False when another write came first.
   */
  async bury(id: string, sequencer: string, seen: string | undefined): Promise<boolean> {
    const now = new Date().toISOString();
    const { UpdateExpression, ExpressionAttributeNames, ExpressionAttributeValues } = setExpression({
      deleted: true,
      sequencer,
      frames: 0,
      updatedAt: now,
    });
    return ifConditionHolds(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression,
          ConditionExpression: seen === undefined ? 'attribute_not_exists(id)' : 'sequencer = :seen',
          ExpressionAttributeNames,
          ExpressionAttributeValues: { ...ExpressionAttributeValues, ...(seen !== undefined && { ':seen': seen }) },
        }),
      ),
    );
  }

  /** The item `ref` acts for; `SupersededError` when a newer event has taken the video over. */
  async current(ref: VideoRef): Promise<VideoItem> {
    const item = await this.item(ref.id);
    if (!item || item.sequencer !== ref.sequencer || item.deleted) throw superseded(ref, item);
    return item;
  }

  /**
   * Moves the video `ref` acts for to `status` (from a status `ALLOWED_FROM` permits), setting `changes` too.
   * `SupersededError` when a newer event owns the video, `InvalidTransitionError` when its status forbids the move.
   */
  async transition(ref: VideoRef, status: VideoStatus, changes: Partial<VideoItem> = {}): Promise<void> {
    const from = ALLOWED_FROM[status];
    const { UpdateExpression, ExpressionAttributeNames, ExpressionAttributeValues } = setExpression({
      ...changes,
      status,
      updatedAt: new Date().toISOString(),
    });
    const fromValues = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    const updated = await ifConditionHolds(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: ref.id },
          UpdateExpression,
          ConditionExpression: `sequencer = :mine AND #status IN (${Object.keys(fromValues).join(', ')})`,
          ExpressionAttributeNames,
          ExpressionAttributeValues: { ...ExpressionAttributeValues, ...fromValues, ':mine': ref.sequencer },
        }),
      ),
    );
    if (updated) return;
    const item = await this.current(ref);
    throw new InvalidTransitionError(`video ${ref.id} is ${item.status}: it cannot become ${status}`);
  }
}

function superseded(ref: VideoRef, item: VideoItem | undefined): SupersededError {
  const by = !item
    ? 'its removal from the catalog'
    : item.deleted
      ? 'a deletion'
      : `a newer upload (sequencer ${item.sequencer})`;
  return new SupersededError(`video ${ref.id} (sequencer ${ref.sequencer}) was superseded by ${by}`);
}

/** `SET #a = :a, …` for every defined field. */
function setExpression(fields: Record<string, unknown>) {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  return {
    UpdateExpression: `SET ${entries.map(([name]) => `#${name} = :${name}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([name]) => [`#${name}`, name])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])),
  };
}

/** Awaits a conditional write: false when its condition failed. */
async function ifConditionHolds(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
