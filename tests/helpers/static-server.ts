import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves the files of `dir` on 127.0.0.1 (random port) with single byte-range support, as a CDN or S3 would, so
 * ffmpeg can seek in them; `/redirect/<name>` answers 302 to `/<name>`. Each request waits for `hold()` first when
 * given (to keep a reader busy for as long as a test needs).
 */
export async function startStaticServer(dir: string, hold?: () => Promise<void>): Promise<StaticServer> {
  const server = createServer(async (req, res) => {
    await hold?.();
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname.slice(1));
    if (name.startsWith('redirect/')) {
      res.writeHead(302, { Location: `/${name.slice('redirect/'.length)}` }).end();
      return;
    }
    const file = path.join(dir, path.basename(name));
    const size = await stat(file).then((s) => s.size, () => undefined);
    if (size === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(range ? 206 : 200, {
      'Accept-Ranges': 'bytes',
      'Content-Length': end - start + 1,
      'Content-Type': 'video/mp4',
      ...(range && { 'Content-Range': `bytes ${start}-${end}/${size}` }),
    });
    createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
