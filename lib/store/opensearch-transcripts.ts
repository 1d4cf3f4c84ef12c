import type { API, Client } from '@opensearch-project/opensearch';
import type { SpeechHit, SpeechSource, TranscriptSegment, VideoRecord } from '../core/types';
import { runIndexOptions, type OpenSearchFrameIndexOptions } from './opensearch-frame-index';
import type { SegmentDoc } from './opensearch-mapping';
import { frameFilter, MAX_K, videoQuery } from './opensearch-query';
import { countRun, deleteMatching, newRunId, readIndex, replaceRun, type RunIndex } from './opensearch-runs';
import type { RunTranscriptIndex, TranscriptSearch } from './transcripts';

/** The options of the frame index, for the transcripts index (`index`: the one `ensureTranscriptsIndex` created). */
export type OpenSearchTranscriptsOptions = OpenSearchFrameIndexOptions;

/**
 * Every video's transcript segments in an OpenSearch Serverless index of the frames' collection, one document per
 * segment, searched by a `match` query on `text` (BM25).
 *
 * Writes follow the frame index's rule (OpenSearchFrameIndex, and opensearch-runs.ts): the collection assigns the ids
 * and has neither `_delete_by_query` nor `refresh`, so a replacement is a run, written under a run id, waited for
 * until searchable (resent copies dropped), and then every older run of the video is deleted by id. A retried call
 * writes another run and deletes the first: the same state. The pipeline writes the segments under the run id of the
 * video's frames (`replaceRun`), so the catalog's `runId` names both, and a search given the catalog's `activeRuns`
 * sees exactly one complete transcript per video, the one of the frames it sees.
 */
export class OpenSearchTranscripts implements RunTranscriptIndex {
  private readonly runs: RunIndex;

  constructor(client: Client, options: OpenSearchTranscriptsOptions) {
    this.runs = runIndexOptions(client, options, 'segment', 'segments');
  }

  /** Makes `segments` the video's only segments, under a fresh run id. */
  async replaceSegments(video: VideoRecord, segments: TranscriptSegment[]): Promise<void> {
    await this.replaceRun(video, segments, newRunId());
  }

  /**
   * `replaceSegments` under `runId`: the run id of the frames just written for the video (a new one, later than every
   * run of the video already stored; never reused, or its segments would be stored twice).
   */
  async replaceRun(video: VideoRecord, segments: TranscriptSegment[], runId: string): Promise<void> {
    await replaceRun(this.runs, video.id, runId, segments.map((segment, i) => segmentDoc(video, runId, i, segment)));
  }

  /** The filters (and active runs) inside the query's `filter`, so they restrict what is ranked, not the top k after. */
  async search({ text, k, filters, activeRuns }: TranscriptSearch): Promise<SpeechHit[]> {
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`k must be an integer from 1 to ${MAX_K}, got ${k}`);
    if (text.trim() === '') return [];
    const filter = frameFilter(filters, activeRuns);
    const body: API.Search_RequestBody = {
      size: k,
      query: { bool: { must: [{ match: { text: { query: text } } }], ...(filter && { filter: [filter] }) } },
      _source: { includes: ['video_id', 'start', 'end', 'text', 'source'] },
    };
    const { hits } = (await readIndex(this.runs, body)).hits;
    return hits.map((hit) => {
      const source = hit._source as Pick<SegmentDoc, 'video_id' | 'start' | 'end' | 'text' | 'source'>;
      return {
        videoId: source.video_id,
        start: source.start,
        end: source.end,
        text: source.text,
        source: source.source as SpeechSource,
        score: hit._score ?? 0,
      };
    });
  }

  /** Segments only; they leave searches within one refresh interval. */
  async removeVideo(videoId: string): Promise<void> {
    await deleteMatching(this.runs, videoQuery(videoId));
  }

  countSegments(videoId: string): Promise<number> {
    return countRun(this.runs, videoId);
  }
}

function segmentDoc(video: VideoRecord, runId: string, segment: number, { start, end, text, source }: TranscriptSegment): Omit<SegmentDoc, 'attempt'> {
  return {
    video_id: video.id,
    run_id: runId,
    segment,
    start,
    end,
    text,
    source,
    title: video.title,
    category: video.category,
    tags: video.tags,
  };
}
