import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { makeColourVideo } from '../../lib/sample-videos';
import { NO_AUDIO_NOTE } from '../../lib/indexer';
import { ffmpeg, type IndexJson, type SearchJsonClip, vsearch, vsearchJson } from '../helpers/cli';
import { searchApi } from '../../lib/api/search-api';
import { timelineApi } from '../../lib/api/timeline-api';
import { LocalQueryEncoder } from '../../lib/embedder/local-query-encoder';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { openLocalStore } from '../../lib/store/open-local-store';

jest.setTimeout(240_000);

const FOX_SRT = '1\n00:00:10,000 --> 00:00:14,000\nthe quick brown fox\n\n2\n00:00:15,000 --> 00:00:16,000\njumps over the dog\n';
const FOX_VTT = 'WEBVTT\n\n00:10.000 --> 00:14.000\nthe quick brown fox\n\n00:15.000 --> 00:16.000\njumps over the dog\n';

let work: string;
let model: string;
let data: string;
let indexed: IndexJson;
let indexStderr: string;

/** The videos here look alike (one colour each): near-duplicates are kept apart, so each video answers for itself. */
async function search(args: string[]): Promise<SearchJsonClip[]> {
  const result = await vsearchJson<{ clips: SearchJsonClip[] }>(['search', ...args, '--keep-duplicates', '--data', data, '--model', model]);
  expect(result.code).toBe(0);
  return result.json.clips;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-speech-'));
  model = path.join(work, 'model');
  data = path.join(work, 'data');
  const dir = path.join(work, 'videos');
  await mkdir(dir);
  await makeFixtureModel(model, 'clip');
  const file = (name: string) => path.join(dir, name);
  const gray = file('gray.mp4');
  await makeColourVideo(gray, [{ colour: 'gray', durationSec: 18 }], { fps: 5 });
  await writeFile(file('fox.srt'), FOX_SRT);
  await writeFile(file('fox.vtt'), FOX_VTT);
  // 1. Subtitle streams, written by ffmpeg: mov_text in MP4, SubRip in Matroska, WebVTT in WebM.
  await ffmpeg(['-i', gray, '-i', file('fox.srt'), '-map', '0', '-map', '1', '-c:v', 'copy', '-c:s', 'mov_text', file('stream.mp4')]);
  await ffmpeg(['-i', gray, '-i', file('fox.srt'), '-map', '0', '-map', '1', '-c:v', 'copy', '-c:s', 'srt', file('stream-mkv.mkv')]);
  await ffmpeg([
    ...['-f', 'lavfi', '-i', 'color=c=gray:s=64x48:r=5:d=18', '-i', file('fox.vtt'), '-map', '0', '-map', '1'],
    ...['-c:v', 'libvpx', '-b:v', '100k', '-c:s', 'webvtt', file('stream-webm.webm')],
  ]);
  // 2. Sidecars: movie.srt beside movie.mp4, and movie.mp4.vtt.
  for (const name of ['srt-sidecar', 'vtt-sidecar', 'broken', 'latin1', 'overlap']) await ffmpeg(['-i', gray, '-c', 'copy', file(`${name}.mp4`)]);
  await writeFile(file('srt-sidecar.srt'), FOX_SRT);
  await writeFile(file('vtt-sidecar.mp4.vtt'), FOX_VTT);
  // Malformed sidecars: a bad timestamp, overlapping cues, and Latin-1 bytes.
  await writeFile(file('broken.srt'), '1\n00:00:10.0 --> 00:00:14,000\nthe quick brown fox\n');
  await writeFile(file('overlap.vtt'), 'WEBVTT\n\n00:10.000 --> 00:14.000\nbrown fox\n\n00:12.000 --> 00:13.000\nfox\n');
  await writeFile(file('latin1.srt'), Buffer.from('1\n00:00:10,000 --> 00:00:14,000\nle renard brun \xe9tait l\xe0\n', 'latin1'));
  // 3. No speech at all.
  await makeColourVideo(file('silent.mp4'), [{ colour: 'red', durationSec: 5 }, { colour: 'green', durationSec: 5 }]);

  const result = await vsearchJson<IndexJson>(['index', dir, '--data', data, '--model', model]);
  indexed = result.json;
  indexStderr = result.stderr;
  expect(result.json.errors).toEqual([]);
  expect(result.code).toBe(0);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const speechOf = (id: string) => indexed.videos.find((video) => video.id === id)!.speech;

test('indexing records where each transcript came from', () => {
  expect(speechOf('stream')).toEqual({ source: 'subtitles', segments: 2, notes: [] });
  expect(speechOf('stream-mkv')).toEqual({ source: 'subtitles', segments: 2, notes: [] });
  expect(speechOf('stream-webm')).toEqual({ source: 'subtitles', segments: 2, notes: [] });
  expect(speechOf('srt-sidecar')).toEqual({ source: 'sidecar', segments: 2, notes: [] });
  expect(speechOf('vtt-sidecar')).toEqual({ source: 'sidecar', segments: 2, notes: [] });
  // Speech recognition (on by default) is next in trust, and these generated videos have no audio track.
  expect(speechOf('silent')).toEqual({ source: null, segments: 0, notes: [NO_AUDIO_NOTE] });
});

test('"brown fox" finds 10–14 s matched by speech, with the line, in every video that says it', async () => {
  const clips = await search(['brown', 'fox']);
  const byVideo = new Map(clips.map((clip) => [clip.videoId, clip]));
  for (const id of ['stream', 'stream-mkv', 'stream-webm', 'srt-sidecar', 'vtt-sidecar']) {
    const clip = byVideo.get(id);
    expect(clip).toBeDefined();
    expect(clip!.start).toBeLessThanOrEqual(10);
    expect(clip!.end).toBeGreaterThanOrEqual(14);
    expect(clip!.end - clip!.start).toBeLessThanOrEqual(6); // the line and at most a neighbouring frame
    expect(clip!.matchedBy).toEqual(['speech']);
    expect(clip!.transcript.map((line) => line.text)).toContain('the quick brown fox');
  }
  expect(byVideo.has('silent')).toBe(false);
  expect(byVideo.get('stream')!.transcript[0].source).toBe('subtitles');
  expect(byVideo.get('srt-sidecar')!.transcript[0].source).toBe('sidecar');
});

test('--speech-weight 0 searches frames only; --mode speech what is said only', async () => {
  const framesOnly = await search(['brown', 'fox', '--speech-weight', '0']);
  expect(framesOnly.every((clip) => clip.matchedBy.join() === 'visual' && clip.transcript.length === 0)).toBe(true);
  expect(await search(['red', '--mode', 'speech'])).toEqual([]);
  const spoken = await search(['fox', '--mode', 'speech']);
  expect(spoken.length).toBeGreaterThanOrEqual(5);
  expect(spoken.every((clip) => clip.matchedBy.join() === 'speech')).toBe(true);
});

test('the API answers matchedBy and the matching lines, and takes speechWeight and mode', async () => {
  const store = await openLocalStore(data);
  try {
    const deps = {
      encoder: new LocalQueryEncoder(await TransformersEmbedder.from_pretrained(model)),
      catalog: store.catalog,
      frames: store.frames,
      transcripts: store.transcripts,
      media: { videoUrl: async (video: { id: string }) => `/media/${video.id}` },
    };
    const { clips } = await searchApi({ text: 'brown fox', videoIds: ['vtt-sidecar'] }, deps);
    expect(clips[0]).toMatchObject({
      videoId: 'vtt-sidecar',
      matchedBy: ['speech'],
      transcript: [{ start: 10, end: 14, text: 'the quick brown fox', source: 'sidecar', score: 1 }],
    });
    expect(clips[0].playbackUrl).toMatch(/^\/media\/vtt-sidecar#t=/);
    const framesOnly = await searchApi({ text: 'brown fox', videoIds: ['vtt-sidecar'], speechWeight: 0 }, deps);
    expect(framesOnly.clips.every((clip) => clip.matchedBy.join() === 'visual')).toBe(true);
    expect((await searchApi({ text: 'fox', mode: 'speech', size: 100, dedupe: false }, deps)).clips.length).toBeGreaterThanOrEqual(5);

    // The timeline: speech scores next to the frame scores, the matching lines, the fused search's threshold.
    const timeline = await timelineApi({ query: { text: 'brown fox' }, videoId: 'vtt-sidecar' }, deps);
    expect(timeline.speechScores).toHaveLength(timeline.times.length);
    const spokenAt = timeline.times.filter((_, i) => timeline.speechScores[i] > 0);
    expect(spokenAt).toEqual([10, 11, 12, 13, 14]);
    expect(timeline.speechScores[timeline.times.indexOf(12)]).toBe(1);
    expect(timeline.speech.map((line) => line.text)).toEqual(['the quick brown fox']);
    expect(timeline.threshold).toBeGreaterThan(Math.max(...timeline.scores));
  } finally {
    store.close();
  }
});

test('a video without speech is unaffected', async () => {
  const [withSpeech] = (await search(['red'])).filter((clip) => clip.videoId === 'silent');
  const [framesOnly] = (await search(['red', '--speech-weight', '0'])).filter((clip) => clip.videoId === 'silent');
  expect(withSpeech).toEqual(framesOnly);
  expect(withSpeech).toMatchObject({ start: 0, matchedBy: ['visual'], transcript: [] });
});

test('malformed sidecars are reported for their video, whose frames still index', () => {
  expect(speechOf('broken')).toEqual({
    source: null,
    segments: 0,
    notes: ['broken.srt: line 2: bad timestamp "00:00:10.0" (expected HH:MM:SS,mmm)', NO_AUDIO_NOTE],
  });
  expect(speechOf('overlap')!.notes).toEqual([
    'overlap.vtt: line 6: the cue starts before the previous cue (line 3) ends: overlapping or out-of-order cues',
    NO_AUDIO_NOTE,
  ]);
  expect(speechOf('latin1')!.notes).toEqual(['latin1.srt: line 3: not UTF-8 text (convert the file to UTF-8)', NO_AUDIO_NOTE]);
  for (const id of ['broken', 'overlap', 'latin1']) {
    expect(indexed.videos.find((video) => video.id === id)).toMatchObject({ status: 'READY', frames: 18 });
  }
  expect(indexStderr).toMatch(/note: .*broken\.mp4: broken\.srt: line 2: bad timestamp/);
});

test('removing a video removes its transcript; re-indexing replaces it exactly', async () => {
  expect((await vsearch(['remove', 'srt-sidecar', '--data', data])).code).toBe(0);
  const again = await vsearchJson<IndexJson>(['index', path.join(work, 'videos', 'stream.mp4'), '--data', data, '--model', model]);
  expect(again.json.videos[0].speech).toMatchObject({ source: 'subtitles', segments: 2 });
  const ids = (await search(['fox', '--mode', 'speech'])).map((clip) => clip.videoId);
  expect(ids).not.toContain('srt-sidecar');
  expect(ids.filter((id) => id === 'stream')).toHaveLength(1); // the line 10–14 and the next (15–16) chain into one clip
});
