import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/** The search page: plain files, served as they are here and from S3 in the AWS deployment. */
const WEB_ROOT = path.resolve(__dirname, '../web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

/**
 * The page file a URL path names (`/` is index.html), or undefined: only regular files inside the page's folder
 * with one of the types above, whatever `..` or encoded separators the path holds.
 */
export async function webFile(pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return undefined;
  }
  const file = path.resolve(WEB_ROOT, `.${path.posix.normalize(decoded)}`);
  if (decoded.includes('\0') || !file.startsWith(WEB_ROOT + path.sep) || !TYPES[path.extname(file)]) return undefined;
  return (await stat(file).catch(() => undefined))?.isFile() ? file : undefined;
}

/** Sends a whole file (GET) or just its headers (HEAD); browsers revalidate each time, so an edited page shows at once. */
export async function sendFile(file: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { size } = await stat(file);
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': String(size),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
