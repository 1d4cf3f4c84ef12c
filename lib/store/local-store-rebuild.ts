import { access, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CATALOG_TABLE } from './lance-catalog';
import { FRAMES_TABLE } from './lance-frame-index';
import { openLocalStore, type LocalStore } from './open-local-store';

/** The tables a rebuild replaces. */
const TABLES = [FRAMES_TABLE, CATALOG_TABLE];
const STAGING = '.repair';
const LOCK = '.repair.lock';

export interface StagedStore extends LocalStore {
  /**
   * Puts the staged tables in place of the data directory's, table by table: the old table is renamed aside first,
   * then the staged one is renamed in. An old table named in `damaged` stays aside (`<table>.lance.damaged-<time>`)
   * for the user to inspect and delete, and its path is returned; any other is deleted once its replacement is in
   * place. Builds the staged frames' vector index and closes the staged store first.
   */
  commit(damaged: ReadonlySet<string>): Promise<string[]>;
}

/**
 * A fresh, empty store in `<data>/.repair/`, for a rebuild: the data directory's tables stay as they are until the
 * rebuilt ones are complete (`commit`). What an interrupted rebuild left there is removed first, so a rebuild can
 * always be started again. The staged store has no raw embeddings of its own: use the data directory's.
 */
export async function openStagedStore(dataDir: string): Promise<StagedStore> {
  const dir = path.resolve(dataDir);
  const staging = path.join(dir, STAGING);
  await rm(staging, { recursive: true, force: true });
  // Its vector index is built once, when complete.
  const store = await openLocalStore(staging, { deferVectorIndex: true });
  return {
    ...store,
    async commit(damaged) {
      await store.updateVectorIndex();
      store.close();
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const keptAside: string[] = [];
      for (const table of TABLES) {
        const live = path.join(dir, `${table}.lance`);
        const staged = path.join(staging, `${table}.lance`);
        const aside = `${live}.${damaged.has(table) ? 'damaged' : 'replaced'}-${stamp}`;
        const hadLive = await exists(live);
        if (hadLive) await rename(live, aside);
        if (await exists(staged)) await rename(staged, live);
        if (hadLive && damaged.has(table)) keptAside.push(aside);
        else if (hadLive) await rm(aside, { recursive: true, force: true });
      }
      await rm(staging, { recursive: true, force: true });
      return keptAside;
    },
  };
}

/**
 * Claims the data directory for one rebuild at a time (`<data>/.repair.lock`, holding the process id): a second one
 * would remove the first one's staged tables. A lock whose process is gone (an interrupted rebuild) is taken over.
 * Other commands do not take it: do not index while repairing. Returns the release.
 */
export async function lockForRebuild(dataDir: string): Promise<() => Promise<void>> {
  const lock = path.join(path.resolve(dataDir), LOCK);
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
      throw new Error(`another vsearch repair (process ${holder}) is working on ${path.dirname(lock)}: wait for it to finish`);
    }
    await rm(lock, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
