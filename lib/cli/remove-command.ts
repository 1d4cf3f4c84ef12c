import { COMMON_OPTIONS, parseCommand } from './options';
import { UsageError } from './usage-error';
import { openLocal } from './local-context';

/** `vsearch remove <id>`: the video's frames, its transcript and its catalog entry; an unknown id is an error. */
export async function removeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, COMMON_OPTIONS);
  if (positionals.length !== 1) throw new UsageError('give exactly one video id. Usage: vsearch remove <id> [--data DIR]');
  const [id] = positionals;
  const store = await openLocal(values);
  try {
    if (!(await store.catalog.get(id))) throw new UsageError(`no video with id "${id}" (see vsearch videos)`);
    await store.frames.removeVideo(id);
    await store.transcripts.removeVideo(id);
    await store.raw.remove(id);
    await store.catalog.remove(id);
  } finally {
    store.close();
  }
  if (values.json) console.log(JSON.stringify({ removed: id }));
  else console.log(`removed ${id}`);
  return 0;
}
