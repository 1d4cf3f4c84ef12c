import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AutoImageProcessor, AutoTokenizer, RawImage, SiglipTextModel, type Tensor } from '@huggingface/transformers';
import sharp from 'sharp';
import type { RgbImage } from '../../lib/core/types';
import { readImage } from '../../lib/embedder/image-file';
import { pixelValuesAtInputSize } from '../../lib/embedder/pixel-values';
import { uniform } from '../../scripts/bench/random';
import { ModelDownloadError, ModelLoadError } from '../../lib/embedder/errors';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { NEUTRAL_WEIGHT, PAD_WEIGHT } from '../../scripts/fixture-model/colour-graphs';
import { EMBEDDING_DIM, FIXTURE_COLOURS, NEUTRAL_DIRECTION, type Rgb, colourDirection } from '../../scripts/fixture-model/colours';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { centreAndSidesPng } from '../helpers/pictures';

const SIZE = 224;

function solid(rgb: Rgb, size = SIZE): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = rgb[i % 3];
  return { width: size, height: size, data };
}

/**
 * Like a decoded H.264 frame: shifted a little, noisy, and blended with 15% of the neighbouring frame's colour.
 * Small, so fitting it to the input size is exercised too.
 */
function likeVideo(rgb: Rgb, neighbour: Rgb, seed: number): RgbImage {
  let state = seed;
  const noise = () => {
    state = (state * 48271) % 2147483647;
    return (state % 7) - 3;
  };
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  const image = solid(rgb, 32);
  for (let i = 0; i < image.data.length; i++) {
    const k = i % 3;
    image.data[i] = clamp(0.85 * rgb[k] + 0.15 * neighbour[k] + (k === 1 ? 1 : -1) + noise());
  }
  return image;
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const unit = (v: Float32Array) => v.map((x) => x / Math.sqrt(dot(v, v)));
const maxDifference = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
const nearest = (query: Float32Array, refs: Float32Array[]) =>
  refs.reduce((best, ref, i) => (dot(query, ref) > dot(query, refs[best]) ? i : best), 0);

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'embedder-test-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.each([
  { arch: 'clip', fit: 'cover' },
  { arch: 'siglip', fit: 'fill' },
] as const)('TransformersEmbedder on the $arch fixture', ({ arch, fit }) => {
  let dir: string;
  let embedder: TransformersEmbedder;
  let frames: Float32Array[];
  let words: Float32Array[];

  beforeAll(async () => {
    dir = path.join(tmp, arch);
    await makeFixtureModel(dir, arch);
    embedder = await TransformersEmbedder.from_pretrained(dir);
    frames = await embedder.embedImages(FIXTURE_COLOURS.map((c) => solid(c.rgb)));
    words = await embedder.embedTexts(FIXTURE_COLOURS.map((c) => c.name));
  });

  it('tokenises through the transformers.js AutoTokenizer', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    expect(tokenizer.tokenize('A red screen.')).toEqual(['a', 'red', 'screen', '.']);
  });

  it('reports its geometry and returns unit vectors of its dimension', async () => {
    expect(embedder.dim).toBe(EMBEDDING_DIM);
    expect(embedder.geometry).toEqual({ width: SIZE, height: SIZE, fit });
    const texts = await embedder.embedTexts(['a red screen', 'no colour named here', '']);
    for (const v of [...frames, ...words, ...texts]) {
      expect(v).toHaveLength(EMBEDDING_DIM);
      expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    }
  });

  const colours = FIXTURE_COLOURS.map((c, i) => [c.name, i] as const);
  it.each(colours)('finds %s from words, phrases and frames', async (name, i) => {
    const capitalised = name[0].toUpperCase() + name.slice(1);
    const texts = await embedder.embedTexts([name, `a ${name} screen`, `${capitalised} background.`]);
    for (const text of texts) expect(nearest(text, frames)).toBe(i);

    expect(nearest(frames[i], words)).toBe(i);
    const neighbour = FIXTURE_COLOURS[(i + 1) % FIXTURE_COLOURS.length].rgb;
    const [encoded] = await embedder.embedImages([likeVideo(FIXTURE_COLOURS[i].rgb, neighbour, i + 1)]);
    expect(nearest(encoded, frames)).toBe(i);
    expect(nearest(encoded, words)).toBe(i);
  });

  it('sees where things are, as a vision tower does: the centre counts most, black bars darken', async () => {
    const seenAs = async (png: Buffer, fit: 'cover' | 'fill' | 'contain') => {
      const picture = sharp(png).resize(SIZE, SIZE, { fit, background: '#000000' }).removeAlpha();
      const [vector] = await embedder.embedImages([{ width: SIZE, height: SIZE, data: new Uint8Array(await picture.raw().toBuffer()) }]);
      return FIXTURE_COLOURS[nearest(vector, frames)].name;
    };
    const fits = ['cover', 'fill', 'contain'] as const;
    // 16:9 with a white centre: squashed (SigLIP's view) it still shows mostly its centre; letterboxed between black
    // bars (what transformers.js makes of the integer config layout) it looks gray.
    const wide = await centreAndSidesPng('white', 'blue');
    expect(await Promise.all(fits.map((fit) => seenAs(wide, fit)))).toEqual(['white', 'white', 'gray']);
    // 6:1 with a red centre: the crop shows the centre, the squash mostly the sides, the letterbox mostly black.
    const long = await centreAndSidesPng('red', 'blue', 600, 100);
    expect(await Promise.all(fits.map((fit) => seenAs(long, fit)))).toEqual(['red', 'blue', 'black']);
  });

  it('builds pixel values for input-size frames exactly as the processor does, and leaves other sizes to it', async () => {
    const processor = await AutoImageProcessor.from_pretrained(dir, { local_files_only: true });
    const images = [3, 9].map((seed): RgbImage => {
      const next = uniform(seed);
      return { width: SIZE, height: SIZE, data: Uint8Array.from({ length: SIZE * SIZE * 3 }, () => next() * 256) };
    });
    const fast = pixelValuesAtInputSize(processor, images, embedder.geometry);
    const { pixel_values: general } = await processor(images.map(({ data, width, height }) => new RawImage(data, width, height, 3)));
    expect(fast?.dims).toEqual(general.dims);
    const fastData = fast?.data as Float32Array;
    const generalData = general.data as Float32Array;
    let worst = 0;
    for (let k = 0; k < generalData.length; k++) worst = Math.max(worst, Math.abs(fastData[k] - generalData[k]));
    expect(worst).toBeLessThan(1e-5);
    expect(pixelValuesAtInputSize(processor, [solid([1, 2, 3], SIZE + 1)], embedder.geometry)).toBeUndefined();
  });

  it('gives the same vectors in batches as one by one', async () => {
    expect(embedder.batchSize).toBe(4); // on the CPU
    // Batches of 4 and 2: image preprocessing is slow inside jest's sandbox, so few images cross the boundary.
    const batching = await TransformersEmbedder.from_pretrained(dir, { batchSize: 4 });
    const images = Array.from({ length: 6 }, (_, n) =>
      likeVideo(FIXTURE_COLOURS[n % 9].rgb, FIXTURE_COLOURS[(n + 4) % 9].rgb, n + 1),
    );
    const batched = await batching.embedImages(images);
    expect(batched).toHaveLength(images.length);
    for (const [n, image] of images.entries()) {
      const [single] = await batching.embedImages([image]);
      single.forEach((v, k) => expect(batched[n][k]).toBeCloseTo(v, 6));
    }
  });
});

