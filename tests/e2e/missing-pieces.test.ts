/**
 * A newcomer's machine that lacks a piece: each missing piece is named in one line, with the way on, before any work
 * starts; exit code 1, never a stack trace.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { makeColourVideo } from '../../lib/sample-videos';
import { REPO_ROOT, vsearch, type CliResult } from '../helpers/cli';
import { inPrivateMounts, privateMountsUnavailable } from '../helpers/private-mounts';

jest.setTimeout(120_000);

if (privateMountsUnavailable) {
  process.stderr.write(`missing-pieces.test.ts: the full and the read-only data directory tests are skipped: ${privateMountsUnavailable}\n`);
}

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

describe('a data directory that is full, read-only or not ours', () => {
  const withMounts = privateMountsUnavailable ? test.skip : test;

  /** The ids `vsearch videos` lists, as each line's first word. */
  const listed = (result: CliResult) => result.stdout.trim().split('\n').filter(Boolean).map((line) => line.split(/\s+/)[0]);

  /** The whole line an index command prints when it stops at a file, every word of it the user reads. */
  function expectStop(result: CliResult, problem: string, stoppedAt: string, advice: string): void {
    const line = `vsearch: ${problem}. Stopped at ${stoppedAt}: it was not indexed, nor the file after it; what was indexed before is kept. ${advice}`;
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: `${line}\n` });
  }

  withMounts('full: one line naming the directory, at the first file; nothing is written, and indexing works once space is freed', async () => {
    const disk = path.join(work, 'small-disk');
    await mkdir(disk);
    const data = path.join(disk, 'data');
    const fill = path.join(disk, 'fill');
    // Frames only (the videos have no audio track: no speech recognition notes on stderr).
    const index = (files: string[]) => ['vsearch', 'index', ...files, '--data', data, '--model', model, '--asr', 'none'];
    const [first, , full, afterFull, , again, afterAgain] = await inPrivateMounts(
      [['mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk]],
      [
        index([videos[0]]),
        ['sh', '-c', `dd if=/dev/zero of=${fill} bs=64k 2>/dev/null; true`],
        index(videos.slice(1)),
        ['vsearch', 'videos', '--data', data],
        ['rm', fill],
        index(videos.slice(1)),
        ['vsearch', 'videos', '--data', data],
      ],
    );
    expect(first.code).toBe(0);
    expectStop(full, `cannot write to the data directory ${data}: no space left on device`, videos[1], 'Free some space, then run the command again.');
    expect(listed(afterFull)).toEqual(['red']);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(listed(afterAgain)).toEqual(['red', 'green', 'blue']);
  });

  withMounts('read-only: one line naming the directory, at the first file, and nothing is written', async () => {
    const disk = path.join(work, 'read-only-disk');
    const data = path.join(disk, 'data');
    const fresh = path.join(disk, 'new', 'data');
    expect((await vsearch(['index', videos[0], '--data', data, '--model', model])).code).toBe(0);
    const [indexed, afterIndexed, created] = await inPrivateMounts(
      [
        ['mount', '--bind', disk, disk],
        ['mount', '-o', 'remount,ro,bind', disk],
      ],
      [
        ['vsearch', 'index', ...videos.slice(1), '--data', data, '--model', model],
        ['vsearch', 'videos', '--data', data],
        ['vsearch', 'index', videos[1], '--data', fresh, '--model', model],
      ],
    );
    const readOnly = 'it is on a read-only file system';
    expectStop(indexed, `cannot write to the data directory ${data}: ${readOnly}`, videos[1], 'Use a writable directory with --data DIR.');
    expect(listed(afterIndexed)).toEqual(['red']);
    expect({ code: created.code, stderr: created.stderr }).toEqual({
      code: 1,
      stderr: `vsearch: cannot write to the data directory ${fresh}: ${readOnly}; nothing was written. Use a writable directory with --data DIR.\n`,
    });
  });

  test("not ours: one line naming the directory and 'permission denied', and nothing is written", async () => {
    const data = path.join(work, 'their-data');
    expect((await vsearch(['index', videos[0], '--data', data, '--model', model])).code).toBe(0);
    const args = [path.join(REPO_ROOT, 'scripts/vsearch.js'), 'index', ...videos.slice(1), '--data', data, '--model', model];
    let result: CliResult;
    if (process.getuid?.() === 0) {
      // Root may write anywhere: the command runs as nobody, who can read the test's files but not write its directory.
      await chmod(work, 0o755);
      result = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args]);
    } else {
      await chmod(data, 0o555);
      result = await run(process.execPath, args).finally(() => chmod(data, 0o755));
    }
    // Opening the store reads its files (to check them for damage) before any video is touched: refused right there.
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: `vsearch: cannot use the data directory ${data}: permission denied; nothing was written. Use a directory of yours with --data DIR, or run as its owner.\n`,
    });
    expect(listed(await vsearch(['videos', '--data', data]))).toEqual(['red']);
  });
});

function run(command: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: REPO_ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
