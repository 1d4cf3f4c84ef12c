import type { Clip, Hit, Moment, SearchFilters, VideoRecord } from './core/types';
import { clusterHits, defaultTimeOffset, relevanceFloor, type TimeOffset } from './core/clustering';
import { growClips, growthWindows } from './core/clip-growth';
import { collapseDuplicates, DUPLICATE_CANDIDATES } from './core/duplicates';
import { inMoment, momentVector, overlapsMoment, withMoment } from './core/more-like-this';
import { subtractNegatives } from './core/negative-query';
import { snapToShots } from './core/shot-snap';
import { DEFAULT_SPEECH_WEIGHT, explainClip, fuseSpeech, type MatchSide, type SearchMode, type TranscriptLine } from './core/speech-fusion';
import { QueryRejectedError, type Query, type QueryEncoder } from './query-encoder';
import type { Catalog } from './store/catalog';
import type { ActiveRuns, FrameIndex } from './store/frame-index';
import { assertIndexAccepts } from './store/model-guard';
import type { TranscriptIndex } from './store/transcripts';

/** `timeOffset` has no fixed default: it follows each video's sampling (`defaultTimeOffset`, clustering.ts). */
export const SEARCH_DEFAULTS = { k: 100, size: 20, snap: 'shots', dedupe: true } as const;

/** The most frames one k-NN search returns (both frame indexes' bound). */
const MAX_FRAMES = 10_000;

/** How clips are bounded: by their videos' shots (shot-snap.ts), or as they grew (clip-growth.ts). */
export type Snap = 'shots' | 'none';
export const SNAP_VALUES: readonly Snap[] = ['shots', 'none'];

/** What every surface says when a search has nothing to look for. */
export const NO_QUERY_MESSAGE = 'give text, image, like (a moment to find more like), or several of them';

export interface SearchRequest extends Query {
  filters?: SearchFilters;
  /** Frames fetched by k-NN before clustering. */
  k?: number;
  /** Clips returned. */
  size?: number;
  /** Largest gap in seconds inside a clip, for every video; default: two sampling intervals of each video. */
  timeOffset?: number;
  minScore?: number;
  /** How far below the best score a hit may be and still join a clip; 'auto' adapts to the query's scores. */
  relevanceMargin?: number | 'auto';
  /** How much what is said counts beside what is seen (speech-fusion.ts, w ≥ 0; 0 = frames only). */
  speechWeight?: number;
  /** Score frames and speech (default), or one side only. */
  mode?: SearchMode;
  /** A moment of an indexed video to find more like (more-like-this.ts); itself is left out of the results. */
  like?: Moment;
  /** Texts whose frames rank lower (negative-query.ts). */
  not?: string[];
  /** Default 'shots'. */
  snap?: Snap;
  /** Collapse near-duplicate clips into one result (duplicates.ts); default true. */
  dedupe?: boolean;
}

/** A clip with the catalog entry of its video, and the near-duplicates collapsed into it (none when `dedupe` is off). */
export interface ClipResult extends Clip {
  video: VideoRecord;
  duplicates: Moment[];
  /** Why it matched: by its frames, by what is said in it, or both (speech-fusion.ts, rule 6). */
  matchedBy: MatchSide[];
  /** The transcript lines that matched within the clip, in time order. */
  transcript: TranscriptLine[];
}

export interface SearchDeps {
  encoder: QueryEncoder;
  catalog: Catalog;
  frames: FrameIndex;
  /** What is said in the videos; without it a search scores frames only. */
  transcripts?: TranscriptIndex;
}

/**
 * A search that cannot run as asked (a moment to search like that does not exist, a negative that contradicts the
 * query): `field` names the request field as the APIs spell it (`like.videoId`, `not`), the message says why.
 */
