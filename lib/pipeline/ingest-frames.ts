import type { ShotBoundary, Shots } from '../core/shots';
import { smoothFrames } from '../core/smoothing';
import { stitchChunks, type EmbeddedChunk } from '../core/stitching';
import type { SpeechRecord, TranscriptSegment, VideoRecord } from '../core/types';
import type { JobSpeech } from '../frame-embeddings-format';
import type { RunFrameIndex } from '../store/frame-index';
import type { RunTranscriptIndex } from '../store/transcripts';
import { SupersededError } from './errors';
import type { IndexingSettings, JobRange } from './indexing-settings';
import { readRawEmbeddings, type JobOutputs } from './raw-embeddings';
import type { Ingested, JobResult, VideoRef } from './schemas';
import { toRecord, type VideoItems } from './video-item';

export interface IngestRequest {
  video: VideoRef;
  /** The execution's settings; only `smoothing` is applied here (the jobs were planned with the others). */
  settings: IndexingSettings;
  /** The plan's jobs, and their results in the same order: the first job's, then the others'. */
  jobs: JobRange[];
  first: JobResult;
  rest: JobResult[];
}

export interface IngestDeps {
  catalog: Pick<VideoItems, 'current' | 'item'>;
  outputs: JobOutputs;
  frames: RunFrameIndex;
  transcripts: Pick<RunTranscriptIndex, 'replaceRun' | 'removeVideo'>;
}

/**
 * Puts the raw embeddings of every job back together as the whole video's (stitchChunks: each frame from the chunk
 * whose keep range holds it), smooths them with `settings.smoothing`, joins the jobs' shot boundaries (each job's in
 * its own range), and makes them the video's frames in the index,
 * with the video's metadata on every frame. Smoothing the stitched video, rather than each chunk with its margin, is
 * exact for any kernel, wider than the margins the jobs were planned with too: so re-ingesting with other smoothing
 * settings (plan-reingest.ts) is this same step. The frame index writes in size-bounded bulk requests, retries
 * throttling and 5xx on the failed items only, waits until the new frames are searchable and then deletes every older
 * run of the video, superseded uploads included. The video's transcript (jobsTranscript: the subtitles the first job
 * read for the whole video, else what each job heard in its range) then replaces the video's segments under the same
 * run id, with the same rule: so the catalog's run names frames and segments alike. Outputs without a transcript (from
 * a container before speech) leave the video with no segments and its catalog `speech` as it was.
 */
export async function ingestFrames(request: IngestRequest, deps: IngestDeps): Promise<Ingested> {
  const started = performance.now();
  const { video: ref, settings, jobs } = request;
  const outputs = [request.first, ...request.rest].map((result) => result.output);
  if (outputs.length !== jobs.length) throw new Error(`${jobs.length} jobs planned but ${outputs.length} results`);

  const item = await deps.catalog.current(ref);
  const chunks: EmbeddedChunk[] = [];
  const boundaries: ShotBoundary[] = [];
  /** Null once a job's output has none (embedded by a container that did not detect shots). */
  let shots: Shots | null | undefined;
  let header: { durationSec: number; fps: number; model: string; dim: number } | undefined;
  const said: (JobSpeech | undefined)[] = [];
  for (const [i, output] of outputs.entries()) {
    const raw = await readRawEmbeddings(deps.outputs, output, ref.id);
    header ??= raw.header;
    said.push(raw.header.speech);
    if (raw.header.model !== header.model || raw.header.dim !== header.dim) {
      const [got, first] = [raw.header, header].map(({ model, dim }) => `${model} (${dim}-d)`);
      throw new Error(`${output} was embedded with ${got}, the first job with ${first}`);
    }
    chunks.push({ frames: raw.frames, keep: jobs[i] });
    // Each job's shot boundaries in its own keep range, so a boundary in two jobs' overlap counts once.
    const { keepStart, keepEnd } = jobs[i];
    for (const boundary of raw.header.shots?.boundaries ?? []) {
      if (boundary.time >= keepStart && boundary.time < keepEnd) boundaries.push(boundary);
    }
    shots = shots === null || !raw.header.shots ? null : { threshold: raw.header.shots.threshold, boundaries };
  }
  const { segments, speech } = jobsTranscript(said, jobs);
  const frames = smoothFrames(stitchChunks(chunks), settings.smoothing);
  if (!header || frames.length === 0) throw new Error(`no frames could be decoded from ${item.source}`);

  const video: VideoRecord = { ...toRecord(item), ...pick(header), frames: frames.length, smoothing: settings.smoothing, shots: shots ?? null };
  const runId = await deps.frames.replaceRun(video, frames);
  await deps.transcripts.replaceRun({ ...video, runId }, segments, runId);
  await afterWrite(ref, deps);
  return {
    frames: frames.length,
    runId,
    ...pick(header),
    smoothing: settings.smoothing,
    shots: shots ?? null,
    ...(speech && { speech }),
    embeddings: outputs,
    ingestSec: (performance.now() - started) / 1000,
  };
}

