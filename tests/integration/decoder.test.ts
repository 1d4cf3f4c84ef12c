import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { VideoDecodeError } from '../../lib/decoder/errors';
import { decodeFrames, type DecodedFrame, type DecodeOptions } from '../../lib/decoder/frames';
import { probeVideo } from '../../lib/decoder/probe';
import { makeColourVideo, makeSampleVideos } from '../../lib/sample-videos';
import { wordTonesExpression } from '../../scripts/fixture-model/whisper-words';

const run = promisify(execFile);
const BBB = path.resolve(__dirname, '../../../shared/media/bbb-excerpt.mp4');

const RGB: Record<string, [number, number, number]> = { red: [255, 0, 0], blue: [0, 0, 255] };

let dir: string;
const video = (name: string) => path.join(dir, name);

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);
}

async function decode(file: string, options: Partial<DecodeOptions> = {}): Promise<DecodedFrame[]> {
  const frames: DecodedFrame[] = [];
  for await (const frame of decodeFrames(file, { plan: { fps: 1 }, width: 16, height: 12, fit: 'cover', ...options })) frames.push(frame);
  return frames;
}

const times = (frames: DecodedFrame[]) => frames.map((frame) => frame.time);

function pixel(frame: DecodedFrame, x: number, y: number): number[] {
  const at = (y * frame.width + x) * 3;
  return Array.from(frame.data.subarray(at, at + 3));
}

/** The named colour, within H.264's rounding (±8 per channel). */
function expectColour(rgb: number[], colour: string): void {
  expect(Math.max(...rgb.map((value, i) => Math.abs(value - RGB[colour][i])))).toBeLessThanOrEqual(8);
}

const centre = (frame: DecodedFrame) => pixel(frame, frame.width >> 1, frame.height >> 1);

/** Presentation times of every frame of the first video stream, as ffprobe reads them (6 decimals), in order. */
async function ptsTimes(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  return stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
}

/** Start times in seconds of the file and of its first video stream, as ffprobe reads them. */
async function startTimes(file: string): Promise<{ file: number; video: number }> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=start_time:format=start_time', '-of', 'json', file];
  const { streams, format } = JSON.parse((await run('ffprobe', args)).stdout) as { streams: { start_time: string }[]; format: { start_time: string } };
  return { file: Number(format.start_time), video: Number(streams[0].start_time) };
}

