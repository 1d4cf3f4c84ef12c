import path from 'node:path';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { makeColourVideo } from '../../lib/sample-videos';
import { vsearch } from './cli';

export interface ServedLibrary {
  model: string;
  data: string;
  trafficFile: string;
}

/**
 * The library the `vsearch serve` tests search, indexed in `<work>/data` by the real CLI with the fixture model:
 * traffic (red, yellow, green, 5 s each; category street) and sky (blue 6 s, white 4 s; category nature).
 */
export async function makeServedLibrary(work: string): Promise<ServedLibrary> {
  const model = path.join(work, 'model');
  const data = path.join(work, 'data');
  await makeFixtureModel(model, 'clip');
  const trafficFile = path.join(work, 'traffic.mp4');
  await makeColourVideo(trafficFile, [
    { colour: 'red', durationSec: 5 },
    { colour: 'yellow', durationSec: 5 },
    { colour: 'green', durationSec: 5 },
  ]);
  const sky = path.join(work, 'sky.mp4');
  await makeColourVideo(sky, [
    { colour: 'blue', durationSec: 6 },
    { colour: 'white', durationSec: 4 },
  ]);
  for (const [file, category] of [[trafficFile, 'street'], [sky, 'nature']]) {
    // Silent videos: without --asr none each would report that speech recognition had no audio track to hear.
    const indexed = await vsearch(['index', file, '--category', category, '--data', data, '--model', model, '--asr', 'none']);
    if (indexed.stderr !== '') throw new Error(`vsearch index ${file}: ${indexed.stderr}`);
  }
  return { model, data, trafficFile };
}
