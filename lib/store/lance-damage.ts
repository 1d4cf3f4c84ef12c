import type { Dirent } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreDamagedError } from './errors';

/**
 * How a damaged local store is recognised, without reading it through LanceDB: a read of a damaged file can panic
 * inside the engine, and the engine prints its panic on stderr whatever the caller then does with the error.
 *
 * A table directory (`<data>/<table>.lance`) is damaged when
 * - it has no version manifest (`_versions/*.manifest`): the table cannot be opened at all;
 * - its newest manifest is older than the version `_versions/latest_version_hint.json` names: the engine would
 *   silently open the older version, without the frames or records of the lost commit (a deleted or lost manifest);
 * - a file of its format does not end as that format does: the engine's files (data, indices, manifests) end with
 *   the magic "LANC", its deletion files (`.arrow`) with "ARROW1". A file cut short (a bad copy, a full disk during a
 *   copy) loses its end first. The engine writes each file under another name and renames it when complete, so a
 *   write it did not finish leaves no such file.
 * A table whose directory does not exist is not damaged: it has not been written yet (nor is one whose first manifest
 * appears within a second: another process is creating it). Anything the checks miss and
 * the engine then fails on is turned into the same error where the store is used (`guardStore`).
 */

const LANCE_MAGIC = 'LANC';
const ARROW_MAGIC = 'ARROW1';
/** The folders whose files a table's versions refer to, and the magic each kind of file ends with. */
const ENDINGS: Record<string, string> = { '.lance': LANCE_MAGIC, '.idx': LANCE_MAGIC, '.manifest': LANCE_MAGIC, '.arrow': ARROW_MAGIC };
const CHECKED_FOLDERS = ['data', '_indices', '_deletions', '_versions'];
/** How long a table directory without a manifest may still be being created (its first commit takes milliseconds). */
const CREATION_MS = 1_000;
const CREATION_POLL_MS = 50;
/** Files checked at once. */
const CONCURRENCY = 32;

/** What is wrong with a table directory, in words, or undefined when nothing is. */
export async function tableDamage(dataDir: string, table: string): Promise<string | undefined> {
  const dir = path.join(dataDir, `${table}.lance`);
  if (!(await entries(dir))) return undefined;
  // The hint first: the engine writes a version's manifest before the hint naming it, so the manifests listed after
  // it include the one it names, however many commits another process makes meanwhile.
  const hinted = await hintedVersion(path.join(dir, '_versions', 'latest_version_hint.json'));
  const manifests = await manifestsOf(dir);
  if (manifests.length === 0) return 'no version manifest in _versions/';
  const newest = Math.max(...manifests.map((entry) => manifestVersion(entry.name)));
  if (hinted !== undefined && hinted > newest) return `the manifest of its version ${hinted} is missing, the newest left is ${newest}`;
  const files = (await Promise.all(CHECKED_FOLDERS.map((folder) => filesUnder(path.join(dir, folder))))).flat();
  for (let i = 0; i < files.length; i += CONCURRENCY) {
    const bad = (await Promise.all(files.slice(i, i + CONCURRENCY).map(cutShort))).find((file) => file !== undefined);
    if (bad) return `${path.relative(dir, bad)} is truncated or not a complete file`;
  }
  return undefined;
}

/**
 * The table's manifest files. A table being created (by another process, say) has its directory a moment before its
 * first manifest: none yet is looked for again for up to CREATION_MS before it counts as none.
 */
async function manifestsOf(dir: string): Promise<Dirent[]> {
  for (let waited = 0; ; waited += CREATION_POLL_MS) {
    const manifests = ((await entries(path.join(dir, '_versions'))) ?? []).filter((entry) => entry.isFile() && entry.name.endsWith('.manifest'));
    if (manifests.length > 0 || waited >= CREATION_MS) return manifests;
    await sleep(CREATION_POLL_MS);
  }
}

/** The first damaged table of `tables` in `dataDir`, as the error to report; undefined when all are intact. */
export async function findDamage(dataDir: string, tables: readonly string[]): Promise<StoreDamagedError | undefined> {
  for (const table of tables) {
    const problem = await tableDamage(dataDir, table);
    if (problem) return new StoreDamagedError(table, dataDir, problem);
  }
  return undefined;
}

/**
 * Errors of the storage engine that are not about the files: a full or read-only disk, missing permissions, a
 * concurrent writer's commit. They reach the user as they are.
 */
const NOT_DAMAGE = /no space left|read-only file system|permission denied|too many open files|conflict/i;

/**
 * `target` with every method's failure inside the storage engine reported as `StoreDamagedError` on `table`: the
 * engine's errors carry napi's code `GenericFailure` (its panics too, as "Panic in async function"); the errors of
 * our own code (a model mismatch, a bad argument) and those `NOT_DAMAGE` names pass unchanged.
 */
export function guardStore<T extends object>(target: T, table: string, dataDir: string): T {
  const damaged = (error: unknown): unknown => {
    if (!(error instanceof Error) || (error as { code?: unknown }).code !== 'GenericFailure' || NOT_DAMAGE.test(error.message)) {
      return error;
    }
    return new StoreDamagedError(table, dataDir, `the storage engine failed: ${firstLine(error.message)}`);
  };
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = value.apply(object, args);
          return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(damaged(error))) : result;
        } catch (error) {
          throw damaged(error);
        }
      };
    },
  });
}

/** The engine's messages chain their causes on one line ("… Caused by: …"): the first part says enough. */
function firstLine(message: string): string {
  const [first] = message.split(/\n|\s+Caused by:/);
  return first.length > 200 ? `${first.slice(0, 200)}…` : first;
}

/** The version a manifest file holds: `<version>.manifest`, or (newer naming, which sorts newest first) u64 max − version. */
function manifestVersion(name: string): number {
  const n = BigInt(name.slice(0, -'.manifest'.length));
  return Number(n >= 1n << 63n ? (1n << 64n) - 1n - n : n);
}

async function hintedVersion(file: string): Promise<number | undefined> {
  try {
    const { version } = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown };
    return typeof version === 'number' ? version : undefined;
  } catch {
    return undefined; // only a hint: the engine writes it after each commit, and does without it
  }
}

/** `file` when it is of a kind ENDINGS knows and does not end with its magic. */
async function cutShort(file: string): Promise<string | undefined> {
  const magic = ENDINGS[path.extname(file)];
  if (!magic) return undefined;
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size < magic.length) return file;
    const tail = Buffer.alloc(magic.length);
    await handle.read(tail, 0, magic.length, size - magic.length);
    return tail.toString('latin1') === magic ? undefined : file;
  } finally {
    await handle.close();
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const found = await entries(dir);
  if (!found) return [];
  const nested = await Promise.all(
    found.map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(full) : Promise.resolve(entry.isFile() ? [full] : []);
    }),
  );
  return nested.flat();
}

/** The directory's entries, or undefined when it does not exist. */
async function entries(dir: string): Promise<Dirent[] | undefined> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}
