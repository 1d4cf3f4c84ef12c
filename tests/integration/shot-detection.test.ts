import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ShotBoundary } from '../../lib/core/shots';
import { decodeFrames, type DecodedFrame, type DecodeOptions } from '../../lib/decoder/frames';
import { embedVideo } from '../../lib/embed-video';
import type { Embedder } from '../../lib/embedder/embedder';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { makeColourVideo } from '../../lib/sample-videos';
import { makeFixtureModel } from '../../scripts/make-fixture-model';

const BBB = path.resolve(__dirname, '../../../shared/media/bbb-excerpt.mp4');

let dir: string;
let embedder: Embedder;
let cutsAndFades: string;

/** Red, a 1 s dissolve to blue at 5 s, a cut to green at 10 s, a 2 s dissolve to yellow at 14 s, a cut to magenta at 17 s. */
const TRUE_BOUNDARIES: ShotBoundary[] = [
  { time: 5, kind: 'gradual' },
  { time: 10, kind: 'cut' },
  { time: 14, kind: 'gradual' },
  { time: 17, kind: 'cut' },
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vsearch-shots-'));
  await makeFixtureModel(path.join(dir, 'model'), 'clip');
  embedder = await TransformersEmbedder.from_pretrained(path.join(dir, 'model'));
  cutsAndFades = path.join(dir, 'cuts-and-fades.mp4');
  await makeColourVideo(cutsAndFades, [
    { colour: 'red', durationSec: 5 },
    { colour: 'blue', durationSec: 5, fadeSec: 1 },
    { colour: 'green', durationSec: 4 },
    { colour: 'yellow', durationSec: 3, fadeSec: 2 },
    { colour: 'magenta', durationSec: 3 },
  ]);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Each boundary found is of the true kind and within `tolerance` seconds of the true one, and none is missing. */
function expectBoundaries(found: ShotBoundary[] | undefined, truth: ShotBoundary[], tolerance: number): void {
  expect(found?.map((b) => b.kind)).toEqual(truth.map((b) => b.kind));
  found!.forEach((boundary, i) => expect(Math.abs(boundary.time - truth[i].time)).toBeLessThanOrEqual(tolerance));
}

test.each([1, 0.5])('hard cuts and dissolves are found within one sampling interval of the truth, at %s fps', async (fps) => {
  const { shots } = await embedVideo(cutsAndFades, embedder, { sampling: { fps }, shots: { threshold: 10 } });
  expect(shots?.threshold).toBe(10);
  expectBoundaries(shots?.boundaries, TRUE_BOUNDARIES, 1 / fps);
  // Cuts are exact: the first frame of the new shot.
  expect(shots!.boundaries.filter((b) => b.kind === 'cut').map((b) => b.time)).toEqual([10, 17]);
});

test('a range keeps the boundaries inside it', async () => {
  const { shots } = await embedVideo(cutsAndFades, embedder, { sampling: { fps: 1 }, startSec: 8, endSec: 16, shots: { threshold: 10 } });
  expectBoundaries(shots?.boundaries, TRUE_BOUNDARIES.slice(1, 3), 1);
});

test('the scene scores come from the same decode and leave its frames as they are', async () => {
  const decode = async (options: Partial<DecodeOptions>) => {
    const frames: DecodedFrame[] = [];
    for await (const frame of decodeFrames(cutsAndFades, { plan: { fps: 1 }, width: 16, height: 12, fit: 'cover', ...options })) {
      frames.push({ ...frame, data: Buffer.from(frame.data) });
    }
    return frames;
  };
  const scores: number[] = [];
  const [plain, scored] = [await decode({}), await decode({ onSceneScore: (score) => scores.push(score.time) })];
  expect(scored).toEqual(plain);
  // Every decoded frame (25 fps for 20 s), not only the sampled ones, in time order.
  expect(scores).toHaveLength(500);
  expect(scores.every((time, i) => i === 0 || time > scores[i - 1])).toBe(true);
});

const bbb = existsSync(BBB) ? test : test.skip;
if (!existsSync(BBB)) console.warn(`skipping the real-video shot test: ${BBB} is absent (it lives in ../shared/media)`);

bbb('a real video: the one cut of the Big Buck Bunny excerpt, and no boundary in its moving first shot', async () => {
  const { shots } = await embedVideo(BBB, embedder, { sampling: { fps: 1 }, shots: { threshold: 10 } });
  expect(shots?.boundaries).toEqual([{ time: 3.8, kind: 'cut' }]);
});