/** Processes whose command line names `file` (ffmpeg children decoding it). */
async function processesUsing(file: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(file)) pids.push(Number(entry));
  }
  return pids;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'decoder-test-'));
  await Promise.all([
    // 25 fps; red ends on the frame nearest 2.3 s (2.32 s). At 1 fps, t = 2 must show the red frame of 2 s, not the
    // blue one of 2.48 s that fps's default rounding picks.
    makeColourVideo(video('red-blue.mp4'), [
      { colour: 'red', durationSec: 2.3 },
      { colour: 'blue', durationSec: 2.7 },
    ]),
    // Frame intervals of 0.05, 0.1 and 0.15 s in turn; red until 1.3 s.
    makeColourVideo(video('vfr.mp4'), [{ colour: 'red', durationSec: 1.3 }, { colour: 'blue', durationSec: 0.7 }], { fps: 10, vfr: true }),
    makeColourVideo(video('rotated.mp4'), [{ colour: 'red', right: 'blue', durationSec: 1 }], { rotate: 90 }),
    // Red for 1 s, then blue fading in from red over 4 s.
    makeColourVideo(video('fade.mp4'), [{ colour: 'red', durationSec: 1 }, { colour: 'blue', durationSec: 5, fadeInSec: 4 }], { fps: 10 }),
    // Left quarter red: off-centre, so a centre crop (cover) and a stretch (fill) put its edge in different places.
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=80x240:r=25:d=1,pad=320:240:0:0:color=blue', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video('quarter.mp4')]),
    // Moving picture, a keyframe every 0.4 s and B-frames: seeking for a range must give the very same frames.
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=25:d=4', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-bf', '2', '-pix_fmt', 'yuv420p', video('gop.mp4')]),
    ffmpeg(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', video('audio.m4a')]),
    // AAC audio alongside: its priming starts the video stream 0.023 s after the file. Red for 1.5 s of video.
    ...['primed.mkv', 'primed.ts'].map((name) =>
      makeColourVideo(video(name), [{ colour: 'red', durationSec: 1.5 }, { colour: 'blue', durationSec: 1.5 }], { audio: true }),
    ),
    // A 1 kHz tone from 1 to 2 s, silence around it (the Whisper fixture's "fox").
    ...['spoken.mp4', 'spoken.ts'].map((name) =>
      makeColourVideo(video(name), [{ colour: 'red', durationSec: 1.5 }, { colour: 'blue', durationSec: 1.5 }], {
        audio: { expression: wordTonesExpression([{ text: 'fox', start: 1, end: 2 }]) },
      }),
    ),
  ]);
  await ffmpeg(['-i', video('gop.mp4'), '-c', 'copy', '-movflags', '+faststart', video('faststart.mp4')]);
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('probeVideo', () => {
  it('reads duration, size, frame rate, codec and frame count', async () => {
    expect(await probeVideo(video('red-blue.mp4'))).toEqual({
      durationSec: 5,
      width: 320,
      height: 240,
      rotation: 0,
      nativeFps: 25,
      codec: 'h264',
      frameCount: 125,
      container: 'mov,mp4,m4a,3gp,3g2,mj2',
      audio: false,
    });
  });

  it('says whether the file has audio', async () => {
    const info = await probeVideo(video('primed.mkv'));
    expect(info).toMatchObject({ audio: true });
    expect(info.subtitles).toBeUndefined();
  });

  it('reports the rotation and the upright size of a rotated video', async () => {
    const info = await probeVideo(video('rotated.mp4'));
    expect(info).toMatchObject({ rotation: 90, width: 240, height: 320 });
  });
});

describe('decodeFrames: fps plans', () => {
  // The red-blue video's colour at time t is that of frame floor(25 t): red up to frame 57.
  const colourAt = (t: number) => (Math.floor(t * 25 + 1e-9) < 58 ? 'red' : 'blue');

  it.each([
    [1, [0, 1, 2, 3, 4]],
    [2, Array.from({ length: 10 }, (_, k) => k / 2)],
    [3, Array.from({ length: 15 }, (_, k) => k / 3)], // 3 does not divide 25
  ])('samples at %p fps exactly at k / fps, each frame the one shown at that time', async (fps, expected) => {
    const frames = await decode(video('red-blue.mp4'), { plan: { fps } });
    expect(times(frames)).toEqual(expected); // the grid stops before the end, 5 s
    for (const frame of frames) expectColour(centre(frame), colourAt(frame.time));
  });

  it('on variable frame rate input, gives each grid time the last frame shown at or before it', async () => {
    const pts = await ptsTimes(video('vfr.mp4'));
    expect(new Set(pts.slice(1).map((t, i) => Math.round((t - pts[i]) * 100))).size).toBe(3); // really irregular
    const frames = await decode(video('vfr.mp4'), { plan: { fps: 4 } });
    expect(times(frames)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]);
    for (const frame of frames) {
      const shown = pts.filter((t) => t <= frame.time + 1e-9).at(-1)!;
      expectColour(centre(frame), shown < 1.3 ? 'red' : 'blue');
    }
  });
});

