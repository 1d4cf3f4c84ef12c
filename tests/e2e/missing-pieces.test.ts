/**
 * A newcomer's machine that lacks a piece: each missing piece is named in one line, with the way on, before any work
 * starts; exit code 1, never a stack trace.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
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
