import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { MAX_IMAGE_BYTES } from '../../lib/query-encoder';
import { makeColourVideo } from '../../lib/sample-videos';
import { openLocalStore } from '../../lib/store/open-local-store';
import { REPO_ROOT, vsearch } from '../helpers/cli';
import { startServeProcess, type ServeProcess } from '../../scripts/serve-process';

/** The search page in a real browser: Debian's chromium, which `.ci/run` installs. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const runnable = existsSync(CHROMIUM) || Boolean(process.env.CI);
/** The page's tests, named in the line that says they were skipped. */
const pageTests: string[] = [];
const pageTest = (name: string, run: () => Promise<void>) => {
  pageTests.push(name);
  test(name, run);
};

interface ClipJson {
  videoId: string;
  title: string;
  start: number;
  end: number;
}

/** mm:ss as the page shows it (whole seconds, rounded down). */
const clock = (sec: number) => `${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;

(runnable ? describe : describe.skip)('the search page', () => {
  jest.setTimeout(120_000);

  let work: string;
  let model: string;
  let data: string;
  let server: ServeProcess;
  let browser: BrowserContext;
  let page: Page;
  let blueImage: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium`);
    work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-web-'));
    model = path.join(work, 'model');
    data = path.join(work, 'data');
    const traffic = path.join(work, 'traffic.mp4');
    const sky = path.join(work, 'sky.mp4');
    // Two magenta moments, for near-duplicates and "More like this".
    const night = path.join(work, 'night.mp4');
    const dusk = path.join(work, 'dusk.mp4');
    blueImage = path.join(work, 'blue.png');
    await Promise.all([
      makeFixtureModel(model, 'clip'),
      makeColourVideo(traffic, [
        { colour: 'red', durationSec: 5 },
        { colour: 'yellow', durationSec: 5 },
        { colour: 'green', durationSec: 5 },
      ]),
      makeColourVideo(sky, [
        { colour: 'blue', durationSec: 6 },
        { colour: 'white', durationSec: 4 },
      ]),
      makeColourVideo(night, [
        { colour: 'black', durationSec: 4 },
        { colour: 'magenta', durationSec: 5 },
        { colour: 'black', durationSec: 4 },
      ]),
      makeColourVideo(dusk, [
        { colour: 'gray', durationSec: 6 },
        { colour: 'magenta', durationSec: 5 },
      ]),
      sharp({ create: { width: 64, height: 48, channels: 3, background: '#0000ff' } }).png().toFile(blueImage),
      // What is said in sky, beside it as players look for it.
      writeFile(sky.replace(/\.mp4$/, '.srt'), '1\n00:00:07,000 --> 00:00:09,000\nautonomous trucks drive at night\n'),
    ]);
    // No audio tracks (speech comes from the sidecar): speech recognition off, so no "no audio track" notes.
    const indexed = await vsearch(['index', traffic, sky, night, dusk, '--data', data, '--model', model, '--asr', 'none']);
    expect(indexed.stderr).toBe('');
    await addFailedVideo(data);
    server = await startServeProcess(['--data', data, '--model', model]);
    browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const searchApi = async (text: string): Promise<ClipJson[]> => {
    const response = await fetch(`${server.url}/search`, { method: 'POST', body: JSON.stringify({ text }), headers: { 'content-type': 'application/json' } });
    return ((await response.json()) as { clips: ClipJson[] }).clips;
  };
  const firstCard = () => page.locator('#clips > li').first();
  const status = () => page.locator('#search-status').textContent();
  const playButton = () => firstCard().locator('button.clip-card');

  /** Types `text` and presses Enter, as a user searches. */
  const searchFor = async (text: string) => {
    await page.getByLabel('Describe the moment').fill(text);
    await page.keyboard.press('Enter');
  };

  /**
   * The first clip shows its thumbnail (the 320 px frame), and a click plays it in place within 1 s of `start`, its
   * video fetched in ranges (206). Returns the player.
   */
  const showsAndPlaysFirstClip = async (start: number) => {
    // Browser-side values typed by hand: the tests are type-checked without the DOM library.
    const thumbnail = firstCard().locator('img');
    await eventually(() => thumbnail.evaluate((img: { naturalWidth: number }) => img.naturalWidth), (width) => expect(width).toBe(320));

    const mediaStatuses: number[] = [];
    const onResponse = (response: { url(): string; status(): number }) => {
      if (new URL(response.url()).pathname.startsWith('/media/')) mediaStatuses.push(response.status());
    };
    page.on('response', onResponse);
    await playButton().click();
    const video = firstCard().locator('video');
    await video.waitFor();
    type Player = { readyState: number; seeking: boolean; currentTime: number };
    const playing = (player: Player) => ({ ready: player.readyState >= 2 && !player.seeking, currentTime: player.currentTime });
    await eventually(() => video.evaluate(playing), ({ ready, currentTime }) => {
      expect(ready).toBe(true);
      expect(Math.abs(currentTime - start)).toBeLessThanOrEqual(1);
    });
    page.off('response', onResponse);
    expect(mediaStatuses).toContain(206);
    return video;
  };

  pageTest('a typed colour finds its clip, plays it in place and charts the search signal', async () => {
    await page.goto(server.url);
    await searchFor('yellow');
    await eventually(status, (text) => expect(text).toMatch(/clips? found/));

    const [best] = await searchApi('yellow');
    expect(best).toMatchObject({ videoId: 'traffic' });
    expect(Math.abs(best.start - 5)).toBeLessThanOrEqual(1);
    expect(Math.abs(best.end - 9)).toBeLessThanOrEqual(1);
    expect(await firstCard().locator('.clip-title').textContent()).toBe('traffic');
    expect(await firstCard().locator('.clip-range').textContent()).toBe(`${clock(best.start)}–${clock(best.end)}`);
    expect(await firstCard().textContent()).not.toMatch(/false|undefined/);
    expect(new URL(page.url()).search).toBe('?q=yellow');
    const video = await showsAndPlaysFirstClip(best.start);

    const chart = page.locator('#chart svg');
    await chart.waitFor();
    expect(await chart.locator('polyline.smoothed').getAttribute('points')).toMatch(/^(\S+ ){14}\S+$/); // 15 frames
    expect(await chart.locator('line.threshold').count()).toBe(1);
    const band = chart.locator('rect.clip-band').first();
    expect(Number(await band.getAttribute('data-start'))).toBe(best.start);
    expect(Number(await band.getAttribute('data-end'))).toBe(best.end);
    // The video's shots: the cuts from red to yellow and from yellow to green.
    expect(await chart.locator('line.shot.cut').evaluateAll((lines) => lines.map((line) => Number((line as unknown as { dataset: { time: string } }).dataset.time)))).toEqual([5, 10]);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-page.png'), fullPage: true });

    await page.keyboard.press('Escape');
    await video.waitFor({ state: 'detached' });
    const focused = (card: { ownerDocument: { activeElement: unknown } }) => card.ownerDocument.activeElement === card;
    expect(await playButton().evaluate(focused)).toBe(true);
    await page.keyboard.press('Enter'); // the keyboard plays it again
    await video.waitFor();
  });

  pageTest('a spoken phrase finds its clip by speech: the card shows the line, the chart marks when it is said', async () => {
    await page.goto(server.url);
    await searchFor('autonomous trucks');
    await eventually(status, (text) => expect(text).toMatch(/clips? found/));
    expect(await firstCard().locator('.clip-title').textContent()).toBe('sky');
    expect(await firstCard().locator('.clip-matched').textContent()).toBe('by speech');
    expect(await firstCard().locator('.clip-transcript').textContent()).toBe('“autonomous trucks drive at night”');
    const chart = page.locator('#chart svg');
    await chart.waitFor();
    const said = chart.locator('rect.speech-band');
    expect(await said.count()).toBe(1);
    expect(await said.locator('title').textContent()).toBe('said 00:07–00:09: “autonomous trucks drive at night”');
  });

  pageTest('an image query finds the video of its colour', async () => {
    await page.getByLabel('Describe the moment').fill('');
    await page.setInputFiles('#image', blueImage);
    await page.locator('#image-preview img').waitFor();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await eventually(() => firstCard().locator('.clip-title').textContent(), (title) => expect(title).toBe('sky'));
  });

  pageTest('a large photo is shrunk in the page to a JPEG well under the API\'s image limit before it is sent', async () => {
    const photo = path.join(work, 'noise.png');
    // Noise compresses worst: the largest JPEG a shrunk image can become.
    await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 80 } } }).png().toFile(photo);
    expect((await stat(photo)).size).toBeGreaterThan(MAX_IMAGE_BYTES);
    await page.goto(server.url);
    await page.setInputFiles('#image', photo);
    await page.locator('#image-preview img').waitFor();
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/search') && r.method() === 'POST'),
      page.getByRole('button', { name: 'Search', exact: true }).click(),
    ]);
    const sent = (JSON.parse(request.postData() ?? '{}') as { image: string }).image;
    expect(sent).toMatch(/^data:image\/jpeg;base64,/);
    const bytes = Buffer.from(sent.slice(sent.indexOf(',') + 1), 'base64');
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 512, height: 341 });
    expect(bytes.length).toBeLessThan(MAX_IMAGE_BYTES / 2);
    expect((await request.response())?.status()).toBe(200);
  });

  pageTest('the videos view lists every video with its status, and why one failed', async () => {
    await page.getByRole('link', { name: 'Videos' }).click();
    expect(new URL(page.url()).search).toBe('?view=videos');
    const rows = page.locator('#videos-table tbody tr');
    await eventually(() => rows.count(), (count) => expect(count).toBe(5));
    const cell = (id: string, what: string) => page.locator(`tr[data-video-id=${id}] ${what}`).textContent();
    expect(await cell('traffic', '.badge')).toBe('ready');
    expect(await cell('sky', '.badge')).toBe('ready');
    expect(await cell('broken', '.badge')).toBe('failed');
    expect(await cell('broken', '.reason')).toBe('decoding stopped at 00:03: corrupt data');
  });

  pageTest('a deep link runs its search with its filters on load', async () => {
    await page.goto(`${server.url}/?q=green&video=traffic`);
    // The page fills the form from the link once its script has read its config (after the load event on a busy machine).
    await eventually(() => page.locator('input[name=videos]').inputValue(), (value) => expect(value).toBe('traffic'));
    await eventually(() => page.locator('#clips .clip-range').allTextContents(), (ranges) => {
      expect(ranges).toHaveLength(1);
      expect(ranges[0]).toMatch(/^00:(09|10|11)–00:1[345]$/);
    });
  });

  test('on a server that needs a token, the printed link opens the page, which searches and plays as without one', async () => {
    const guarded = await startServeProcess(['--host', '0.0.0.0', '--data', data, '--model', model], { VSEARCH_TOKEN: '' });
    try {
      if (!guarded.link) throw new Error('vsearch serve --host 0.0.0.0 printed no link with a token');
      const { origin } = new URL(guarded.link);
      await page.goto(origin);
      await searchFor('yellow');
      await eventually(status, (text) => expect(text).toMatch(/^Search failed: .*access token/));

      await page.goto(guarded.link);
      expect(page.url()).toBe(`${origin}/`); // the token is gone from the address bar
      await searchFor('yellow');
      await eventually(status, (text) => expect(text).toMatch(/clips? found/));
      const [best] = await searchApi('yellow');
      await showsAndPlaysFirstClip(best.start);
    } finally {
      await guarded.stop();
    }
  });

  pageTest('near-duplicates are one card listing the others; "More like this" finds the other moment, not itself', async () => {
    await page.goto(server.url);
    await page.getByLabel('Describe the moment').fill('magenta');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('#clips > li').count(), (count) => expect(count).toBe(1));
    const [kept] = await searchApi('magenta');
    const other = kept.videoId === 'night' ? { videoId: 'dusk', range: '00:06–00:11' } : { videoId: 'night', range: '00:04–00:09' };
    expect(await firstCard().locator('.clip-duplicates').textContent()).toBe(`Also in: ${other.videoId} ${other.range}`);

    await firstCard().getByRole('button', { name: 'More like this' }).click();
    await eventually(() => page.locator('#clips .clip-title').allTextContents(), (titles) => expect(titles[0]).toBe(other.videoId));
    expect(await firstCard().locator('.clip-range').textContent()).toBe(other.range);
    expect(await page.locator('#like-chip .like-moment').textContent()).toBe(`${kept.videoId} ${clock(kept.start)}–${clock(kept.end)}`);
    expect(new URL(page.url()).searchParams.get('like')).toBe(`${kept.videoId}@${kept.start}-${kept.end}`);
    expect(await page.getByLabel('Describe the moment').inputValue()).toBe('');
    // Removing the moment leaves a plain text search.
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    expect(await page.locator('#like-chip').isHidden()).toBe(true);
    await page.getByLabel('Describe the moment').fill('magenta');
    await page.keyboard.press('Enter');
    await eventually(async () => page.url(), (url) => expect(new URL(url).searchParams.get('like')).toBeNull());
  });

  pageTest('a negative query in the Not field leaves out what matches it, and travels in the link', async () => {
    // Red and green, the first and last scenes of the traffic video, match "red green" alike.
    await page.goto(`${server.url}/?q=red+green&video=traffic`);
    const ranges = () => page.locator('#clips .clip-range').allTextContents();
    await eventually(ranges, (found) => expect(found.sort()).toEqual(['00:00–00:05', '00:10–00:15']));
    await page.getByLabel('Not').fill('green');
    await page.keyboard.press('Enter');
    await eventually(ranges, (found) => expect(found).toEqual(['00:00–00:05']));
    expect(new URL(page.url()).searchParams.getAll('not')).toEqual(['green']);
  });
});

// Straight to stderr: jest shows no console output of a file whose tests are all skipped.
if (!runnable) {
  process.stderr.write(
    `web.test.ts: no ${CHROMIUM}, so the ${pageTests.length} search page tests are skipped: ${pageTests.map((name) => `"${name}"`).join(', ')}. ` +
      'Install chromium to run them (Debian/Ubuntu: sudo apt-get install -y chromium); under CI they fail without it.\n',
  );
}

/** A catalog entry as a failed indexing run leaves it, so the videos view has a reason to show. */
async function addFailedVideo(data: string) {
  const store = await openLocalStore(data);
  try {
    const [ready] = await store.catalog.list();
    await store.catalog.put({ ...ready, id: 'broken', title: 'broken', frames: 0, status: 'FAILED', error: 'decoding stopped at 00:03: corrupt data' });
  } finally {
    store.close();
  }
}

/** Reads until `check` passes; after `timeoutMs`, fails with the last check's error. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check(await read());
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
