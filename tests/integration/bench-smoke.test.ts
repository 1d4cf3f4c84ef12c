import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CASES } from '../../scripts/bench/cases';
import type { BenchResults } from '../../scripts/bench/report';
import { REPO_ROOT } from '../helpers/cli';

jest.setTimeout(120_000);

/** `npm run bench -- --smoke --out DIR`, as a user runs it (tiny sizes: checks the harness, not the numbers). */
function runSmokeBench(outDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = ['--require', require.resolve('tsx/cjs'), path.join(REPO_ROOT, 'scripts/bench/run.ts'), '--smoke', '--out', outDir];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: REPO_ROOT, env: { ...process.env, BENCH_MODEL: '', BENCH_DEVICE: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run bench --smoke', () => {
  let out: string;
  let run: Awaited<ReturnType<typeof runSmokeBench>>;
  let results: BenchResults;

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'bench-smoke-'));
    run = await runSmokeBench(out);
    results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as BenchResults;
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('runs every case to the end', () => {
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(results.smoke).toBe(true);
    // A case that crashes leaves one entry with a null value and its error as the note.
    expect(results.entries.filter((e) => e.value === null)).toEqual([]);
    expect(new Set(results.entries.map((e) => e.case))).toEqual(new Set(CASES.map((c) => c.name)));
  });

  it('writes one well-formed entry per measurement, each with a boolean pass', () => {
    for (const e of results.entries) {
      expect(e).toEqual(
        expect.objectContaining({ case: expect.any(String), name: expect.any(String), value: expect.any(Number), unit: expect.any(String) }),
      );
      expect(typeof e.pass).toBe('boolean');
      for (const key of ['baseline', 'ratio'] as const) if (key in e) expect(typeof e[key]).toBe('number');
      if ('target' in e) expect(typeof e.target).toBe('string');
      expect(Object.keys(e).every((key) => ['case', 'name', 'value', 'unit', 'baseline', 'ratio', 'target', 'pass', 'note'].includes(key))).toBe(true);
    }
  });

  it('says what it skipped and why', () => {
    expect(results.skipped).toEqual([
      expect.objectContaining({ case: 'embedder', reason: expect.stringMatching(/BENCH_MODEL/) }),
      expect.objectContaining({ case: 'real-model-embed', reason: expect.stringMatching(/BENCH_DEVICE.*gpu\.sh/) }),
    ]);
  });

  it('prints the markdown table and writes it next to the JSON', async () => {
    const table = await readFile(path.join(out, 'results.md'), 'utf8');
    expect(table).toContain('| case | measure | value | baseline | ratio | target | pass | note |');
    expect(table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| case') && !line.startsWith('| ---'))).toHaveLength(
      results.entries.length,
    );
    expect(run.stdout).toContain(table.trim());
  });
});
