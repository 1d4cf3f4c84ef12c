import { expectedFrameTimes } from '../../lib/core/sampling';
import { smoothingMargin } from '../../lib/core/smoothing';
import { firstJob, planJobs, type IndexingSettings } from '../../lib/pipeline/indexing-settings';

const settings: IndexingSettings = { fps: 2, chunkSec: 600, smoothing: { kernelSize: 11, sigma: 1.8 } };
// Kernel 11 → 5 frames each side, plus one: 6 frames = 3 s at 2 fps.
const margin = 3;

describe('firstJob', () => {
  it('is the first chunk with the margin of smoothing context after it', () => {
    expect(smoothingMargin(settings.smoothing)).toBe(5);
    expect(firstJob(settings)).toEqual({ start: 0, end: 600 + margin });
  });
});

describe('planJobs', () => {
  it('is the first job alone for a video it covers', () => {
    expect(planJobs(42.5, settings)).toEqual([{ start: 0, end: 42.5, keepStart: 0, keepEnd: 42.5 }]);
    expect(planJobs(603, settings)).toEqual([{ start: 0, end: 603, keepStart: 0, keepEnd: 603 }]);
  });

  it('splits a long video into chunks overlapping by the margin, the first being the job already sent', () => {
    const jobs = planJobs(1500, settings);
    expect(jobs).toEqual([
      { start: 0, end: 603, keepStart: 0, keepEnd: 600 },
      { start: 597, end: 1203, keepStart: 600, keepEnd: 1200 },
      { start: 1197, end: 1500, keepStart: 1200, keepEnd: 1500 },
    ]);
    expect({ start: jobs[0].start, end: jobs[0].end }).toEqual(firstJob(settings));
  });

  it('keeps every sampled frame exactly once, with at least the kernel margin of context around it', () => {
    const video = { durationSec: 3 * 3600 + 17.3, nativeFps: 25 };
    const jobs = planJobs(video.durationSec, { ...settings, chunkSec: 1800 });
    const all = expectedFrameTimes({ fps: settings.fps }, video);
    const kept = jobs.flatMap((job) =>
      expectedFrameTimes({ fps: settings.fps }, video, { startSec: job.keepStart, endSec: job.keepEnd }),
    );
    expect(kept).toEqual(all);
    for (const job of jobs) {
      const decoded = expectedFrameTimes({ fps: settings.fps }, video, { startSec: job.start, endSec: job.end });
      const keptHere = decoded.filter((t) => t >= job.keepStart && t < job.keepEnd);
      const before = decoded.indexOf(keptHere[0]);
      const after = decoded.length - 1 - decoded.indexOf(keptHere[keptHere.length - 1]);
      if (job.start > 0) expect(before).toBeGreaterThanOrEqual(5);
      if (job.end < video.durationSec) expect(after).toBeGreaterThanOrEqual(5);
    }
  });
});
