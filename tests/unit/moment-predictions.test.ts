import { clipSaliency, clipWindows, MAX_PREDICTED_WINDOWS } from '../../lib/core/moment-predictions';

describe('clipWindows', () => {
  it('extends each clip by one sampling interval past its last frame, cut to the video, best first as ranked', () => {
    const clips = [
      { start: 6, end: 39, score: 0.9 },
      { start: 58, end: 59, score: 0.5 }, // frames at 58 and 59 of a 60 s video: [58, 60]
    ];
    expect(clipWindows(clips, { fps: 1, duration: 60 })).toEqual([[6, 40, 0.9], [58, 60, 0.5]]);
    // At 0.5 fps a frame stands for 2 s.
    expect(clipWindows([{ start: 10, end: 10, score: 1 }], { fps: 0.5, duration: 60 })).toEqual([[10, 12, 1]]);
  });

  it('drops a clip that starts at or after the end of the annotated video, and keeps at most 10', () => {
    expect(clipWindows([{ start: 150, end: 151, score: 1 }], { fps: 1, duration: 150 })).toEqual([]);
    const many = Array.from({ length: 15 }, (_, i) => ({ start: 4 * i, end: 4 * i + 1, score: 1 - i / 100 }));
    const windows = clipWindows(many, { fps: 1, duration: 150 });
    expect(windows).toHaveLength(MAX_PREDICTED_WINDOWS);
    expect(windows[9]).toEqual([36, 38, 0.91]);
  });
});

describe('clipSaliency', () => {
  it('scores each 2 s clip by its best frame, one score per labelled clip (⌊duration / 2⌋)', () => {
    const frames = [0.1, 0.4, 0.3, 0.2, 0.9, 0.5, 0.7].map((score, time) => ({ time, score }));
    // Clips [0, 2), [2, 4), [4, 6) of a 7 s video; the frame at 6 s lies past the last labelled clip.
    expect(clipSaliency(frames, 7)).toEqual([0.4, 0.3, 0.9]);
  });

  it('gives a clip without a frame the score of the frame nearest its middle', () => {
    // Frames at 0, 3.5 and 7 s: clip [4, 6) holds none; the frame nearest its middle (5 s) is the one at 3.5 s.
    const frames = [{ time: 0, score: 0.1 }, { time: 3.5, score: 0.6 }, { time: 7, score: 0.8 }];
    expect(clipSaliency(frames, 8)).toEqual([0.1, 0.6, 0.6, 0.8]);
  });
});
