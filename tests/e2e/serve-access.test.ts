import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openLocalStore } from '../../lib/store/open-local-store';
import { startServeProcess, type ServeProcess } from '../../scripts/serve-process';
import { vsearch } from '../helpers/cli';
import { httpRequest, type HttpAnswer } from '../helpers/http-request';
import { makeServedLibrary, type ServedLibrary } from '../helpers/served-library';

/** Who `vsearch serve` answers: the Host, Origin, body type and token rules of lib/server/access.ts, over HTTP. */

jest.setTimeout(120_000);

let work: string;
let library: ServedLibrary;
const servers: ServeProcess[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-serve-access-'));
  library = await makeServedLibrary(work);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

async function serve(args: string[], env: NodeJS.ProcessEnv = { VSEARCH_TOKEN: '' }): Promise<ServeProcess> {
  const server = await startServeProcess([...args, '--model', library.model], env);
  servers.push(server);
  return server;
}

const SEARCH = JSON.stringify({ text: 'red', size: 1 });
const JSON_TYPE = { 'content-type': 'application/json' };
/** The routes that hold data: the API, a video and a thumbnail. */
const DATA_ROUTES = ['/videos', '/media/traffic', '/thumbnails/traffic/7000.jpg'];

const error = (answer: HttpAnswer) => (answer.json as { error: { code: string; message: string } }).error;
const corsHeaderNames = (answer: HttpAnswer) => Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));

describe('on 127.0.0.1 (the default), without a token', () => {
  let url: string;
  let port: string;

  beforeAll(async () => {
    ({ url } = await serve(['--data', library.data]));
    port = new URL(url).port;
  });

  test('a Host that does not name the server is refused with 403 on every route (DNS rebinding)', async () => {
    for (const route of ['/', ...DATA_ROUTES]) {
      const answer = await httpRequest(url + route, { headers: { host: `evil.example:${port}` } });
      expect(answer.status).toBe(403);
      expect(error(answer).code).toBe('host_not_allowed');
      expect(error(answer).message).toMatch(/Host "evil\.example:\d+" is refused.*DNS rebinding.*--allow-host/);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LocalHost']) {
      expect((await httpRequest(`${url}/videos`, { headers: { host } })).status).toBe(200);
    }
  });

  test('a request from another origin is refused with 403; its own page is answered; no CORS headers either way', async () => {
    const foreign = await httpRequest(`${url}/search`, { headers: { ...JSON_TYPE, origin: 'https://evil.example' }, body: SEARCH });
    expect(foreign.status).toBe(403);
    expect(error(foreign)).toMatchObject({ code: 'origin_not_allowed', message: expect.stringMatching(/"https:\/\/evil\.example".*--cors/) });
    const preflight = await httpRequest(`${url}/search`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    const own = await httpRequest(`${url}/search`, { headers: { ...JSON_TYPE, origin: url }, body: SEARCH });
    expect(own.status).toBe(200);
    for (const answer of [foreign, preflight, own]) expect(corsHeaderNames(answer)).toEqual([]);
  });

  test('a POST that is not JSON (text/plain, a form, no type), which any page can send unasked, is refused with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const answer = await httpRequest(`${url}/search`, { headers: type ? { 'content-type': type } : {}, body: SEARCH });
      expect(answer.status).toBe(415);
      expect(error(answer)).toMatchObject({ code: 'unsupported_media_type', message: expect.stringMatching(/application\/json/) });
    }
    const json = await httpRequest(`${url}/search`, { headers: { 'content-type': 'application/json; charset=utf-8' }, body: SEARCH });
    expect(json.status).toBe(200);
  });

  test("another site's <img> or <video> is refused with 403; following a link to a video is not", async () => {
    for (const route of DATA_ROUTES) {
      const embedded = await httpRequest(url + route, {
        headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
      });
      expect(embedded.status).toBe(403);
      expect(error(embedded).code).toBe('cross_site_request');
    }
    const followed = await httpRequest(`${url}/media/traffic`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', range: 'bytes=0-9' },
    });
    expect(followed.status).toBe(206);
  });
});

