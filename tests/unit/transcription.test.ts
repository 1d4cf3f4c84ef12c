import {
  audioWindows,
  collapseRepeats,
  isSilent,
  joinSegments,
  loudestWindow,
  SILENCE_PEAK,
  windowSegments,
} from '../../lib/core/transcription';
import type { TranscriptSegment } from '../../lib/core/types';

const asr = (start: number, end: number, text: string): TranscriptSegment => ({ start, end, text, source: 'asr' });

test('audio is cut into consecutive 30 s windows, the last one shorter', () => {
  expect(audioWindows(0, 16_000)).toEqual([]);
  expect(audioWindows(16_000 * 65, 16_000)).toEqual([
    { start: 0, end: 480_000 },
    { start: 480_000, end: 960_000 },
    { start: 960_000, end: 1_040_000 },
  ]);
  expect(audioWindows(10, 16_000)).toEqual([{ start: 0, end: 10 }]);
  expect(() => audioWindows(10, 0)).toThrow(RangeError);
});

test("a window's chunks land on the video's time line, inside the window, with their text tidied", () => {
  const window = { startSec: 30, endSec: 50 };
  expect(
    windowSegments(
      [
        { text: ' fox ', timestamp: [10, 14.02] },
        { text: '  ', timestamp: [15, 16] }, // no text
        { text: 'dog', timestamp: [17, 17] }, // no length
        { text: ' the  quick\nbird', timestamp: [18, null] }, // no end: the window's
        { text: 'cat', timestamp: [-1, 25] }, // outside the window: clamped to it
      ],
      window,
    ),
  ).toEqual([asr(40, 44.02, 'fox'), asr(48, 50, 'the quick bird'), asr(30, 50, 'cat')]);
});

test('a phrase looped more than three times is kept once; three times is speech', () => {
  expect(collapseRepeats('thank you thank you thank you thank you thank you')).toBe('thank you');
  expect(collapseRepeats('no no no')).toBe('no no no');
  expect(collapseRepeats('go go go go, now')).toBe('go now');
  expect(collapseRepeats('the quick brown fox')).toBe('the quick brown fox');
  expect(windowSegments([{ text: 'Yes. Yes. Yes. Yes. Yes.', timestamp: [0, 5] }], { startSec: 0, endSec: 30 })).toEqual([asr(0, 5, 'Yes.')]);
});

test('identical neighbours within 0.5 s are one segment; others, and a word said again later, stay apart', () => {
  expect(
    joinSegments([
      asr(30, 33, 'cat'),
      asr(28, 30, 'Cat.'), // the same word, cut by the window's edge (out of order on purpose)
      asr(33.4, 34, 'cat'),
      asr(40, 41, 'cat'), // said again later
      asr(41, 42, 'dog'),
    ]),
  ).toEqual([asr(28, 34, 'Cat.'), asr(40, 41, 'cat'), asr(41, 42, 'dog')]);
});

test('a window under -60 dBFS is silent; detection listens to the loudest window', () => {
  const samples = new Float32Array(90);
  samples.fill(SILENCE_PEAK / 2, 0, 30);
  samples.fill(0.2, 60, 90);
  samples[35] = -0.5; // one loud click
  const windows = audioWindows(90, 1, 30);
  expect(windows.map((w) => isSilent(samples, w))).toEqual([true, false, false]);
  expect(loudestWindow(samples, windows)).toEqual({ start: 60, end: 90 });
  expect(loudestWindow(samples, [])).toBeUndefined();
});
