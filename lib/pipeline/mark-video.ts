import type { DynamoCatalog } from '../aws/dynamo-catalog';
import { SupersededError } from './errors';
import type { Ingested, StateError, VideoRef } from './schemas';

/** Reasons a person can act on, for errors whose cause (if any) says no more than their name. */
const EXPLAINED: Record<string, string> = {
  'States.Timeout': 'the embedding job did not report back in time (endpoint unavailable, or the job hung)',
  'States.HeartbeatTimeout': 'the embedding job stopped reporting progress',
};

/** The FAILED reason of a state error: the cause, in one line, named by its error. */
export function failureReason({ Error: name, Cause: cause }: StateError): string {
  const detail = EXPLAINED[name] ?? causeMessage(cause);
  return detail ? `${name}: ${detail}` : name;
}

/** A Lambda failure's cause is its error as JSON (`{"errorMessage": …}`); anything else is taken as text. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    const message = (parsed as { errorMessage?: unknown }).errorMessage;
    if (typeof message === 'string') return message;
  } catch {
    // plain text
  }
  return cause;
}

/** READY, with the counts and timings of the run; `SupersededError` if a newer event owns the video. */
export async function markReady(
  request: { video: VideoRef; ingest: Ingested; startedAt: string },
  deps: { catalog: DynamoCatalog },
): Promise<void> {
  const { ingest, startedAt } = request;
  const readyAt = new Date();
  await deps.catalog.transition(request.video, 'READY', {
    frames: ingest.frames,
    runId: ingest.runId,
    durationSec: ingest.durationSec,
    fps: ingest.fps,
    model: ingest.model,
    dim: ingest.dim,
    smoothing: ingest.smoothing,
    shots: ingest.shots,
    speech: ingest.speech,
    embeddings: ingest.embeddings,
    timings: {
      startedAt,
      readyAt: readyAt.toISOString(),
      totalSec: (readyAt.getTime() - Date.parse(startedAt)) / 1000,
      ingestSec: ingest.ingestSec,
    },
  });
}

/**
 * FAILED with the reason, which it returns. A superseded execution leaves the catalog alone (it belongs to the newer
 * event): `marked` is false then.
 */
export async function markFailed(
  request: { video: VideoRef; error: StateError },
  deps: { catalog: DynamoCatalog },
): Promise<{ reason: string; marked: boolean }> {
  const reason = failureReason(request.error);
  try {
    await deps.catalog.transition(request.video, 'FAILED', { error: reason });
    return { reason, marked: true };
  } catch (error) {
    if (error instanceof SupersededError) return { reason, marked: false };
    throw error;
  }
}
