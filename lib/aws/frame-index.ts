import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { OpenSearchFrameIndex, type OpenSearchFrameIndexOptions } from '../store/opensearch-frame-index';
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

/** The collection client and frames index name a function is configured with. */
export function collectionFromEnv(): { client: Client; index: string } {
  const env = readEnv(ENV);
  return { client: collectionClient(env.COLLECTION_ENDPOINT, env.AWS_REGION), index: env.FRAMES_INDEX };
}

/** The frames index of the collection the function is configured with; `waking` as the function needs it. */
export function frameIndexFromEnv(waking?: OpenSearchFrameIndexOptions['waking']): OpenSearchFrameIndex {
  const { client, index } = collectionFromEnv();
  const env = readEnv(ENV);
  const visibility = { pollMs: env.FRAMES_VISIBILITY_POLL_MS, windowMs: env.FRAMES_VISIBILITY_WINDOW_MS };
  return new OpenSearchFrameIndex(client, { index, visibility, waking });
}
