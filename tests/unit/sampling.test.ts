import { effectiveFps, expectedFrameTimes, MAX_SAMPLING_FPS, planChunks, validateSamplingPlan } from '../../lib/core/sampling';

describe('validateSamplingPlan', () => {
  it('accepts fps and everyNth plans and returns a clean copy', () => {
    expect(validateSamplingPlan({ fps: 2 })).toEqual({ fps: 2 });
    expect(validateSamplingPlan({ fps: MAX_SAMPLING_FPS })).toEqual({ fps: MAX_SAMPLING_FPS });
    expect(validateSamplingPlan({ fps: 0.25 })).toEqual({ fps: 0.25 });
    expect(validateSamplingPlan({ everyNth: 1 })).toEqual({ everyNth: 1 });
    expect(validateSamplingPlan({ everyNth: 30, extra: true })).toEqual({ everyNth: 30 });
  });

  const badFps = [0, -1, MAX_SAMPLING_FPS + 1, Number.NaN, Number.POSITIVE_INFINITY, '2'];
  it.each(badFps)('rejects fps %p, naming the field and value', (fps) => {
    expect(() => validateSamplingPlan({ fps })).toThrow(new RegExp(`fps .*got ${String(fps)}$`));
  });

  it.each([0, -2, 1.5, Number.NaN, '3'])('rejects everyNth %p, naming the field and value', (everyNth) => {
    expect(() => validateSamplingPlan({ everyNth })).toThrow(new RegExp(`everyNth .*got ${String(everyNth)}$`));
  });

  it('rejects both fields, neither, and non-objects', () => {
    expect(() => validateSamplingPlan({ fps: 1, everyNth: 2 })).toThrow(/exactly one of fps or everyNth/);
    expect(() => validateSamplingPlan({})).toThrow(/exactly one of fps or everyNth/);
    expect(() => validateSamplingPlan(null)).toThrow(/expected an object/);
    expect(() => validateSamplingPlan(2)).toThrow(/expected an object/);
  });
});

describe('effectiveFps', () => {
  it('is the plan rate for fps plans, whatever the native rate', () => {
    expect(effectiveFps({ fps: 2 }, 30)).toBe(2);
    expect(effectiveFps({ fps: 60 }, 25)).toBe(60);
  });

  it('is the native rate divided by N for everyNth plans', () => {
    expect(effectiveFps({ everyNth: 10 }, 30)).toBe(3);
    expect(effectiveFps({ everyNth: 2 }, 30000 / 1001)).toBeCloseTo(14.985, 3);
  });

  it('rejects a bad native rate or plan', () => {
    expect(() => effectiveFps({ everyNth: 2 }, 0)).toThrow(/nativeFps .*got 0/);
    expect(() => effectiveFps({ fps: 2 }, Number.NaN)).toThrow(/nativeFps/);
    expect(() => effectiveFps({ fps: -2 }, 30)).toThrow(/fps/);
  });
});

