import type { ClipView } from '../../lib/api/search-api';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Route } from 'playwright-core';
import { REPO_ROOT } from '../helpers/cli';

/**
 * The search page meeting an index that is waking up: the AWS deployment's collection scales to zero after 10 idle
 * minutes, and the first search after that may be a 503 `index_waking` with Retry-After. Local mode has no such
 * store, so the browser's own requests are answered here (playwright's `page.route`), the page's files from lib/web.
 */
const CHROMIUM = '/usr/bin/chromium';
const ORIGIN = 'http://vsearch.test';
const WEB = path.join(REPO_ROOT, 'lib/web');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

const runnable = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runnable) console.warn(`web-waking.test.ts skipped: no ${CHROMIUM} (apt-get install chromium; CI installs it and fails without it)`);

/** A clip as POST /search answers it: typed as the API's, so a field the API gains cannot be missing here. */
const CLIP: ClipView = {
  ...{ videoId: 'sky', title: 'sky', tags: [], start: 0, end: 5, bestTime: 2, score: 0.31, hits: 5, playbackUrl: '/media/sky' },
  ...{ duplicates: [], matchedBy: ['visual'], transcript: [] },
};
const WAKING = { error: { code: 'index_waking', message: 'the index is waking up after a quiet spell, or briefly unavailable; retry shortly' } };

(runnable ? describe : describe.skip)('the search page while the index wakes up', () => {
  jest.setTimeout(60_000);

  let work: string;
  let browser: BrowserContext;
  let page: Page;
  /** When each `POST /search` came, and what the next ones answer (the last answer repeats). */
  let searches: number[];
  let answers: { status: number; body: unknown }[];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium`);
    work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-web-waking-'));
    browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.route(`${ORIGIN}/**`, (route) => answer(route));
  });

  afterAll(async () => {
    await browser?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    searches = [];
  });

  async function answer(route: Route): Promise<void> {
    const { pathname } = new URL(route.request().url());
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      route.fulfill({ status, contentType: 'application/json', headers, body: JSON.stringify(body) });
    if (pathname === '/search') {
      searches.push(Date.now());
      const next = answers.length > 1 ? answers.shift()! : answers[0];
      return json(next.status, next.body, next.status === 503 ? { 'retry-after': '1' } : {});
    }
    if (pathname === '/videos') return json(200, { videos: [] });
    if (pathname === '/timeline') return json(200, { videoId: 'sky', times: [0, 1, 2], scores: [0.2, 0.31, 0.25] });
    if (pathname === '/config.json') return json(404, {});
    const file = path.join(WEB, pathname === '/' ? 'index.html' : path.basename(pathname));
    const body = await readFile(file).catch(() => undefined);
    return body ? route.fulfill({ status: 200, contentType: TYPES[path.extname(file)], body }) : route.fulfill({ status: 404 });
  }

  async function searchFor(text: string): Promise<void> {
    await page.goto(ORIGIN);
    await page.getByLabel('Describe the moment').fill(text);
    await page.keyboard.press('Enter');
  }

  test('a 503 index_waking says the index is waking up, then searches again after Retry-After', async () => {
    answers = [{ status: 503, body: WAKING }, { status: 200, body: { clips: [CLIP] } }];
    await searchFor('blue sky');
    await page.getByText('The index is waking up… searching again in 1 s.').waitFor();
    await page.getByText('1 clip found.').waitFor();
    expect(await page.locator('#clips .clip-title').allTextContents()).toEqual(['sky']);
    expect(searches).toHaveLength(2);
    expect(searches[1] - searches[0]).toBeGreaterThanOrEqual(1000);
  });

  test('it retries once: still waking, the search fails with the server\'s message', async () => {
    answers = [{ status: 503, body: WAKING }];
    await searchFor('blue sky');
    await page.getByText(`Search failed: ${WAKING.error.message}`).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(searches).toHaveLength(2);
  });
});