describe('the SigLIP fixture text tower', () => {
  it('sees padding, and the embedder pads to the 64 tokens SigLIP was trained with', async () => {
    const dir = path.join(tmp, 'siglip-padding');
    await makeFixtureModel(dir, 'siglip');
    const embedder = await TransformersEmbedder.from_pretrained(dir);
    const [ours] = await embedder.embedTexts(['red']);
    // "red </s>" and 62 more "</s>" (SigLIP pads with its end token): 63 pad tokens in all.
    const red = colourDirection(FIXTURE_COLOURS.findIndex((c) => c.name === 'red'));
    const expected = unit(red.map((v, k) => v + (63 * PAD_WEIGHT + NEUTRAL_WEIGHT) * NEUTRAL_DIRECTION[k]));
    expect(maxDifference(ours, expected)).toBeLessThan(1e-6);

    const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    const textModel = await SiglipTextModel.from_pretrained(dir, { local_files_only: true });
    const longest = tokenizer(['red'], { padding: true });
    expect(longest.input_ids.dims).toEqual([1, 2]);
    const { pooler_output } = (await textModel(longest)) as { pooler_output: Tensor };
    expect(maxDifference(unit(pooler_output.data as Float32Array), ours)).toBeGreaterThan(0.01);
  });
});

describe('TransformersEmbedder load errors', () => {
  it('fails fast with a one-line ModelDownloadError naming the model and the cache when a hub model cannot be downloaded', async () => {
    const started = Date.now();
    const cacheDir = path.join(tmp, 'cache');
    const error = await TransformersEmbedder.from_pretrained('no-such-org/no-such-model-xyz', { cacheDir }).catch((err: unknown) => err);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error).toBeInstanceOf(ModelDownloadError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Model "no-such-org\/no-such-model-xyz" is not in the cache .* and could not be downloaded from https?:/);
    expect(message).toContain(cacheDir);
    expect(message).not.toContain('\n');
  }, 20_000);

  it('refuses a preprocessor geometry it cannot reproduce, in one line', async () => {
    const dir = path.join(tmp, 'tight-crop');
    await makeFixtureModel(dir, 'clip');
    const config = path.join(dir, 'preprocessor_config.json');
    // Resize the shortest side to 256, then crop 224: a tighter crop than the frames' cover fit.
    await writeFile(config, JSON.stringify({ ...JSON.parse(await readFile(config, 'utf8')), size: { shortest_edge: 256 } }));
    const error = await TransformersEmbedder.from_pretrained(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/^Model ".*" could not be loaded: Unsupported preprocessor_config\.json geometry .*shortest_edge":256/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('names the directory and the missing file of an incomplete local model', async () => {
    const dir = path.join(tmp, 'incomplete');
    await makeFixtureModel(dir, 'clip');
    await rm(path.join(dir, 'onnx', 'vision_model.onnx'));
    const error = await TransformersEmbedder.from_pretrained(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toBe(`Model directory "${dir}" is missing onnx/vision_model.onnx.`);
  });
});

describe('readImage', () => {
  const red = { r: 255, g: 0, b: 0 };

  it('decodes PNG and JPEG to packed RGB', async () => {
    const png = await sharp({ create: { width: 8, height: 6, channels: 4, background: { ...red, alpha: 1 } } })
      .png()
      .toBuffer();
    const fromPng = await readImage(png);
    expect(fromPng).toMatchObject({ width: 8, height: 6 });
    expect([...fromPng.data]).toEqual(Array.from({ length: 8 * 6 }, () => [255, 0, 0]).flat());

    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: red } }).jpeg().toBuffer();
    const fromJpeg = await readImage(jpeg);
    expect(fromJpeg.data).toHaveLength(16 * 16 * 3);
    expect(fromJpeg.data[0]).toBeGreaterThan(240);
    expect(fromJpeg.data[1]).toBeLessThan(15);
  });

  it('expands greyscale to three channels', async () => {
    const grey = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const image = await readImage(grey);
    expect(image.data).toHaveLength(4 * 4 * 3);
  });

  it('rejects bytes that are not an image', async () => {
    await expect(readImage(new TextEncoder().encode('definitely not a picture'))).rejects.toThrow(/^Not an image/);
  });
});
