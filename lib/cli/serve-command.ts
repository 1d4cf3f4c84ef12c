import path from 'node:path';
import { COMMON_OPTIONS, dataDirOf, numberOption, parseCommand } from './options';
import { UsageError } from './usage-error';
import { loadEmbedder, openLocal } from './local-context';
import { LocalQueryEncoder } from '../embedder/local-query-encoder';
import { TOKEN_FORMAT } from '../server/access-token';
import { hostName } from '../server/host-names';
import { startLocalServer } from '../server/local-server';
import { assertDecoderTools } from '../decoder/ffmpeg-check';

const OPTIONS = {
  ...COMMON_OPTIONS,
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  cors: { type: 'string' },
} as const;

/** `vsearch serve`: the search API (and the search page) on 127.0.0.1 until interrupted. */
export async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (see vsearch --help)`);
  const port = numberOption('port', values.port, { min: 0, max: 65535, integer: true }) ?? 8080;
  const given = values.token ?? (process.env.VSEARCH_TOKEN || undefined);
  if (given !== undefined && !TOKEN_FORMAT.test(given)) {
    throw new UsageError('--token (or VSEARCH_TOKEN) must be at least 16 characters of A-Z, a-z, 0-9, ".", "_", "~" and "-"');
  }
  const cors = values.cors === undefined ? undefined : corsOrigin(values.cors);
  if (values['allow-host']?.some((host) => hostName(host) === '')) throw new UsageError('--allow-host must name a host');
  // Thumbnails and image queries go through ffmpeg.
  await assertDecoderTools(['ffmpeg']);
  const embedder = await loadEmbedder(values, 'queries');
  const store = await openLocal(values);
  const server = await startLocalServer(
    { encoder: new LocalQueryEncoder(embedder), catalog: store.catalog, frames: store.frames, transcripts: store.transcripts, rawEmbeddings: store.raw },
    {
      thumbnailDir: path.join(dataDirOf(values), 'thumbnails'),
      port,
      host: values.host ?? '127.0.0.1',
      token: given,
      allowHosts: values['allow-host'],
      cors,
    },
  );
  // The token is printed once, here, when it was generated; one that was given is never printed.
  if (server.token) {
    const link = `${server.pageUrl}?token=${given ? '<token>' : server.token}`;
    console.log(`every API, media and thumbnail request needs the access token${given ? ' given' : ''}: open ${link}`);
  }
  console.log(`vsearch serving on ${server.url} (search page at /; POST /search, POST /timeline, GET /videos, GET /videos/{id}); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await server.close();
  store.close();
  return 0;
}

/** --cors takes an origin as browsers send it: scheme, host and port, nothing after. */
function corsOrigin(raw: string): string {
  const origin = URL.canParse(raw) ? new URL(raw).origin : 'null';
  if (origin !== raw || !/^https?:/.test(origin)) {
    throw new UsageError(`--cors must be an origin such as https://example.com:8443 (no path, no trailing slash), got "${raw}"`);
  }
  return origin;
}
