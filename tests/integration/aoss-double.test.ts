import { Client, errors } from '@opensearch-project/opensearch';
import { framesIndexBody, transcriptsIndexBody } from '../../lib/store/opensearch-mapping';
import { startAossDouble, type AossDouble } from '../doubles/aoss-server';
import { DIM } from '../helpers/frame-fixtures';

/** What the double does on its own, where it stands for classic AOSS (the frame-index tests cover the rest). */

const INDEX = 'frames';

let double: AossDouble;
let client: Client;

beforeEach(async () => {
  double = await startAossDouble();
  client = new Client({ node: double.url });
  await client.indices.create({ index: INDEX, body: framesIndexBody(DIM) });
});

afterEach(async () => {
  await client.close();
  await double.close();
});

function frame(videoId: string, vector: number[] = [1, 0, 0, 0, 0, 0, 0, 0]) {
  return { video_id: videoId, run_id: 'r', frame: 0, attempt: 1, time: 0, embedding: vector, model: 'm', title: '', tags: [] };
}

/** The HTTP status of a failed call, and its OpenSearch error type. */
async function failure(call: Promise<unknown>): Promise<[number, string]> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof errors.ResponseError)) throw new Error(`expected an error response, got ${String(error)}`);
  return [error.statusCode, (error.body as { error?: { type?: string } }).error?.type ?? ''];
}

const count = async () => (await client.count({ index: INDEX })).body.count;

test('refuses what classic AOSS refuses, and flags it in the request log', async () => {
  const { body } = await client.bulk({ body: [{ index: { _index: INDEX, _id: 'mine' } }, frame('a')] });
  expect(body.items[0].index).toMatchObject({
    status: 400,
    error: { type: 'illegal_argument_exception', reason: 'Document ID is not supported in create/index operation request' },
  });
  expect(await failure(client.index({ index: INDEX, id: 'mine', body: frame('a') }))).toEqual([400, 'illegal_argument_exception']);
  expect(await failure(client.indices.refresh({ index: INDEX }))).toEqual([404, 'not_found']);
  expect(await failure(client.bulk({ body: [{ index: { _index: INDEX } }, frame('a')], refresh: true }))).toEqual([
    400,
    'illegal_argument_exception',
  ]);
  const everything = { query: { match_all: {} } };
  expect(await failure(client.deleteByQuery({ index: INDEX, body: everything }))).toEqual([404, 'not_found']);
  expect(await failure(client.updateByQuery({ index: INDEX, body: everything }))).toEqual([404, 'not_found']);
  expect(await failure(client.search({ index: INDEX, scroll: '1m', body: everything }))).toEqual([400, 'illegal_argument_exception']);
  expect(await failure(client.info())).toEqual([404, 'not_found']);
  expect(await failure(client.bulk({ index: INDEX, body: [{ index: {} }, frame('a')] }))).toEqual([405, 'not_verified']);

  const refused = double.requests.filter((request) => request.refused).map(({ method, path }) => `${method} ${path}`);
  expect(refused).toEqual([
    'POST /_bulk',
    `PUT /${INDEX}/_doc/mine`,
    `GET /${INDEX}/_refresh`,
    'POST /_bulk',
    `POST /${INDEX}/_delete_by_query`,
    `POST /${INDEX}/_update_by_query`,
    `POST /${INDEX}/_search`,
    'GET /',
    `PUT /${INDEX}/_bulk`,
  ]);
  expect(await count()).toBe(0);
});

test('assigns ids; writes and deletes become searchable after the visibility delay', async () => {
  double.setVisibilityDelay(60_000);
  const action = { index: { _index: INDEX } };
  const { body } = await client.bulk({ body: [action, frame('a'), action, frame('b')] });
  const [a, b] = body.items.map((item) => item.index!._id!);
  expect(a).not.toBe(b);
  expect(await count()).toBe(0);
  expect(double.docs(INDEX).map((doc) => doc.searchable)).toEqual([false, false]);
  double.makeVisible();
  expect(await count()).toBe(2);

  await client.delete({ index: INDEX, id: a });
  expect(double.docs(INDEX).map((doc) => doc.id)).toEqual([b]);
  expect(await count()).toBe(2);
  double.makeVisible();
  expect(await count()).toBe(1);
});

test('knn: exact inner products with the faiss score, the filter applied inside the k-NN search', async () => {
  const near = [1, 0, 0, 0, 0, 0, 0, 0];
  const far = [-0.6, 0.8, 0, 0, 0, 0, 0, 0];
  const action = { index: { _index: INDEX } };
  await client.bulk({ body: [...Array(5).fill([action, frame('near', near)]).flat(), action, frame('far', far)] });
  const knn = (filter?: object) => ({ embedding: { vector: near, k: 2, ...(filter && { filter }) } });
  const top = (await client.search({ index: INDEX, body: { query: { knn: knn() } } })).body.hits.hits;
  expect(top.map((hit) => [hit._source.video_id, hit._score])).toEqual([['near', 2], ['near', 2]]);

  const filter = { bool: { filter: [{ term: { video_id: 'far' } }] } };
  const filtered = (await client.search({ index: INDEX, body: { query: { knn: knn(filter) } } })).body.hits.hits;
  // ip = -0.6 scores 1 / (1 + 0.6).
  expect(filtered.map((hit) => [hit._source.video_id, hit._score])).toEqual([['far', Math.fround(1 / 1.6)]]);
  const narrow = { query: { knn: { embedding: { vector: [1, 0], k: 2 } } } };
  expect(await failure(client.search({ index: INDEX, body: narrow }))).toEqual([400, 'illegal_argument_exception']);
});

