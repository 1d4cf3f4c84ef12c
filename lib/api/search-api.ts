import type { Moment } from '../core/types';
import { searchClips, type ClipResult, type SearchDeps } from '../search';
import { clipFragment, type MediaLinks } from './media-links';
import { parseSearchInput } from './search-input';
import type { RawEmbeddings } from '../store/raw-embeddings';
import type { MatchSide, TranscriptLine } from '../core/speech-fusion';

export interface ApiDeps extends SearchDeps {
  media: MediaLinks;
  /** Raw frame embeddings for the timeline chart, where the deployment keeps them. */
  rawEmbeddings?: RawEmbeddings;
}

/** A clip as the API answers it: where it is, how well it matches, and a link that plays just that moment. */
export interface ClipView {
  videoId: string;
  title: string;
  category?: string;
  tags: string[];
  start: number;
  end: number;
  bestTime: number;
  score: number;
  hits: number;
  /** Near-duplicates collapsed into this clip (lib/core/duplicates.ts), in rank order; empty with `dedupe: false`. */
  duplicates: Moment[];
  playbackUrl: string;
  thumbnailUrl?: string;
  matchedBy: MatchSide[];
  transcript: TranscriptLine[];
}

/** `POST /search`: validates the body, searches, and links every clip to a playable moment. */
export async function searchApi(body: unknown, deps: ApiDeps): Promise<{ clips: ClipView[] }> {
  const clips = await searchClips(parseSearchInput(body), deps);
  return { clips: await Promise.all(clips.map((clip) => clipView(clip, deps.media))) };
}

async function clipView(clip: ClipResult, media: MediaLinks): Promise<ClipView> {
  const { video, videoId, start, end, bestTime, score, hits, duplicates, matchedBy, transcript } = clip;
  const thumbnailUrl = await media.thumbnailUrl?.(video, bestTime);
  return {
    videoId,
    title: video.title,
    ...(video.category ? { category: video.category } : {}),
    tags: video.tags,
    start,
    end,
    bestTime,
    score,
    hits,
    duplicates,
    playbackUrl: (await media.videoUrl(video)) + clipFragment(start, end),
    ...(thumbnailUrl ? { thumbnailUrl } : {}),
    matchedBy,
    transcript,
  };
}
