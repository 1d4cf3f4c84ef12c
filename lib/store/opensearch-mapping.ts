import type { API, Client } from '@opensearch-project/opensearch';
import { IndexMismatchError } from './errors';
import { errorType, NO_WAKE_WAIT, onIndex, type WakePolicy } from './opensearch-errors';

/** HNSW graph parameters: 16 links per node, 128 candidates while building (recall vs indexing cost). */
const HNSW_PARAMETERS = { m: 16, ef_construction: 128 } as const;

/**
 * One stored frame. The video's filter fields (category, tags, title) are copied onto every frame so that filters run
 * inside the k-NN query. `run_id` is the `replaceFrames` call that wrote it; `frame` its position in that call and
 * `attempt` the bulk send that stored it: together they tell apart copies a retried send may have duplicated.
 */
export interface FrameDoc {
  video_id: string;
  run_id: string;
  frame: number;
  attempt: number;
  time: number;
  embedding: number[];
  model: string;
  title: string;
  category?: string;
  tags: string[];
}

/** Which video and run a document belongs to, and the bulk send that stored it (opensearch-runs.ts). */
const RUN_FIELDS = {
  video_id: { type: 'keyword' },
  run_id: { type: 'keyword' },
  attempt: { type: 'integer' },
} as const;

/** The video's fields the search filters read, copied onto every frame and segment. */
const FILTER_FIELDS = {
  // `keyword` sub-field: keyword filters match inside the whole title, case-insensitively (see opensearch-query).
  title: { type: 'text', fields: { keyword: { type: 'keyword' } } },
  category: { type: 'keyword' },
  tags: { type: 'keyword' },
} as const;

/**
 * The frames index definition for `dim`-wide embeddings, as `PUT /<index>` takes it (plain JSON, so a deploy hook can
 * send it as is). Faiss HNSW on inner product: unit vectors rank as by cosine, and faiss is the engine of classic
 * vector collections that filters inside the k-NN search. Ids, categories and tags are `keyword`s: exact filters.
 * `dynamic: strict` refuses documents with fields this mapping does not know instead of guessing their type.
 */
export function framesIndexBody(dim: number): API.Indices_Create_RequestBody {
  return {
    settings: { index: { knn: true } },
    mappings: {
      dynamic: 'strict',
      properties: {
        embedding: {
          type: 'knn_vector',
          dimension: dim,
          method: { name: 'hnsw', engine: 'faiss', space_type: 'innerproduct', parameters: HNSW_PARAMETERS },
        },
        ...RUN_FIELDS,
        frame: { type: 'integer' },
        time: { type: 'double' },
        model: { type: 'keyword' },
        ...FILTER_FIELDS,
      },
    },
  };
}

/**
 * One transcript segment (lib/store/opensearch-transcripts.ts): what is said from `start` to `end`, and where the
 * transcript came from. As on frames, the video's filter fields are copied onto every segment, and `run_id`, `segment`
 * (its position in the run) and `attempt` tell runs and resent copies apart.
 */
export interface SegmentDoc {
  video_id: string;
  run_id: string;
  segment: number;
  attempt: number;
  start: number;
  end: number;
  text: string;
  source: string;
  title: string;
  category?: string;
  tags: string[];
}

/**
 * The transcripts index definition: `text` is a `text` field (standard analyzer, BM25 relevance: OpenSearch's default
 * similarity), searched with a `match` query; ids, run, source, category and tags are `keyword`s as on frames, so the
 * frame search's filters apply unchanged. No vectors: a vector collection holds plain indexes too.
 */
export function transcriptsIndexBody(): API.Indices_Create_RequestBody {
  return {
    mappings: {
      dynamic: 'strict',
      properties: {
        ...RUN_FIELDS,
        segment: { type: 'integer' },
        start: { type: 'double' },
        end: { type: 'double' },
        text: { type: 'text' },
        source: { type: 'keyword' },
        ...FILTER_FIELDS,
      },
    },
  };
}

/**
 * Creates the frames index unless it exists; one created meanwhile by another caller is fine too. Throws
 * `IndexMismatchError` if the existing index was made for another width, `IndexWakingError` while the collection
 * wakes from zero.
 */
export async function ensureFramesIndex(client: Client, { index, dim }: { index: string; dim: number }): Promise<void> {
  await createUnlessExists(client, index, framesIndexBody(dim));
  const stored = await embeddingDimension(client, index);
  if (stored !== dim) throw new IndexMismatchError(`index ${index} holds ${stored}-d embeddings, not ${dim}-d`);
}

/**
 * Creates the transcripts index unless it exists, as `ensureFramesIndex` does; `IndexMismatchError` if an index of that
 * name has no full-text field `text` (another index given the name).
 */
export async function ensureTranscriptsIndex(client: Client, { index }: { index: string }): Promise<void> {
  await createUnlessExists(client, index, transcriptsIndexBody());
  const { body } = await onIndex((options) => client.indices.getMapping({ index }, options));
  const text = Object.values(body)[0]?.mappings.properties?.text;
  if (text?.type !== 'text') throw new IndexMismatchError(`index ${index} has no full-text field "text": not a transcripts index`);
}

async function createUnlessExists(client: Client, index: string, body: API.Indices_Create_RequestBody): Promise<void> {
  if ((await onIndex((options) => client.indices.exists({ index }, options))).body) return;
  try {
    await onIndex((options) => client.indices.create({ index, body }, options));
  } catch (error) {
    if (errorType(error) !== 'resource_already_exists_exception') throw error;
  }
}

/** The width of the index's `embedding` vectors, from its mapping. */
export async function embeddingDimension(client: Client, index: string, wake: WakePolicy = NO_WAKE_WAIT): Promise<number> {
  const { body } = await onIndex((options) => client.indices.getMapping({ index }, options), wake);
  // Keyed by the concrete index name, which differs from `index` when that is an alias.
  const embedding = Object.values(body)[0]?.mappings.properties?.embedding;
  if (embedding?.type !== 'knn_vector') throw new Error(`index ${index} has no knn_vector field "embedding"`);
  return embedding.dimension;
}