describe('expectedFrameTimes', () => {
  const video = { durationSec: 3, nativeFps: 30 };

  it('gives t = k / fps inside [0, duration)', () => {
    expect(expectedFrameTimes({ fps: 2 }, video)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(expectedFrameTimes({ fps: 3 }, { durationSec: 1, nativeFps: 25 })).toEqual([0, 1 / 3, 2 / 3]);
  });

  it('restricts to [startSec, endSec), clipped to the duration', () => {
    expect(expectedFrameTimes({ fps: 2 }, video, { startSec: 1, endSec: 2 })).toEqual([1, 1.5]);
    expect(expectedFrameTimes({ fps: 2 }, video, { startSec: 0.2, endSec: 10 })).toEqual([0.5, 1, 1.5, 2, 2.5]);
    expect(expectedFrameTimes({ fps: 2 }, video, { startSec: 5, endSec: 6 })).toEqual([]);
    expect(expectedFrameTimes({ fps: 2 }, video, { startSec: 1, endSec: 1 })).toEqual([]);
  });

  it('includes a frame that falls exactly on startSec even when startSec × fps rounds above the integer', () => {
    expect(0.28 * 25).toBeGreaterThan(7); // the rounding this case is about: 0.28 is 7 / 25
    expect(expectedFrameTimes({ fps: 25 }, video, { startSec: 0.28, endSec: 0.4 })).toEqual([7 / 25, 8 / 25, 9 / 25]);
  });

  it('gives the native times of every N-th frame for everyNth', () => {
    const native = 30000 / 1001;
    const times = expectedFrameTimes({ everyNth: 3 }, { durationSec: 1, nativeFps: native });
    expect(times).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27].map((n) => n / native));
    expect(expectedFrameTimes({ everyNth: 3 }, { durationSec: 1, nativeFps: native }, { startSec: 0.5 })).toEqual(
      [15, 18, 21, 24, 27].map((n) => n / native),
    );
  });

  it('gives bitwise the whole-video times when asked chunk by chunk', () => {
    for (const plan of [{ fps: 3 }, { fps: 10 }, { everyNth: 7 }]) {
      const v = { durationSec: 61.3, nativeFps: 30000 / 1001 };
      const whole = expectedFrameTimes(plan, v);
      const pieces = planChunks(v.durationSec, { chunkSec: 7.3, marginSec: 0 }).flatMap((c) =>
        expectedFrameTimes(plan, v, { startSec: c.keepStart, endSec: c.keepEnd }),
      );
      expect(pieces).toEqual(whole);
    }
  });

  it('rejects bad ranges and durations', () => {
    expect(() => expectedFrameTimes({ fps: 1 }, video, { startSec: 2, endSec: 1 })).toThrow(/endSec/);
    expect(() => expectedFrameTimes({ fps: 1 }, video, { startSec: -1 })).toThrow(/startSec/);
    expect(() => expectedFrameTimes({ fps: 1 }, { durationSec: -1, nativeFps: 30 })).toThrow(/durationSec/);
    expect(() => expectedFrameTimes({ everyNth: 0 }, video)).toThrow(/everyNth/);
  });
});

describe('planChunks', () => {
  it('covers the video with keep ranges widened by the margin on inner sides only', () => {
    expect(planChunks(25, { chunkSec: 10, marginSec: 2 })).toEqual([
      { start: 0, end: 12, keepStart: 0, keepEnd: 10 },
      { start: 8, end: 22, keepStart: 10, keepEnd: 20 },
      { start: 18, end: 25, keepStart: 20, keepEnd: 25 },
    ]);
  });

  it('clips margins to the video and handles an exact multiple, a single chunk and an empty video', () => {
    expect(planChunks(20, { chunkSec: 10, marginSec: 15 })).toEqual([
      { start: 0, end: 20, keepStart: 0, keepEnd: 10 },
      { start: 0, end: 20, keepStart: 10, keepEnd: 20 },
    ]);
    expect(planChunks(4, { chunkSec: 10, marginSec: 1 })).toEqual([{ start: 0, end: 4, keepStart: 0, keepEnd: 4 }]);
    expect(planChunks(0, { chunkSec: 10, marginSec: 1 })).toEqual([]);
  });

  it('has keep ranges that meet exactly, even with a chunk length float cannot represent', () => {
    const chunks = planChunks(1, { chunkSec: 0.1, marginSec: 0.05 });
    expect(chunks).toHaveLength(10);
    expect(chunks[0].keepStart).toBe(0);
    expect(chunks[9].keepEnd).toBe(1);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].keepStart).toBe(chunks[i - 1].keepEnd);
    for (const c of chunks) {
      expect(c.start).toBeLessThanOrEqual(c.keepStart);
      expect(c.end).toBeGreaterThanOrEqual(c.keepEnd);
    }
  });

  it('rejects bad arguments', () => {
    expect(() => planChunks(10, { chunkSec: 0, marginSec: 1 })).toThrow(/chunkSec .*got 0/);
    expect(() => planChunks(10, { chunkSec: 5, marginSec: -1 })).toThrow(/marginSec .*got -1/);
    expect(() => planChunks(Number.NaN, { chunkSec: 5, marginSec: 1 })).toThrow(/durationSec/);
  });
});
