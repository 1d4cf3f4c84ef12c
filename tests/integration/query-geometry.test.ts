/**
 * A query image and the frames it searches reach the model in one geometry, whichever layout the model's
 * preprocessor_config.json uses (issue 11): a wide picture is seen as CLIP's centre crop or SigLIP's squash, never
 * letterboxed, and a picture embeds as a query image exactly as it does as a video frame.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FrameVector } from '../../lib/core/types';
import { embedVideo } from '../../lib/embed-video';
import { readImage } from '../../lib/embedder/image-file';
import { LocalQueryEncoder } from '../../lib/embedder/local-query-encoder';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { makeColourVideo } from '../../lib/sample-videos';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { centreAndSidesPng, losslessVideoOf, noisePng } from '../helpers/pictures';

jest.setTimeout(120_000);

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const maxDifference = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

let work: string;
/** One second each of blue, white and gray, sampled at 1 fps: frames at 0, 1 and 2 s. */
let colours: string;
/** Each test picture as a PNG and as a lossless one-frame video of it. */
const pictures: Record<string, { png: string; video: string }> = {};

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'query-geometry-'));
  colours = path.join(work, 'colours.mp4');
  const segments = ['blue', 'white', 'gray'].map((colour) => ({ colour, durationSec: 1 }));
  const made = { wide: centreAndSidesPng('white', 'blue'), noise: noisePng(11) };
  await Promise.all([
    makeColourVideo(colours, segments, { width: 320, height: 180 }),
    ...Object.entries(made).map(async ([name, png]) => {
      pictures[name] = { png: path.join(work, `${name}.png`), video: path.join(work, `${name}.mkv`) };
      await writeFile(pictures[name].png, await png);
      await losslessVideoOf(pictures[name].png, pictures[name].video);
    }),
  ]);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each([
  { arch: 'clip', configLayout: 'dict' },
  { arch: 'clip', configLayout: 'int' },
  { arch: 'siglip', configLayout: 'dict' },
] as const)('$arch, $configLayout preprocessor layout', ({ arch, configLayout }) => {
  let embedder: TransformersEmbedder;
  let frames: FrameVector[];

  beforeAll(async () => {
    const dir = path.join(work, `${arch}-${configLayout}`);
    await makeFixtureModel(dir, arch, { configLayout });
    embedder = await TransformersEmbedder.from_pretrained(dir);
    ({ frames } = await embedVideo(colours, embedder, { sampling: { fps: 1 } }));
  });

  it('a wide query image whose centre is white and sides blue finds the white frame', async () => {
    const query = await new LocalQueryEncoder(embedder).encode({ image: await readFile(pictures.wide.png) });
    const best = frames.reduce((a, b) => (dot(query, b.vector) > dot(query, a.vector) ? b : a));
    expect(best.time).toBe(1);
  });

  it.each(['wide', 'noise'])('the %s picture embeds as a query image as the frame of a lossless video of it does', async (name) => {
    const [frame] = (await embedVideo(pictures[name].video, embedder, { sampling: { fps: 1 } })).frames;
    const [image] = await embedder.embedImages([await readImage(await readFile(pictures[name].png))]);
    expect(maxDifference(image, frame.vector)).toBeLessThanOrEqual(1e-5);
  });
});
