import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { OpenSearchFrameIndex } from '../store/opensearch-frame-index';
import { collectionClient } from './clients';
import { readEnv } from './env';

const ENV = {
  COLLECTION_ENDPOINT: z.url(),
  FRAMES_INDEX: z.string().min(1),
  AWS_REGION: z.string().min(1),
  /** How often a write polls for its frames to become searchable (default: the frame index's own, 2 s). */
  FRAMES_VISIBILITY_POLL_MS: z.coerce.number().int().positive().optional(),
};

/** The collection client and frames index name a function is configured with. */
export function collectionFromEnv(): { client: Client; index: string } {
  const env = readEnv(ENV);
  return { client: collectionClient(env.COLLECTION_ENDPOINT, env.AWS_REGION), index: env.FRAMES_INDEX };
}

/** The frames index of the collection the function is configured with. */
export function frameIndexFromEnv(): OpenSearchFrameIndex {
  const { client, index } = collectionFromEnv();
  const pollMs = readEnv(ENV).FRAMES_VISIBILITY_POLL_MS;
  return new OpenSearchFrameIndex(client, { index, visibility: { pollMs } });
}