describe('makeColourVideo: fades', () => {
  it('turns the previous colour into the segment\'s own linearly over fadeInSec', async () => {
    const frames = await decode(video('fade.mp4'));
    // At 1 + 4·f seconds the fade is a fraction f through: red · (1 − f) + blue · f, within H.264's rounding.
    for (const [time, f] of [[0, 0], [1, 0], [2, 0.25], [3, 0.5], [4, 0.75], [5, 1]]) {
      const rgb = centre(frames.find((frame) => frame.time === time)!);
      const expected = [255 * (1 - f), 0, 255 * f];
      expect(Math.max(...rgb.map((value, i) => Math.abs(value - expected[i])))).toBeLessThanOrEqual(16);
    }
  });

  it('refuses a fade with no previous colour or longer than its segment', async () => {
    await expect(makeColourVideo(video('bad.mp4'), [{ colour: 'red', durationSec: 1, fadeInSec: 1 }])).rejects.toThrow('first segment');
    await expect(
      makeColourVideo(video('bad.mp4'), [{ colour: 'red', durationSec: 1 }, { colour: 'blue', durationSec: 1, fadeInSec: 2 }]),
    ).rejects.toThrow('fadeInSec must be > 0 and at most its duration');
  });
});

describe('decodeFrames: everyNth plans', () => {
  it('keeps every N-th frame at its real presentation time on variable frame rate input', async () => {
    const pts = await ptsTimes(video('vfr.mp4'));
    const frames = await decode(video('vfr.mp4'), { plan: { everyNth: 2 } });
    const expected = pts.filter((_, i) => i % 2 === 0);
    expect(frames).toHaveLength(expected.length);
    frames.forEach((frame, i) => expect(frame.time).toBeCloseTo(expected[i], 6));
    for (const frame of frames) expectColour(centre(frame), frame.time < 1.3 ? 'red' : 'blue');
  });

  it('gives exact times on constant frame rate input', async () => {
    const frames = await decode(video('red-blue.mp4'), { plan: { everyNth: 25 } });
    expect(times(frames)).toEqual([0, 1, 2, 3, 4]);
    const info = await probeVideo(video('red-blue.mp4')); // given, it saves decodeFrames its own probe
    expect(times(await decode(video('red-blue.mp4'), { plan: { everyNth: 25 }, info }))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('decodeFrames: a video stream that starts after the file does', () => {
  it.each([
    // The file starts at 0 and its video at 0.023 s: the red frames run from 0.023 to 1.503 s, the last frame
    // (2.983 s) is shown until 3.023 s. A grid begun at the first frame's time would lose t = 0.
    ['primed.mkv', 0, [0, 0.5, 1, 1.5, 2, 2.5, 3]],
    // The file starts at 1.4 s and its video at 1.423 s; ffmpeg starts an MPEG-TS file at its first video frame.
    ['primed.ts', 1.4, [0, 0.5, 1, 1.5, 2, 2.5]],
  ])('%s: the first frame is the sample at 0, the others stay at k / fps', async (name, fileStart, expected) => {
    const starts = await startTimes(video(name));
    expect(starts.file).toBe(fileStart);
    expect(starts.video - starts.file).toBeCloseTo(0.023, 3);
    const frames = await decode(video(name), { plan: { fps: 2 } });
    expect(times(frames)).toEqual(expected);
    // At 1.5 s both show a red frame (of 1.463 s in the MKV, 1.48 s in the MPEG-TS).
    for (const frame of frames) expectColour(centre(frame), frame.time <= 1.5 ? 'red' : 'blue');
  });

  it('decoding in ranges gives the frames of decoding at once; a range that starts before the first frame gets it too', async () => {
    const file = video('primed.mkv'); // video from 0.023 s
    const plan = { fps: 50 };
    const all = await decode(file, { plan });
    expect(times(all).slice(0, 3)).toEqual([0, 0.02, 0.04]);
    const parts: DecodedFrame[] = [];
    for (const [startSec, endSec] of [[0, 0.01], [0.01, 1.2], [1.2, undefined]]) parts.push(...(await decode(file, { plan, startSec, endSec })));
    expect(times(parts)).toEqual(times(all));
    parts.forEach((frame, i) => expect(Buffer.compare(frame.data, all[i].data)).toBe(0));
    expectColour(centre(parts[1]), 'red'); // t = 0.02, from a range that starts before the first frame
  });

  it('everyNth keeps the first frame first, at its own time', async () => {
    const frames = await decode(video('primed.mkv'), { plan: { everyNth: 25 } });
    expect(times(frames).map((t) => Math.round(t * 1000))).toEqual([23, 1023, 2023]);
    expectColour(centre(frames[0]), 'red');
  });
});

describe('decodeFrames: audio in the same run', () => {
  /** Root mean square of the samples in [from, to) s at 16 kHz. */
  const rms = (samples: Float32Array, from: number, to: number) => {
    const part = samples.subarray(from * 16_000, to * 16_000);
    return Math.sqrt(part.reduce((sum, v) => sum + v * v, 0) / part.length);
  };

  // MP4: the very frames decoded without audio. MPEG-TS starts its time line at the earliest stream decoded: with
  // the audio, 0.023 s (AAC's priming) before the video, whose last frame then reaches the grid time 3.
  it.each([
    ['spoken.mp4', [0, 0.5, 1, 1.5, 2, 2.5], [0, 0.5, 1, 1.5, 2, 2.5]],
    ['spoken.ts', [0, 0.5, 1, 1.5, 2, 2.5, 3], [0, 0.5, 1, 1.5, 2, 2.5]],
  ])('%s: 16 kHz mono from the file\'s time 0, in the run that decodes the frames', async (name, withTimes, withoutTimes) => {
    let samples: Float32Array | undefined;
    const withAudio = await decode(video(name), { plan: { fps: 2 }, audio: { sampleRate: 16_000, onAudio: (heard) => (samples = heard) } });
    const framesOnly = await decode(video(name), { plan: { fps: 2 } });
    expect(times(withAudio)).toEqual(withTimes);
    expect(times(framesOnly)).toEqual(withoutTimes);
    framesOnly.forEach((frame, i) => expect(Buffer.compare(frame.data, withAudio[i].data)).toBe(0));
    expect(samples).toBeDefined();
    expect(Math.abs(samples!.length / 16_000 - 3)).toBeLessThan(0.1);
    expect(rms(samples!, 1.05, 1.95)).toBeGreaterThan(0.15); // 0.3 / √2
    expect(rms(samples!, 0, 0.95)).toBeLessThan(0.01);
    expect(rms(samples!, 2.05, 2.9)).toBeLessThan(0.01);
    // 1 kHz at 16 kHz: 2,000 zero crossings a second.
    const tone = samples!.subarray(1.1 * 16_000, 1.9 * 16_000);
    const crossings = tone.reduce((n, v, i) => n + (i > 0 && Math.sign(v) !== Math.sign(tone[i - 1]) ? 1 : 0), 0);
    expect(Math.abs(crossings / 0.8 - 2000)).toBeLessThan(20);
  });

  it('is one ffmpeg run with a second output; without audio asked the command maps no audio, as before', async () => {
    // The module object itself (an `import *` would be a copy): the decoder calls its spawn.
    const spawned = jest.spyOn(require('node:child_process') as typeof import('node:child_process'), 'spawn');
    try {
      await decode(video('spoken.mp4'), { audio: { sampleRate: 16_000, onAudio: () => undefined } });
      await decode(video('spoken.mp4'));
      const runs = spawned.mock.calls.filter(([command]) => command === 'ffmpeg').map(([, args]) => args as string[]);
      expect(runs).toHaveLength(2);
      const [withAudio, framesOnly] = runs;
      expect(withAudio.slice(-12)).toEqual(['pipe:1', '-map', '0:a:0', '-af', 'aresample=async=1:first_pts=0', '-ac', '1', '-ar', '16000', '-f', 'f32le', 'pipe:3']);
      expect(withAudio.slice(0, -11)).toEqual(framesOnly);
      expect(framesOnly.filter((arg) => /(^|:)a(:|$)/.test(arg))).toEqual([]);
    } finally {
      spawned.mockRestore();
    }
  });

  // The tone (1–2 s) lands at its place in the range's samples; the frames are those of the range without audio.
  it.each([
    ['spoken.mp4', 0.5, 2.5], // seeks (MP4 indexes keyframes)
    ['spoken.ts', 1.2, 2.2], // decodes from the start
    ['spoken.mp4', 1.5, undefined],
  ])('%s [%s, %s): the range\'s audio, sample 0 at its start, in the same run', async (name, startSec, endSec) => {
    let samples: Float32Array | undefined;
    const range = { plan: { fps: 2 }, startSec, endSec };
    const withAudio = await decode(video(name), { ...range, audio: { sampleRate: 16_000, onAudio: (heard) => (samples = heard) } });
    const framesOnly = await decode(video(name), range);
    if (name.endsWith('.mp4')) expect(times(withAudio)).toEqual(times(framesOnly));
    expect(times(withAudio)[0]).toBe(startSec === 1.5 ? 1.5 : Math.ceil(startSec * 2) / 2);
    const length = (endSec ?? 3) - startSec;
    expect(Math.abs(samples!.length / 16_000 - length)).toBeLessThan(0.05);
    const at = (t: number) => t - startSec; // video time → seconds into the samples
    expect(rms(samples!, Math.max(0, at(1.05)), at(1.95))).toBeGreaterThan(0.15);
    if (startSec < 0.95) expect(rms(samples!, 0, at(0.95))).toBeLessThan(0.01);
    if ((endSec ?? 3) > 2.1) expect(rms(samples!, at(2.05), at(Math.min(endSec ?? 2.9, 2.9)))).toBeLessThan(0.01);
  });
});

describe('decodeFrames: size, fit and rotation', () => {
  it.each(['cover', 'fill'] as const)('produces exactly the requested odd size (%s)', async (fit) => {
    const [frame] = await decode(video('red-blue.mp4'), { width: 321, height: 179, fit, endSec: 1 });
    expect(frame).toMatchObject({ width: 321, height: 179 });
    expect(frame.data).toHaveLength(321 * 179 * 3);
    expectColour(pixel(frame, 0, 0), 'red');
    expectColour(pixel(frame, 320, 178), 'red');
  });

  it('cover crops the centre keeping the aspect ratio; fill stretches', async () => {
    // 320×240 with red on x < 80, into 16×32. Fill squeezes it: red on x < 4. Cover scales to 43×32 (red on
    // x < 10.75) and keeps the middle 16 columns (13 to 29): no red.
    const [cover] = await decode(video('quarter.mp4'), { width: 16, height: 32, fit: 'cover' });
    const [fill] = await decode(video('quarter.mp4'), { width: 16, height: 32, fit: 'fill' });
    expectColour(pixel(fill, 1, 16), 'red');
    expectColour(pixel(fill, 6, 16), 'blue');
    expectColour(pixel(cover, 0, 16), 'blue');
    expectColour(pixel(cover, 15, 16), 'blue');
  });

  it('turns rotated video upright', async () => {
    // Left red, right blue, displayed rotated 90° counterclockwise: blue on top, red below.
    const [frame] = await decode(video('rotated.mp4'), { width: 24, height: 32, fit: 'fill' });
    expectColour(pixel(frame, 12, 2), 'blue');
    expectColour(pixel(frame, 12, 29), 'red');
  });
});

describe('decodeFrames: time ranges', () => {
  it('keeps the whole-video fps grid and absolute times inside [start, end)', async () => {
    const frames = await decode(video('red-blue.mp4'), { plan: { fps: 2 }, startSec: 1.2, endSec: 3.5 });
    expect(times(frames)).toEqual([1.5, 2, 2.5, 3]);
    for (const frame of frames) expectColour(centre(frame), frame.time < 2.32 ? 'red' : 'blue');
  });

  it('keeps a frame shown at the range start though it precedes it (variable frame rate)', async () => {
    // Frames at …, 0.9, 0.95, 1.05, …: the frame shown at t = 1 is the one at 0.95, before startSec.
    const file = video('vfr.mp4');
    const all = await decode(file, { plan: { fps: 4 } });
    const range = await decode(file, { plan: { fps: 4 }, startSec: 1, endSec: 2 });
    expect(times(range)).toEqual([1, 1.25, 1.5, 1.75]);
    range.forEach((frame, i) => expect(Buffer.compare(frame.data, all[i + 4].data)).toBe(0));
  });

  it('seeks to a range with the same frames as decoding from the start (keyframes, B-frames)', async () => {
    const file = video('gop.mp4');
    const all = await decode(file, { plan: { fps: 5 } });
    const range = await decode(file, { plan: { fps: 5 }, startSec: 1.3, endSec: 2.9 });
    const inRange = all.filter((frame) => frame.time >= 1.3 && frame.time < 2.9);
    expect(times(range)).toEqual([1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6, 2.8]);
    expect(times(range)).toEqual(times(inRange));
    range.forEach((frame, i) => expect(Buffer.compare(frame.data, inRange[i].data)).toBe(0));
  });

  it('counts everyNth frames from the start of the range', async () => {
    const file = video('gop.mp4');
    const range = await decode(file, { plan: { everyNth: 3 }, startSec: 1.3, endSec: 2.5 });
    // Frames at 0.04 s steps from 1.32 (the first at or after 1.3): 1.32, 1.44, …, 2.4.
    expect(times(range).map((t) => Math.round(t * 100))).toEqual([132, 144, 156, 168, 180, 192, 204, 216, 228, 240]);
    const all = await decode(file, { plan: { everyNth: 1 } });
    range.forEach((frame) => {
      const same = all.find((other) => other.time === frame.time)!;
      expect(Buffer.compare(frame.data, same.data)).toBe(0);
    });
  });

  it('rejects a range that starts after the end of the video', async () => {
    await expect(decode(video('red-blue.mp4'), { startSec: 6 })).rejects.toThrow(VideoDecodeError);
    await expect(decode(video('red-blue.mp4'), { startSec: 6 })).rejects.toThrow(/red-blue\.mp4: range starts at 6 s/);
  });
});

describe('decodeFrames: stopping', () => {
  it('kills ffmpeg when the consumer stops early', async () => {
    const file = video('early-stop.mp4');
    await copyFile(video('red-blue.mp4'), file);
    let alive: number[] = [];
    // Frames larger than the pipe's buffer, so ffmpeg is still running, blocked on the pipe, at the first frame.
    for await (const frame of decodeFrames(file, { plan: { fps: 25 }, width: 320, height: 240, fit: 'fill' })) {
      expect(frame.time).toBe(0);
      alive = await processesUsing(file);
      break;
    }
    expect(alive).toHaveLength(1);
    expect(await processesUsing(file)).toEqual([]);
  });

  it('kills ffmpeg and rejects with the abort reason when aborted', async () => {
    const file = video('abort.mp4');
    await copyFile(video('red-blue.mp4'), file);
    const controller = new AbortController();
    const frames: DecodedFrame[] = [];
    const consume = async () => {
      for await (const frame of decodeFrames(file, { plan: { fps: 25 }, width: 320, height: 240, fit: 'fill', signal: controller.signal })) {
        frames.push(frame);
        if (frames.length === 2) controller.abort();
      }
    };
    await expect(consume()).rejects.toMatchObject({ name: 'AbortError' });
    expect(frames).toHaveLength(2);
    expect(await processesUsing(file)).toEqual([]);
  });
});

describe('bad input', () => {
  const expectDecodeError = async (file: string, cause: RegExp) => {
    for (const attempt of [() => probeVideo(file), () => decode(file)]) {
      const error = await attempt().then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(VideoDecodeError);
      expect((error as VideoDecodeError).file).toBe(file);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(cause);
    }
  };

  it('a missing file', () => expectDecodeError(video('missing.mp4'), /file not found/));

  it('an empty file', async () => {
    await writeFile(video('empty.mp4'), '');
    await expectDecodeError(video('empty.mp4'), /empty file/);
  });

  it('a text file named .mp4', async () => {
    await writeFile(video('text.mp4'), 'not a video at all\n');
    await expectDecodeError(video('text.mp4'), /not a readable video \(.*(moov atom not found|Invalid data)/);
  });

  it('the first half of an mp4 (its index is at the end)', async () => {
    const whole = await readFile(video('gop.mp4'));
    await writeFile(video('half.mp4'), whole.subarray(0, whole.length >> 1));
    await expectDecodeError(video('half.mp4'), /not a readable video \(.*moov atom not found/);
  });

  it('an audio-only file', () => expectDecodeError(video('audio.m4a'), /no video stream/));

  it('data cut off mid-stream: the frames before the damage, then an error quoting ffmpeg', async () => {
    const whole = await readFile(video('faststart.mp4'));
    const file = video('cut.mp4');
    await writeFile(file, whole.subarray(0, Math.round(whole.length * 0.6)));
    expect((await probeVideo(file)).durationSec).toBe(4); // the index at the front still describes the whole video
    const frames: DecodedFrame[] = [];
    const error = await (async () => {
      for await (const frame of decodeFrames(file, { plan: { fps: 5 }, width: 16, height: 12, fit: 'cover' })) frames.push(frame);
    })().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(VideoDecodeError);
    expect((error as Error).message).toMatch(/cut\.mp4: .*corrupt|cut\.mp4: .*[Ii]nvalid/);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(20);
  });
});

describe('makeSampleVideos', () => {
  it('writes three described demo videos', async () => {
    const samples = await makeSampleVideos(dir);
    expect(samples).toHaveLength(3);
    for (const sample of samples) {
      expect(sample).toEqual({ path: expect.any(String), title: expect.any(String), category: expect.any(String), tags: expect.any(Array) });
      expect((await stat(sample.path)).size).toBeGreaterThan(0);
      expect((await probeVideo(sample.path)).durationSec).toBeGreaterThan(5);
    }
  });
});

const bbbIt = existsSync(BBB) ? it : it.skip;
if (!existsSync(BBB)) console.warn(`decoder.test: skipping the bbb-excerpt tests, ${BBB} is absent (it lives outside the repository)`);

describe('bbb-excerpt.mp4 (B-frames, audio and a data stream; skipped when ../shared/media is absent)', () => {
  bbbIt('probe reads the video stream', async () => {
    expect(await probeVideo(BBB)).toEqual({ durationSec: 4, width: 320, height: 176, nativeFps: 25, codec: 'h264', frameCount: 100, rotation: 0, container: 'mov,mp4,m4a,3gp,3g2,mj2', audio: true });
  });

  bbbIt('fps 1 gives frames at 0, 1, 2, 3; everyNth 25 the same', async () => {
    expect(times(await decode(BBB, { plan: { fps: 1 } }))).toEqual([0, 1, 2, 3]);
    expect(times(await decode(BBB, { plan: { everyNth: 25 } }))).toEqual([0, 1, 2, 3]);
  });

  bbbIt('a range just before the second keyframe (pts 3.8, dts 3.72) has the frames of a full decode', async () => {
    const all = await decode(BBB, { plan: { fps: 25 } });
    const range = await decode(BBB, { plan: { fps: 25 }, startSec: 3.75 });
    expect(times(range)).toEqual([3.76, 3.8, 3.84, 3.88, 3.92, 3.96]);
    range.forEach((frame) => expect(Buffer.compare(frame.data, all.find((other) => other.time === frame.time)!.data)).toBe(0));
  });
});