describe('on 0.0.0.0 without a token: it generates one, prints it and requires it', () => {
  let server: ServeProcess;
  let base: string;
  let port: string;
  let token: string;

  beforeAll(async () => {
    const data = path.join(work, 'data-open');
    await cp(library.data, data, { recursive: true });
    await addVideoWithoutFile(data, path.join(work, 'gone.mp4'));
    server = await serve(['--host', '0.0.0.0', '--data', data]);
    port = new URL(server.url).port;
    base = `http://127.0.0.1:${port}`;
    token = server.token ?? '';
  });

  test('without the token every data route is a 401 naming the rule; the page itself is served', async () => {
    expect(token).toMatch(/^[\w-]{32}$/);
    const answers = [
      ...(await Promise.all(DATA_ROUTES.map((route) => httpRequest(base + route)))),
      await httpRequest(`${base}/search`, { headers: JSON_TYPE, body: SEARCH }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(error(answer)).toMatchObject({ code: 'token_required', message: expect.stringMatching(/access token.*\?token=/) });
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
    const wrong = await httpRequest(`${base}/videos`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(error(wrong).code).toBe('token_invalid');
    expect(wrong.body.toString()).not.toContain('not-the-token-at-all');
    expect((await httpRequest(`${base}/`)).status).toBe(200);
  });

  test('with the token as a bearer header it answers under the printed address too, never under a foreign Host', async () => {
    const bearer = { authorization: `Bearer ${token}` };
    for (const host of [`127.0.0.1:${port}`, new URL(server.link ?? '').host]) {
      expect((await httpRequest(`${base}/videos`, { headers: { ...bearer, host } })).status).toBe(200);
    }
    expect((await httpRequest(`${base}/search`, { headers: { ...bearer, ...JSON_TYPE }, body: SEARCH })).status).toBe(200);
    const foreign = await httpRequest(`${base}/videos`, { headers: { ...bearer, host: `evil.example:${port}` } });
    expect(foreign.status).toBe(403);
    expect(error(foreign).code).toBe('host_not_allowed');
  });

  test('the page opened with ?token= sets the cookie and drops the token; the cookie opens videos (ranges) and thumbnails', async () => {
    const wrong = await httpRequest(`${base}/?token=not-the-token-at-all&q=red`);
    expect(wrong.status).toBe(401);
    expect(error(wrong).code).toBe('token_invalid');

    const login = await httpRequest(`${base}/?q=red&token=${token}&video=traffic`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/?q=red&video=traffic');
    expect(login.headers['set-cookie']).toEqual([`vsearch-token-${port}=${token}; HttpOnly; SameSite=Strict; Path=/`]);
    const cookie = { cookie: `other=1; vsearch-token-${port}=${token}` };
    expect((await httpRequest(`${base}/videos`, { headers: cookie })).status).toBe(200);
    const part = await httpRequest(`${base}/media/traffic`, { headers: { ...cookie, range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.body.length).toBe(100);
    const thumbnail = await httpRequest(`${base}/thumbnails/traffic/7000.jpg`, { headers: cookie });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/jpeg');
    // Cookies do not keep to a port: another server's cookie on this machine has another name.
    expect((await httpRequest(`${base}/videos`, { headers: { cookie: `vsearch-token-1=${token}` } })).status).toBe(401);
  });

  test('the token reaches no log, even in the query of a request that fails', async () => {
    const failed = await httpRequest(`${base}/media/ghost?token=${token}`, { headers: { authorization: `Bearer ${token}` } });
    expect(failed.status).toBe(500);
    const deadline = Date.now() + 5000;
    while (!server.stderr().includes('GET /media/ghost') && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    expect(server.stderr()).toContain('GET /media/ghost:');
    expect(server.stderr()).not.toContain(token);
  });
});

describe('on 127.0.0.1 with a token given (VSEARCH_TOKEN) and --cors', () => {
  const token = 'a-token-the-user-chose';
  const cors = 'http://127.0.0.1:9';
  let url: string;

  beforeAll(async () => {
    const server = await serve(['--data', library.data, '--cors', cors], { VSEARCH_TOKEN: token });
    // The link it prints says `?token=<token>`: a token that was given is never printed.
    expect(server.token).toBeUndefined();
    url = server.url;
  });

  test('the token is required', async () => {
    expect((await httpRequest(`${url}/videos`)).status).toBe(401);
    expect((await httpRequest(`${url}/videos`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  test('the --cors origin gets CORS headers on its preflight, its answers and its refusals; another origin gets none', async () => {
    const preflight = await httpRequest(`${url}/search`, {
      method: 'OPTIONS',
      headers: { origin: cors, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': cors, 'access-control-allow-headers': expect.stringContaining('authorization') });
    const answered = await httpRequest(`${url}/search`, { headers: { origin: cors, authorization: `Bearer ${token}`, ...JSON_TYPE }, body: SEARCH });
    expect(answered.status).toBe(200);
    expect(answered.headers).toMatchObject({ 'access-control-allow-origin': cors, vary: 'origin' });
    const refused = await httpRequest(`${url}/videos`, { headers: { origin: cors } });
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(cors);
    const other = await httpRequest(`${url}/search`, { headers: { origin: 'http://127.0.0.1:10', authorization: `Bearer ${token}`, ...JSON_TYPE }, body: SEARCH });
    expect(other.status).toBe(403);
    expect(corsHeaderNames(other)).toEqual([]);
  });

  test('a token, a --cors origin or an --allow-host that breaks the rules is a usage error', async () => {
    for (const [args, message] of [
      [['--token', 'too-short'], /--token.*at least 16/],
      [['--cors', 'https://example.com/'], /--cors must be an origin/],
      [['--cors', 'example.com'], /--cors must be an origin/],
      [['--allow-host', ' '], /--allow-host must name a host/],
    ] as const) {
      const result = await vsearch(['serve', ...args, '--data', library.data, '--model', library.model]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});

/** A READY catalog entry whose file is gone, so that serving it fails (a 500 and a log line). */
async function addVideoWithoutFile(data: string, source: string) {
  const store = await openLocalStore(data);
  try {
    const traffic = await store.catalog.get('traffic');
    if (!traffic) throw new Error('the library has no traffic video');
    await store.catalog.put({ ...traffic, id: 'ghost', title: 'ghost', source });
  } finally {
    store.close();
  }
}
