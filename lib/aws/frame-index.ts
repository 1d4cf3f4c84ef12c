import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { OpenSearchFrameIndex, type OpenSearchFrameIndexOptions } from '../store/opensearch-frame-index';
import { OpenSearchTranscripts } from '../store/opensearch-transcripts';
import { collectionClient } from './clients';
import { readEnv } from './env';

const ENV = {
  COLLECTION_ENDPOINT: z.url(),
  FRAMES_INDEX: z.string().min(1),
  AWS_REGION: z.string().min(1),
  /** How often a write polls for its frames to become searchable (default: the frame index's own, 2 s). */
  FRAMES_VISIBILITY_POLL_MS: z.coerce.number().int().positive().optional(),
  /**
   * How long a stored frame may take to become searchable: the collection generation's refresh interval plus a margin
   * (serverless.yml sets it; default: the frame index's own, 90 s, for classic collections).
   */
  FRAMES_VISIBILITY_WINDOW_MS: z.coerce.number().int().positive().optional(),
};

/** The transcripts index of the same collection (functions that read or write what is said). */
const TRANSCRIPTS_ENV = { TRANSCRIPTS_INDEX: z.string().min(1) };

/** The collection client and frames index name a function is configured with. */
export function collectionFromEnv(): { client: Client; index: string } {
  const env = readEnv(ENV);
  return { client: collectionClient(env.COLLECTION_ENDPOINT, env.AWS_REGION), index: env.FRAMES_INDEX };
}

/** The frames index of the collection the function is configured with; `waking` as the function needs it. */
export function frameIndexFromEnv(waking?: OpenSearchFrameIndexOptions['waking']): OpenSearchFrameIndex {
  const { client, index } = collectionFromEnv();
  return new OpenSearchFrameIndex(client, { index, visibility: visibilityFromEnv(), waking });
}

/** The transcripts index beside it, written and waited for as the frames are. */
export function transcriptsFromEnv(waking?: OpenSearchFrameIndexOptions['waking']): OpenSearchTranscripts {
  const { client } = collectionFromEnv();
  const index = readEnv(TRANSCRIPTS_ENV).TRANSCRIPTS_INDEX;
  return new OpenSearchTranscripts(client, { index, visibility: visibilityFromEnv(), waking });
}

function visibilityFromEnv(): OpenSearchFrameIndexOptions['visibility'] {
  const env = readEnv(ENV);
  return { pollMs: env.FRAMES_VISIBILITY_POLL_MS, windowMs: env.FRAMES_VISIBILITY_WINDOW_MS };
}
