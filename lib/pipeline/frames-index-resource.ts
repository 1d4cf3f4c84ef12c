import { setTimeout as sleep } from 'node:timers/promises';
import { errors, type Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { IndexWakingError } from '../store/errors';
import { ensureFramesIndex, ensureTranscriptsIndex } from '../store/opensearch-mapping';

/** The custom resource's properties (strings: CloudFormation passes every property value as one). */
export const FRAMES_INDEX_PROPERTIES = z.object({
  Index: z.string().min(1),
  Dimension: z.coerce.number().int().positive(),
  /** The transcripts index, created beside the frames index in the same collection. */
  TranscriptsIndex: z.string().min(1),
});

export interface Patience {
  /** How long a freshly created data access policy may take to let the function in, or the collection to wake. */
  timeoutMs: number;
  pollMs: number;
}

/**
 * Creates the frames index and the transcripts index unless they exist (idempotent, so stack updates and re-runs are harmless). A new data access
 * policy takes a while to apply, and the collection answers 403 until it does; a NextGen collection that scaled to
 * zero (a stack update after 10 quiet minutes) answers late or 503 while it wakes: both are waited out.
 */
export async function createFramesIndex(
  client: Client,
  { Index: index, Dimension: dim, TranscriptsIndex: transcripts }: z.infer<typeof FRAMES_INDEX_PROPERTIES>,
  { timeoutMs, pollMs }: Patience,
): Promise<string> {
  for (let waited = 0; ; waited += pollMs) {
    try {
      await ensureFramesIndex(client, { index, dim });
      await ensureTranscriptsIndex(client, { index: transcripts });
      return index;
    } catch (error) {
      const forbidden = error instanceof errors.ResponseError && error.statusCode === 403;
      if (!(forbidden || error instanceof IndexWakingError) || waited >= timeoutMs) throw error;
      await sleep(pollMs);
    }
  }
}
