import path from 'node:path';
import { makeFixtureModel } from '../make-fixture-model';

/** The tests' tiny CLIP-layout model, written afresh (it takes milliseconds) into the bench directory; its directory. */
export async function fixtureModelDir(tmpDir: string): Promise<string> {
  const dir = path.join(tmpDir, 'fixture-clip');
  await makeFixtureModel(dir, 'clip');
  return dir;
}
