import type { TranscriptSegment } from '../../lib/core/types';
import type { Catalog } from '../../lib/store/catalog';
import type { TranscriptIndex } from '../../lib/store/transcripts';
import { video } from './frame-fixtures';

const said = (start: number, text: string, source: TranscriptSegment['source'] = 'subtitles'): TranscriptSegment => ({
  start,
  end: start + 2,
  text,
  source,
});

/**
 * What every TranscriptIndex adapter guarantees (lib/store/transcripts.ts), run against one. `settle` waits until
 * writes are searchable where the index is not read-after-write (OpenSearch Serverless).
 */
export function transcriptIndexContract(setup: () => Promise<{ index: TranscriptIndex; catalog: Catalog; settle?: () => Promise<void> }>) {
  test('full-text search finds the segments that say the words, best first, with a positive score and their source', async () => {
    const { index, catalog, settle } = await setup();
    const talk = video('talk', { category: 'lecture', tags: ['ai'] });
    await catalog.put(talk);
    await index.replaceSegments(talk, [said(0, 'good morning everyone'), said(10, 'autonomous trucks drive at night'), said(20, 'trucks')]);
    await settle?.();
    const hits = await index.search({ text: 'autonomous trucks', k: 10 });
    expect(hits.map((hit) => hit.start)).toEqual([10, 20]);
    expect(hits[0]).toMatchObject({ videoId: 'talk', start: 10, end: 12, text: 'autonomous trucks drive at night', source: 'subtitles' });
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
    expect(hits[1].score).toBeGreaterThan(0);
    expect(await index.search({ text: 'penguins', k: 10 })).toEqual([]);
  });

  test('replacing a video keeps exactly the new segments; a retry leaves one set; none removes; removal is exact', async () => {
    const { index, catalog, settle } = await setup();
    const a = video('a');
    const b = video('b');
    await catalog.put(a);
    await catalog.put(b);
    await index.replaceSegments(a, [said(0, 'brown fox'), said(5, 'brown bear')]);
    await index.replaceSegments(b, [said(0, 'brown owl', 'asr')]);
    await index.replaceSegments(a, [said(7, 'a brown fox again', 'sidecar')]);
    await index.replaceSegments(a, [said(7, 'a brown fox again', 'sidecar')]);
    await settle?.();
    expect(await index.countSegments('a')).toBe(1);
    const hits = await index.search({ text: 'brown', k: 10 });
    expect(hits.map((hit) => `${hit.videoId}@${hit.start}:${hit.source}`).sort()).toEqual(['a@7:sidecar', 'b@0:asr']);

    await index.replaceSegments(a, []);
    await index.removeVideo('b');
    await settle?.();
    expect(await index.countSegments('a')).toBe(0);
    expect(await index.countSegments('b')).toBe(0);
    expect(await index.search({ text: 'brown', k: 10 })).toEqual([]);
  });

  test('filters apply inside the text search: videos, categories, tags, keywords', async () => {
    const { index, catalog, settle } = await setup();
    const talk = video('talk', { title: 'Road talk', category: 'lecture', tags: ['ai'] });
    const news = video('news', { title: 'Evening news', category: 'news', tags: ['tv'] });
    for (const v of [talk, news]) {
      await catalog.put(v);
      await index.replaceSegments(v, [said(1, 'trucks on the road')]);
    }
    await settle?.();
    const ids = async (filters: object) => (await index.search({ text: 'trucks', k: 10, filters })).map((hit) => hit.videoId).sort();
    expect(await ids({})).toEqual(['news', 'talk']);
    expect(await ids({ videoIds: ['news'] })).toEqual(['news']);
    expect(await ids({ categories: ['lecture'] })).toEqual(['talk']);
    expect(await ids({ tags: ['tv'] })).toEqual(['news']);
    expect(await ids({ keywords: 'road' })).toEqual(['talk']);
    expect(await ids({ keywords: 'nothing-like-it' })).toEqual([]);
    expect((await index.search({ text: 'trucks', k: 1 })).length).toBe(1);
  });
}