test('fault injection: whole-request 429/503, and chosen items', async () => {
  double.failNextBulk(1, 'throttle');
  double.failNextBulk(1, 'unavailable');
  double.failNextBulk(1, { itemStatus: 429, items: [1] });
  const body = [{ index: { _index: INDEX } }, frame('a'), { index: { _index: INDEX } }, frame('b')];
  expect(await failure(client.bulk({ body }, { maxRetries: 0 }))).toEqual([429, 'rejected_execution_exception']);
  expect(await failure(client.bulk({ body }, { maxRetries: 0 }))).toEqual([503, 'unavailable']);
  const { body: partial } = await client.bulk({ body });
  expect(partial.errors).toBe(true);
  expect(partial.items.map((item) => item.index!.status)).toEqual([201, 429]);
  expect(double.docs(INDEX).map((doc) => doc.source.video_id)).toEqual(['a']);
});

describe('cold mode: a NextGen collection group scaled to zero (first requests after 10 idle minutes wait 10–30 s)', () => {
  const action = { index: { _index: INDEX } };
  const write = () => client.bulk({ body: [action, frame('a')] }, { maxRetries: 0 });
  const read = () => client.search({ index: INDEX, body: { query: { match_all: {} } } }, { maxRetries: 0 });
  const timed = async (call: () => Promise<unknown>) => {
    const started = Date.now();
    await call();
    return Date.now() - started;
  };

  test('503: the first requests of each side are turned away, each side waking on its own requests', async () => {
    double.goCold({ mode: '503', requests: 2 });
    expect(await failure(read())).toEqual([503, 'service_unavailable']);
    // Indexing is cold on its own account: a read does not wake it.
    expect(await failure(write())).toEqual([503, 'service_unavailable']);
    expect(await failure(read())).toEqual([503, 'service_unavailable']);
    expect((await read()).body.hits.hits).toEqual([]);
    expect(await failure(write())).toEqual([503, 'service_unavailable']);
    expect((await write()).body.errors).toBe(false);
    expect(double.requests.slice(-6).map((request) => [request.status, request.cold])).toEqual([
      [503, '503'],
      [503, '503'],
      [503, '503'],
      [200, undefined],
      [503, '503'],
      [200, undefined],
    ]);
    // Nothing the cold collection turned away was applied.
    expect(double.docs(INDEX)).toHaveLength(1);
  });

  test('late: a side answers nothing until its wake ends, then every request that came meanwhile', async () => {
    double.goCold({ mode: 'late', delayMs: 1000 }, ['search']);
    const [first, second, writing] = await Promise.all([
      timed(read),
      new Promise((resolve) => setTimeout(resolve, 500)).then(() => timed(read)),
      timed(write),
    ]);
    expect(first).toBeGreaterThanOrEqual(990);
    // Came 500 ms into the wake: answered when it ended, not a whole wake after it came.
    expect(second).toBeGreaterThanOrEqual(400);
    expect(second).toBeLessThan(950);
    // Indexing was not cold, and search is warm now.
    expect(writing).toBeLessThan(950);
    expect(await timed(read)).toBeLessThan(950);
    expect(double.requests.slice(-4).map((request) => request.cold)).toEqual(['late', undefined, 'late', undefined]);
  });
});

test('match on a text field scores BM25 (rarer words and shorter fields score higher); filters score nothing', async () => {
  await client.indices.create({ index: 'said', body: transcriptsIndexBody() });
  const segment = (text: string, category: string) => ({
    video_id: 'v', run_id: 'r', segment: 0, attempt: 1, start: 0, end: 1, text, source: 'sidecar', title: '', category, tags: [],
  });
  const texts = ['good morning everyone', 'autonomous trucks drive at night', 'trucks', 'nothing here'];
  for (const text of texts) await client.index({ index: 'said', body: segment(text, text === 'trucks' ? 'news' : 'talk') });
  const search = async (query: object) =>
    (await client.search({ index: 'said', body: { query } })).body.hits.hits.map((hit) => [hit._source!.text, hit._score]);
  const ranked = await search({ match: { text: { query: 'autonomous trucks' } } });
  expect(ranked.map(([text]) => text)).toEqual(['autonomous trucks drive at night', 'trucks']);
  // Lucene's BM25 with N = 4 documents, avgdl = 11 / 4 words.
  const idf = (n: number) => Math.log(1 + (4 - n + 0.5) / (n + 0.5));
  const tf = (dl: number) => 1 / (1 + 1.2 * (0.25 + (0.75 * dl) / (11 / 4)));
  expect(ranked[0][1]).toBeCloseTo((idf(1) + idf(2)) * tf(5), 5);
  expect(ranked[1][1]).toBeCloseTo(idf(2) * tf(1), 5);
  const filtered = await search({ bool: { must: [{ match: { text: 'trucks' } }], filter: [{ term: { category: 'talk' } }] } });
  expect(filtered).toEqual([['autonomous trucks drive at night', Math.fround(idf(2) * tf(5))]]);
  expect((await search({ bool: { filter: [{ term: { category: 'news' } }] } }))[0][1]).toBe(0);
  // What changes what matches is refused, not guessed; a vector field has no words (OpenSearch refuses it too).
  expect(await failure(client.search({ index: 'said', body: { query: { match: { text: { query: 'x', fuzziness: 2 } } } } }))).toEqual([
    400,
    'not_emulated',
  ]);
  expect(await failure(client.search({ index: INDEX, body: { query: { match: { embedding: 'x' } } } }))).toEqual([400, 'query_shard_exception']);
});
