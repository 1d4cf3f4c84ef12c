/**
 * A newcomer's machine that lacks a piece: each missing piece is named in one line, with the way on, before any work
 * starts; exit code 1, never a stack trace.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { makeColourVideo } from '../../lib/sample-videos';
import { vsearch, type CliResult } from '../helpers/cli';

jest.setTimeout(120_000);

let work: string;
let model: string;
const videos: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-missing-'));
  model = path.join(work, 'model');
  await makeFixtureModel(model, 'clip');
  for (const colour of ['red', 'green', 'blue']) {
    const file = path.join(work, `${colour}.mp4`);
    await makeColourVideo(file, [{ colour, durationSec: 2 }], { width: 64, height: 48 });
    videos.push(file);
  }
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function expectOneLine(result: CliResult, message: RegExp): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(message) });
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

describe('a machine without ffmpeg', () => {
  /** PATH with node and nothing else, as on a machine where ffmpeg was never installed. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const bin = path.join(work, 'bin-without-ffmpeg');
    await mkdir(bin);
    await symlink(process.execPath, path.join(bin, 'node'));
    env = { PATH: bin };
  });

  test('index, demo, serve and an image search say that ffmpeg is missing and how to install it, before any work', async () => {
    const image = path.join(work, 'query.png');
    await writeFile(image, 'not read: ffmpeg is checked first');
    const data = path.join(work, 'no-ffmpeg-data');
    const commands = [
      ['index', videos[0], '--data', data, '--model', model],
      ['demo', '--data', data, '--model', model],
      ['serve', '--port', '0', '--data', data, '--model', model],
      ['search', '--image', image, '--data', data, '--model', model],
    ];
    for (const args of commands) {
      const result = await vsearch(args, env);
      expectOneLine(result, /ffmpeg is missing.*apt-get install ffmpeg.*brew install ffmpeg.*winget install/);
    }
    expect(existsSync(data)).toBe(false);
  });

  test('a text search needs no ffmpeg', async () => {
    const data = path.join(work, 'text-only-data');
    expect((await vsearch(['index', videos[0], '--data', data, '--model', model])).code).toBe(0);
    const result = await vsearch(['search', 'red', '--data', data, '--model', model], env);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/1\. red/);
  });
});

describe('a default model that cannot be downloaded', () => {
  const DEFAULT_MODEL = 'Xenova/clip-vit-base-patch32';

  /** A hub in an outage: it serves the model's small files, then answers 503 for its weights. */
  async function hubWithoutWeights(): Promise<Server> {
    const server = createServer(async (req, res) => {
      const [, file] = /\/resolve\/main\/(.+)$/.exec(req.url ?? '') ?? [];
      const bytes = file && !file.startsWith('onnx/') ? await readFile(path.join(model, file)).catch(() => undefined) : undefined;
      if (bytes) res.writeHead(200).end(bytes);
      else res.writeHead(503).end('service unavailable');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  /** A port on 127.0.0.1 that nothing listens on: a connection to it is refused at once. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  test('names the model, the cache directory and the two ways on: --model DIR, or the fixture model', async () => {
    const outage = await hubWithoutWeights();
    try {
      const hubs = [
        { hub: `http://127.0.0.1:${await closedPort()}`, reason: /ECONNREFUSED/ },
        { hub: `http://127.0.0.1:${(outage.address() as AddressInfo).port}`, reason: /Service unavailable/ },
      ];
      for (const [i, { hub, reason }] of hubs.entries()) {
        const cache = path.join(work, `model-cache-${i}`);
        const result = await vsearch(['search', 'red', '--data', path.join(work, 'model-data')], {
          HF_ENDPOINT: hub,
          VSEARCH_MODEL: undefined, // the default model
          VSEARCH_MODEL_CACHE: cache,
        });
        expectOneLine(result, reason);
        expect(result.stderr).toContain(`Model "${DEFAULT_MODEL}" is not in the cache ${cache} and could not be downloaded from ${hub}/`);
        expect(result.stderr).toContain('--model DIR');
        expect(result.stderr).toContain('npx tsx scripts/make-fixture-model.ts --out /tmp/fixture-clip --arch clip');
      }
    } finally {
      await new Promise((resolve) => outage.close(resolve));
    }
  });
});
