import path from 'node:path';
import { COMMON_OPTIONS, dataDirOf, numberOption, parseCommand } from './options';
import { UsageError } from './usage-error';
import { loadEmbedder, openLocal } from './local-context';
import { LocalQueryEncoder } from '../embedder/local-query-encoder';
import { startLocalServer } from '../server/local-server';
import { assertDecoderTools } from '../decoder/ffmpeg-check';

const OPTIONS = { ...COMMON_OPTIONS, port: { type: 'string' }, host: { type: 'string' } } as const;

/** `vsearch serve`: the search API (and the search page) on 127.0.0.1 until interrupted. */
export async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (see vsearch --help)`);
  const port = numberOption('port', values.port, { min: 0, max: 65535, integer: true }) ?? 8080;
  // Thumbnails and image queries go through ffmpeg.
  await assertDecoderTools(['ffmpeg']);
  const embedder = await loadEmbedder(values);
  const store = await openLocal(values);
  const server = await startLocalServer(
    { encoder: new LocalQueryEncoder(embedder), catalog: store.catalog, frames: store.frames, rawEmbeddings: store.raw },
    { thumbnailDir: path.join(dataDirOf(values), 'thumbnails'), port, host: values.host ?? '127.0.0.1' },
  );
  console.log(`vsearch serving on ${server.url} (search page at /; POST /search, POST /timeline, GET /videos, GET /videos/{id}); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await server.close();
  store.close();
  return 0;
}