/**
 * The video's transcript from its jobs' outputs (`said[i]`: job i's header `speech`): the subtitles or sidecar the
 * first job read for the whole video when it found them; otherwise what speech recognition heard in each job's range,
 * each job's segments kept where they start in its keep range (so a line in two jobs' overlap counts once, as shot
 * boundaries do; one running past a range's end by more than the margin is cut there), in time order, with the
 * model, the first language heard (a note names them all when the ranges heard more than one), and every job's notes
 * once each. Undefined `speech` when no job's output has any (a container from before speech).
 */
export function jobsTranscript(
  said: readonly (JobSpeech | undefined)[],
  jobs: readonly Pick<JobRange, 'keepStart' | 'keepEnd'>[],
): { segments: TranscriptSegment[]; speech?: SpeechRecord } {
  const [first] = said;
  if (first && first.source !== null && first.source !== 'asr') {
    const { segments, ...record } = first;
    return { segments, speech: { ...record, segments: segments.length } };
  }
  const heard = said.flatMap((speech, i) =>
    speech?.source === 'asr' ? [{ ...speech, segments: speech.segments.filter(({ start }) => start >= jobs[i].keepStart && start < jobs[i].keepEnd) }] : [],
  );
  if (said.every((speech) => speech === undefined)) return { segments: [] };
  const notes = [...new Set(said.flatMap((speech) => speech?.notes ?? []))];
  if (heard.length === 0) return { segments: [], speech: { source: null, segments: 0, notes } };
  const segments = heard.flatMap((speech) => speech.segments).sort((a, b) => a.start - b.start);
  const languages = [...new Set(heard.flatMap(({ language }) => (language ? [language] : [])))];
  if (languages.length > 1) notes.push(`speech recognition heard ${languages.join(', ')} in different ranges: recorded as ${languages[0]}`);
  const { model } = heard[0];
  const speech: SpeechRecord = { source: 'asr', segments: segments.length, notes, ...(model && { model }), ...(languages[0] && { language: languages[0] }) };
  return { segments, speech };
}

/**
 * A deletion that came while the frames were being written found none of them searchable yet, so it could not
 * delete them: delete them (and the segments) now. (A newer upload needs nothing: its own run deletes this older one.)
 */
async function afterWrite(ref: VideoRef, deps: Omit<IngestDeps, 'outputs'>): Promise<void> {
  try {
    await deps.catalog.current(ref);
  } catch (error) {
    if (error instanceof SupersededError && (await deps.catalog.item(ref.id))?.deleted) {
      await deps.frames.removeVideo(ref.id);
      await deps.transcripts.removeVideo(ref.id);
    }
    throw error;
  }
}

function pick({ durationSec, fps, model, dim }: { durationSec: number; fps: number; model: string; dim: number }) {
  return { durationSec, fps, model, dim };
}
