import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@opensearch-project/opensearch';
import type { TranscriptSegment, VideoRecord } from '../../lib/core/types';
import type { Catalog } from '../../lib/store/catalog';
import { IndexMismatchError } from '../../lib/store/errors';
import { ensureFramesIndex, ensureTranscriptsIndex, type SegmentDoc } from '../../lib/store/opensearch-mapping';
import { OpenSearchTranscripts } from '../../lib/store/opensearch-transcripts';
import { startAossDouble, type AossDouble } from '../doubles/aoss-server';
import { video } from '../helpers/frame-fixtures';
import { transcriptIndexContract } from '../helpers/transcript-contract';

const INDEX = 'transcripts';
/** Writes show to searches this late, as on a collection (not read-after-write). */
const REFRESH_MS = 60;

let double: AossDouble;
let client: Client;

beforeEach(async () => {
  double = await startAossDouble({ visibilityDelayMs: REFRESH_MS });
  client = new Client({ node: double.url });
});

afterEach(async () => {
  const refused = double.requests.filter((request) => request.refused);
  await client.close();
  await double.close();
  // Strict mode: nothing the adapter sent is refused by the classic-AOSS double (own ids, refresh, _delete_by_query…).
  expect(refused).toEqual([]);
});

/** The catalog the contract writes its videos to: the adapter itself reads nothing from it (filters are on the segments). */
function memoryCatalog(): Catalog {
  const videos = new Map<string, VideoRecord>();
  return {
    put: async (v) => void videos.set(v.id, v),
    get: async (id) => videos.get(id),
    getMany: async (ids) => new Map(ids.flatMap((id) => (videos.has(id) ? [[id, videos.get(id)!] as const] : []))),
    list: async () => [...videos.values()],
    remove: async (id) => void videos.delete(id),
    activeRuns: async () => new Map(),
    matchKeywords: async () => [],
  };
}

async function transcripts(): Promise<OpenSearchTranscripts> {
  await ensureTranscriptsIndex(client, { index: INDEX });
  return new OpenSearchTranscripts(client, {
    index: INDEX,
    visibility: { pollMs: 10, windowMs: 3 * REFRESH_MS },
    bulk: { sleep: (ms) => delay(Math.min(ms, 20)) },
  });
}

const said = (start: number, text: string): TranscriptSegment => ({ start, end: start + 4, text, source: 'sidecar' });
const stored = (videoId: string) =>
  double.docs(INDEX).map((doc) => doc.source as unknown as SegmentDoc).filter((doc) => doc.video_id === videoId);

describe('OpenSearchTranscripts (through the real client, against the AOSS double)', () => {
  transcriptIndexContract(async () => ({ index: await transcripts(), catalog: memoryCatalog(), settle: async () => double.makeVisible() }));
});

test('the index is created with its mapping once; an index of that name that is no transcripts index is refused', async () => {
  await ensureTranscriptsIndex(client, { index: INDEX });
  await ensureTranscriptsIndex(client, { index: INDEX });
  expect(double.requests.filter((request) => request.method === 'PUT').length).toBe(1);
  await ensureFramesIndex(client, { index: 'frames', dim: 4 });
  await expect(ensureTranscriptsIndex(client, { index: 'frames' })).rejects.toThrow(IndexMismatchError);
});

test('one match query with the filters inside it, scored by BM25 (the request as sent)', async () => {
  const index = await transcripts();
  const talk = video('talk', { category: 'lecture', tags: ['ai'] });
  await index.replaceSegments(talk, [said(0, 'trucks at night'), said(5, 'the trucks')]);
  double.makeVisible();
  double.requests.length = 0;
  await index.search({ text: 'trucks', k: 5, filters: { categories: ['lecture'] } });
  const [request] = double.requests;
  expect(request.path).toBe(`/${INDEX}/_search`);
  expect(request.body).toMatchObject({
    size: 5,
    query: { bool: { must: [{ match: { text: { query: 'trucks' } } }], filter: [{ bool: { filter: [{ terms: { category: ['lecture'] } }] } }] } },
  });
});

test('a resent bulk request leaves one copy of each segment once the write returns', async () => {
  const index = await transcripts();
  const talk = video('talk');
  double.failNextBulk(1, 'lost-response');
  await index.replaceSegments(talk, [said(0, 'one'), said(5, 'two'), said(9, 'three')]);
  double.makeVisible();
  expect(stored('talk').map((doc) => doc.segment).sort()).toEqual([0, 1, 2]);
  expect(await index.countSegments('talk')).toBe(3);
});

test('under the frames run id: a search given the catalog runs sees only that run, old or new', async () => {
  const index = await transcripts();
  const talk = video('talk');
  const other = video('other');
  await index.replaceRun(talk, [said(0, 'brown fox')], '2026-01-01T00:00:00.000Z_a');
  await index.replaceRun(other, [said(0, 'brown owl')], '2026-01-01T00:00:00.000Z_b');
  double.makeVisible();
  // The new run written and searchable; the catalog still names the old one until the video is marked READY.
  await index.replaceRun(talk, [said(10, 'a brown fox again')], '2026-01-02T00:00:00.000Z_c');
  const active = new Map([['talk', '2026-01-02T00:00:00.000Z_c']]);
  const hits = await index.search({ text: 'brown', k: 10, activeRuns: active });
  expect(hits.map((hit) => `${hit.videoId}@${hit.start}`).sort()).toEqual(['other@0', 'talk@10']);
  expect(stored('talk').map((doc) => doc.run_id)).toEqual(['2026-01-02T00:00:00.000Z_c']);
});

test('a blank text finds nothing without asking the index; k is bounded as on frames', async () => {
  const index = await transcripts();
  double.requests.length = 0;
  expect(await index.search({ text: '  ', k: 10 })).toEqual([]);
  expect(double.requests).toEqual([]);
  await expect(index.search({ text: 'fox', k: 0 })).rejects.toThrow(RangeError);
});
