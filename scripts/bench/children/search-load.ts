/**
 * Bench child: the load generator of the search-service case, in a process of its own so the server's event loop
 * is not shared with the client's. Sends `POST /search` requests to 127.0.0.1 with `concurrency` in flight until
 * `count` are done or `limitSec` has passed, whichever comes first (bounded in count and time).
 *   search-load.ts URL CONCURRENCY COUNT LIMIT_SEC   →   {"latenciesMs":[…],"errors","seconds"}
 */
import { childMain, reportFromChild } from '../child';

const QUERIES = ['a red screen', 'green grass', 'a blue sky', 'yellow', 'white clouds', 'black night', 'magenta flash'];

childMain(async () => {
  const [url, concurrency, count, limitSec] = process.argv.slice(2);
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`the load goes to 127.0.0.1 only, not ${url}`);
  const deadline = performance.now() + Number(limitSec) * 1000;
  const latenciesMs: number[] = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < Number(count) && performance.now() < deadline) {
      const body = JSON.stringify({ text: QUERIES[sent++ % QUERIES.length], size: 10 });
      const begin = performance.now();
      try {
        const response = await fetch(`${url}/search`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        await response.arrayBuffer();
        if (response.status === 200) latenciesMs.push(performance.now() - begin);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, worker));
  reportFromChild({ latenciesMs, errors, seconds: (performance.now() - started) / 1000 });
});
