import path from 'node:path';
import { loadServedModel, type ServedModel } from '../../containers/embedder/model';
import { makeFixtureModel } from '../../scripts/make-fixture-model';

/**
 * The fixture CLIP model (scripts/make-fixture-model.ts) written to `<parent>/model` and loaded as the embedder
 * container loads its model: the embedder, the name its answers carry (`modelName`, default the directory), and the
 * text tower's token count.
 */
export async function fixtureServedModel(parent: string, modelName?: string): Promise<{ dir: string; served: ServedModel }> {
  const dir = path.join(parent, 'model');
  await makeFixtureModel(dir, 'clip');
  return { dir, served: await loadServedModel({ modelId: dir, modelName }) };
}
