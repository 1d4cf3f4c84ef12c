import { jobsTranscript } from '../../lib/pipeline/ingest-frames';
import type { JobSpeech } from '../../lib/frame-embeddings-format';

/** Three jobs of 10 s with a 3 s margin: keep ranges [0, 10), [10, 20), [20, 25). */
const jobs = [
  { keepStart: 0, keepEnd: 10 },
  { keepStart: 10, keepEnd: 20 },
  { keepStart: 20, keepEnd: 25 },
];
const line = (start: number, end: number, text: string) => ({ start, end, text, source: 'asr' as const });
const asr = (segments: ReturnType<typeof line>[], extra: Partial<JobSpeech> = {}): JobSpeech => ({ source: 'asr', segments, notes: [], model: 'whisper', language: 'en', ...extra });

test("each job's heard lines count where they start in its keep range: a line in an overlap once", () => {
  const said = [asr([line(2, 4, 'dog'), line(9, 12, 'cat')]), asr([line(9, 12, 'cat'), line(18, 21, 'fox')]), asr([line(18, 21, 'fox')])];
  expect(jobsTranscript(said, jobs)).toEqual({
    segments: [line(2, 4, 'dog'), line(9, 12, 'cat'), line(18, 21, 'fox')],
    speech: { source: 'asr', segments: 3, notes: [], model: 'whisper', language: 'en' },
  });
});

test("the first job's subtitles are the transcript, whatever the others heard", () => {
  const sidecar: JobSpeech = { source: 'sidecar', segments: [{ start: 10, end: 14, text: 'fox', source: 'sidecar' }], notes: [] };
  expect(jobsTranscript([sidecar, asr([line(12, 13, 'cat')]), undefined], jobs)).toEqual({
    segments: sidecar.segments,
    speech: { source: 'sidecar', segments: 1, notes: [] },
  });
});

test('notes once each; languages that differ between ranges are a note; nothing at all is no speech', () => {
  const noAudio = { source: null, segments: [], notes: ['no audio track: speech recognition skipped'] };
  expect(jobsTranscript([noAudio, noAudio, noAudio], jobs)).toEqual({ segments: [], speech: { source: null, segments: 0, notes: noAudio.notes } });
  const failed = (message: string): JobSpeech => ({ source: null, segments: [], notes: [message] });
  expect(jobsTranscript([asr([]), asr([line(15, 16, 'hund')], { language: 'de' }), failed('speech recognition failed: x')], jobs)).toEqual({
    segments: [line(15, 16, 'hund')],
    speech: {
      source: 'asr',
      segments: 1,
      notes: ['speech recognition failed: x', 'speech recognition heard en, de in different ranges: recorded as en'],
      model: 'whisper',
      language: 'en',
    },
  });
  expect(jobsTranscript([undefined, undefined, undefined], jobs)).toEqual({ segments: [] });
});