export class SearchRequestError extends Error {
  override readonly name = 'SearchRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The vector a request ranks frames by, and how many stored frames its 'more like this' moment holds. */
export interface SearchVector {
  vector: Float32Array;
  likeFrames: number;
}

/**
 * The request's query vector: the text and image (the encoder's fused vector) and the 'more like this' moment as
 * equal parts (more-like-this.ts), less the negatives (negative-query.ts). Throws SearchRequestError for a request
 * that cannot be searched.
 */
export async function searchVector(request: SearchRequest, deps: SearchDeps): Promise<SearchVector> {
  const negatives = checkParts(request);
  const { encoder } = deps;
  const [encoded, like, negated] = await Promise.all([
    request.text !== undefined || request.image !== undefined ? encoder.encode(request) : undefined,
    request.like ? likeVector(request.like, deps) : undefined,
    Promise.all(negatives.map((text) => encoder.encode({ text }))),
  ]);
  const positive = like ? withMoment(encoded, like.vector) : encoded!;
  return { vector: subtractNegatives(positive, negated), likeFrames: like?.frames ?? 0 };
}

/**
 * The k-NN hits a search ranks (each video kept to its active run: `activeRuns`, the catalog's), with the catalog
 * entries of their videos: hits of a video the catalog no longer knows (removed while its frames are still being
 * deleted) and those of the 'more like this' moment itself are left out.
 */
export async function searchHits(
  request: SearchRequest,
  { vector, likeFrames }: SearchVector,
  activeRuns: ActiveRuns,
  { catalog, frames }: Pick<SearchDeps, 'catalog' | 'frames'>,
): Promise<{ hits: Hit[]; videos: Map<string, VideoRecord> }> {
  const k = Math.min(MAX_FRAMES, (request.k ?? SEARCH_DEFAULTS.k) + likeFrames);
  const found = await frames.search({ vector, k, filters: request.filters, activeRuns });
  const videos = await catalog.getMany([...new Set(found.map((hit) => hit.videoId))]);
  const { like } = request;
  const hits = found.filter((hit) => videos.has(hit.videoId) && !(like && inMoment(like, hit.videoId, hit.time)));
  return { hits, videos };
}

/**
 * Embeds the query (searchVector) while it checks that the index holds the encoder's model, runs one filtered k-NN
 * search (searchHits) and, for text, one filtered full-text search of the transcripts beside it, fuses the two on each
 * video's time line (speech-fusion.ts), turns the fused hits into ranked clips (clustering.ts), grows them over their
 * videos' neighbouring frames (clip-growth.ts: one read per video of the result), snaps them to their shots
 * (shot-snap.ts), leaves out the 'more like this' moment, and collapses near-duplicates (duplicates.ts: one read of
 * the clips' best frames).
 */
export async function searchClips(request: SearchRequest, deps: SearchDeps): Promise<ClipResult[]> {
  const { encoder, catalog, frames } = deps;
  const mode = request.mode ?? 'both';
  if (mode === 'speech' && !request.text) throw new QueryRejectedError('a speech-only search needs text');
  const visual = mode !== 'speech';
  const [, query, activeRuns] = await Promise.all([
    visual ? assertIndexAccepts(frames, encoder) : undefined,
    visual ? searchVector(request, deps) : undefined,
    catalog.activeRuns(),
  ]);
  const [seen, spoken] = await Promise.all([
    query ? searchHits(request, query, activeRuns, deps) : { hits: [], videos: new Map<string, VideoRecord>() },
    searchSpeech(request, mode, deps.transcripts, activeRuns),
  ]);
  const unseen = [...new Set(spoken.map((hit) => hit.videoId).filter((id) => !seen.videos.has(id)))];
  const videos = new Map([...seen.videos, ...(unseen.length > 0 ? await catalog.getMany(unseen) : [])]);
  const fusion = fuseSpeech(
    seen.hits,
    spoken.filter((hit) => videos.has(hit.videoId)),
    { weight: request.speechWeight ?? DEFAULT_SPEECH_WEIGHT, mode, fpsOf: (videoId) => videos.get(videoId)!.fps },
  );
  const hits = fusion.hits;

  const floor = relevanceFloor(hits.map((hit) => hit.score), request);
  const timeOffset: TimeOffset = request.timeOffset ?? ((videoId) => defaultTimeOffset(videos.get(videoId)!.fps));
  const size = request.size ?? SEARCH_DEFAULTS.size;
  const dedupe = request.dedupe ?? SEARCH_DEFAULTS.dedupe;
  // Collapsing duplicates and leaving out the moment searched like take clips away: more are grown to fill the page.
  const candidates = size * (dedupe ? DUPLICATE_CANDIDATES : 1) + (request.like ? 1 : 0);
  const clips = clusterHits(hits, { timeOffset, floor, size: candidates });
  const neighbours = new Map<string, Hit[]>();
  await Promise.all(
    [...(query ? growthWindows(clips) : [])].map(async ([videoId, windows]) =>
      neighbours.set(videoId, await frames.scoreFrames(query!.vector, videoId, windows, videos.get(videoId)!.runId)),
    ),
  );
  let grown = growClips(clips, neighbours, { floor, timeOffset });
  if ((request.snap ?? SEARCH_DEFAULTS.snap) === 'shots') {
    const kept = hits.filter((hit) => hit.score >= floor);
    grown = snapToShots(grown, (videoId) => videos.get(videoId)!, { hits: kept, timeOffset });
  }
  const { like } = request;
  if (like) grown = grown.filter((clip) => !overlapsMoment(like, clip));
  const results = dedupe
    ? collapseDuplicates(grown, await bestFrameVectors(grown, videos, frames))
    : grown.map((clip) => ({ ...clip, duplicates: [] }));
  return results.slice(0, size).map((clip) => ({
    ...clip,
    ...explainClip(clip, fusion, [...seen.hits, ...(neighbours.get(clip.videoId) ?? [])], floor),
    video: videos.get(clip.videoId)!,
  }));
}

/** The transcript segments matching the query's text, where the search reads speech at all. */
export async function searchSpeech(request: SearchRequest, mode: SearchMode, transcripts: TranscriptIndex | undefined, activeRuns: ActiveRuns) {
  if (!transcripts || !request.text || mode === 'visual' || request.speechWeight === 0) return [];
  return transcripts.search({ text: request.text, k: request.k ?? SEARCH_DEFAULTS.k, filters: request.filters, activeRuns });
}

/** The parts of a request checked: a positive part, and negatives that are neither empty nor the query's text. */
function checkParts(request: SearchRequest): string[] {
  if (request.text === undefined && request.image === undefined && request.like === undefined) {
    throw new SearchRequestError('text', NO_QUERY_MESSAGE);
  }
  const negatives = (request.not ?? []).map((text) => text.trim());
  if (negatives.some((text) => text === '')) throw new SearchRequestError('not', 'a negative query must not be empty');
  const text = request.text?.trim().toLowerCase();
  const repeated = negatives.find((negative) => negative.toLowerCase() === text);
  if (repeated !== undefined) {
    throw new SearchRequestError('not', `"${repeated}" is the query's own text: a search cannot look for it and avoid it`);
  }
  return negatives;
}

/** The moment's vector and frame count (more-like-this.ts), or SearchRequestError naming what is wrong with it. */
async function likeVector(like: Moment, { catalog, frames }: SearchDeps): Promise<{ vector: Float32Array; frames: number }> {
  const video = await catalog.get(like.videoId);
  if (!video) throw new SearchRequestError('like.videoId', `no video with id "${like.videoId}"`);
  if (!(like.start >= 0 && like.start < video.durationSec)) {
    throw new SearchRequestError('like.start', `starts at ${like.start} s, outside video "${video.id}" (0 to ${video.durationSec} s)`);
  }
  if (!(like.end >= like.start && like.end <= video.durationSec)) {
    throw new SearchRequestError('like.end', `ends at ${like.end} s: it must lie from the start (${like.start} s) to the end of video "${video.id}" (${video.durationSec} s)`);
  }
  const stored = await frames.frameVectors([{ videoId: video.id, windows: [like], runId: video.runId }]);
  if (stored.length === 0) {
    throw new SearchRequestError('like', `video "${video.id}" has no indexed frame from ${like.start} s to ${like.end} s`);
  }
  return { vector: momentVector(stored), frames: stored.length };
}

/** The stored vector of each clip's best frame, from one read (duplicates.ts needs them). */
async function bestFrameVectors(
  clips: readonly Clip[],
  videos: ReadonlyMap<string, VideoRecord>,
  frames: FrameIndex,
): Promise<(clip: Clip) => Float32Array | undefined> {
  if (clips.length < 2) return () => undefined;
  const times = new Map<string, number[]>();
  for (const { videoId, bestTime } of clips) times.set(videoId, [...(times.get(videoId) ?? []), bestTime]);
  const selections = [...times].map(([videoId, bestTimes]) => ({
    videoId,
    windows: bestTimes.map((time) => ({ start: time, end: time })),
    runId: videos.get(videoId)!.runId,
  }));
  const vectors = new Map((await frames.frameVectors(selections)).map((frame) => [`${frame.videoId}@${frame.time}`, frame.vector]));
  return (clip) => vectors.get(`${clip.videoId}@${clip.bestTime}`);
}
