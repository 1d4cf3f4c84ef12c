import { pathToFileURL } from 'node:url';
import { decodeFrameEmbeddings } from '../../../lib/frame-embeddings-format';
import type { BenchCase } from '../bench-case';
import { peakRssMiBOf } from '../child';
import { startEmbedderServer } from '../embedder-server';
import { entry } from '../entry';
import { fixtureModelDir } from '../fixture';
import { benchVideo, indexingVideo } from '../videos';

/**
 * Issue #3's measurement of the container's video job: the embedder server (containers/embedder, started as
 * `npm run embedder` starts it, with the fixture model) answers one job manifest for a generated 720p video — probe,
 * decode at 1 fps, embed, encode the answer. Frames embedded per second and × real time of the request as the client
 * sees it, and the server process's peak RSS (model loading included).
 */
export const containerJobCase: BenchCase = {
  name: 'container-job',
  async run(ctx) {
    const spec = indexingVideo(ctx.smoke);
    const video = await benchVideo(ctx.tmpDir, spec);
    const server = await startEmbedderServer(await fixtureModelDir(ctx.tmpDir));
    try {
      const started = performance.now();
      const answer = await fetch(`${server.url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ videoId: 'bench', video: pathToFileURL(video).href, fps: 1 }),
      });
      const body = new Uint8Array(await answer.arrayBuffer());
      const seconds = (performance.now() - started) / 1000;
      if (answer.status !== 200) throw new Error(`the video job answered ${answer.status}: ${Buffer.from(body).toString()}`);
      const { header, frames } = decodeFrameEmbeddings(body);
      const peakRssMiB = peakRssMiBOf(server.pid);
      const label = `container video job, ${spec.height}p ${spec.durationSec} s → ${frames.length} frames at 1 fps (fixture model)`;
      return [
        entry({ name: `${label}: throughput`, value: frames.length / seconds, unit: 'frames/s' }),
        entry({ name: `${label}: speed`, value: header.durationSec / seconds, unit: '× real time' }),
        entry({ name: `${label}: server peak RSS`, value: peakRssMiB, unit: 'MiB' }),
      ];
    } finally {
      await server.stop();
    }
  },
};
