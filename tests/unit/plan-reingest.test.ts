import { planJobs, type IndexingSettings } from '../../lib/pipeline/indexing-settings';
import { planReingest } from '../../lib/pipeline/plan-reingest';
import type { VideoItem, VideoItems } from '../../lib/pipeline/video-item';

const settings: IndexingSettings = { fps: 1, chunkSec: 600, smoothing: { kernelSize: 11, sigma: 1.8 } };

function item(id: string, changes: Partial<VideoItem> = {}): VideoItem {
  return {
    id, title: id, source: `s3://b/videos/${id}.mp4`, tags: [], durationSec: 1300, fps: 1, model: 'm', dim: 2, frames: 1300,
    status: 'READY', createdAt: 't', updatedAt: 't', sequencer: `seq-${id}`, s3: { bucket: 'b', key: `videos/${id}.mp4`, versionId: 'v1' },
    settings, smoothing: settings.smoothing, embeddings: ['s3://b/embeddings/1.out', 's3://b/embeddings/2.out', 's3://b/embeddings/3.out'],
    ...changes,
  };
}

/** The catalog as a sorted list, paged as DynamoDB pages a scan. */
function catalog(items: VideoItem[]): Pick<VideoItems, 'item' | 'items'> & { reads: number } {
  const sorted = [...items].sort((a, b) => a.id.localeCompare(b.id));
  return {
    reads: 0,
    async item(id) {
      return sorted.find((video) => video.id === id);
    },
    async items({ after, limit }) {
      this.reads++;
      const from = after === undefined ? 0 : sorted.findIndex((video) => video.id === after) + 1;
      const page = sorted.slice(from, from + limit);
      return { items: page, ...(from + limit < sorted.length && { next: page[page.length - 1].id }) };
    },
  };
}

test("each READY video's ingest input: its indexing's jobs and outputs, the smoothing asked for over its own", async () => {
  const page = await planReingest({ smoothing: { kernelSize: 21 } }, { catalog: catalog([item('a', { smoothing: { kernelSize: 5, sigma: 3 } })]) });
  expect(page.videos).toEqual([
    {
      video: { id: 'a', sequencer: 'seq-a', bucket: 'b', key: 'videos/a.mp4', versionId: 'v1' },
      settings: { ...settings, smoothing: { kernelSize: 21, sigma: 3 } },
      jobs: planJobs(1300, settings),
      first: { inferenceId: 'reingest', output: 's3://b/embeddings/1.out' },
      rest: ['s3://b/embeddings/2.out', 's3://b/embeddings/3.out'].map((output) => ({ inferenceId: 'reingest', output })),
      startedAt: expect.any(String),
    },
  ]);
  expect(page.next).toBeUndefined();
});

test('what cannot be re-ingested is skipped with the reason; tombstones are not listed; an unknown id is an error', async () => {
  const videos = [
    item('deleted', { deleted: true }),
    item('failed', { status: 'FAILED' }),
    item('indexing', { status: 'INDEXING' }),
    item('old', { settings: undefined, embeddings: undefined }),
    item('partial', { embeddings: ['s3://b/embeddings/1.out'] }),
  ];
  const page = await planReingest({}, { catalog: catalog(videos) });
  expect(page.videos).toEqual([]);
  expect(page.skipped).toEqual([
    { videoId: 'failed', reason: 'FAILED: upload it again' },
    { videoId: 'indexing', reason: 'INDEXING: its indexing execution ingests it' },
    { videoId: 'old', reason: 'no raw embeddings recorded: upload it again' },
    { videoId: 'partial', reason: '1 raw embeddings recorded for 3 planned jobs: upload it again' },
  ]);
  await expect(planReingest({ videoId: 'deleted' }, { catalog: catalog(videos) })).rejects.toThrow('no video deleted in the catalog');
  await expect(planReingest({ videoId: 'nope' }, { catalog: catalog(videos) })).rejects.toMatchObject({ name: 'VideoNotFoundError' });
});

test('pages stay within their byte budget (one video at least) and continue where the last one ended', async () => {
  const videos = Array.from({ length: 250 }, (_, i) => item(`v${String(i).padStart(3, '0')}`));
  const store = catalog(videos);
  const seen: string[] = [];
  let request = {};
  for (let pages = 0; ; pages++) {
    const page = await planReingest(request, { catalog: store, pageBytes: 8_000 });
    expect(page.videos.length).toBeGreaterThan(0);
    expect(JSON.stringify(page.videos).length).toBeLessThanOrEqual(8_000);
    seen.push(...page.videos.map((video) => video.video.id));
    if (!page.next) break;
    request = page.next;
    expect(pages).toBeLessThan(250);
  }
  expect(seen).toEqual(videos.map((video) => video.id));
  // A budget below one video's input still moves on, one video a page.
  expect((await planReingest({}, { catalog: catalog(videos.slice(0, 2)), pageBytes: 1 })).videos).toHaveLength(1);
});
