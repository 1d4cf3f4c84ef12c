/**
 * `npm run bench [-- --only decode,smoothing] [--smoke] [--out DIR]`: runs every case (each against its baseline in the
 * same run), prints the markdown table, and writes DIR/results.json and DIR/results.md (DIR: `bench`, or
 * `bench/tmp/smoke` for --smoke). Generated videos and datasets are cached in DIR/tmp for later runs.
 * Exit code 0 when every case ran (missed targets are results, marked in the table), 1 when a case crashed, 2 on
 * wrong usage.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchCase } from './bench-case';
import { CASES } from './cases';
import { type BenchEntry, failedEntry } from './entry';
import { type CaseResult, collect, markdown, type Skipped, writeResults } from './report';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, smoke: { type: 'boolean', default: false }, out: { type: 'string' } },
  });
  const selected = selectCases(values.only);
  if (!selected) return 2;
  const smoke = values.smoke;
  const outDir = path.resolve(values.out ?? (smoke ? 'bench/tmp/smoke' : 'bench'));
  const tmpDir = path.join(outDir, 'tmp');
  const log = (message: string) => console.error(message);

  const started = performance.now();
  const startLoad = os.loadavg()[0];
  const results: CaseResult[] = [];
  const skipped: Skipped[] = [];
  for (const benchCase of selected) {
    log(`▶ ${benchCase.name}`);
    const caseStarted = performance.now();
    const ctx = {
      smoke,
      tmpDir,
      log: (message: string) => log(`  ${message}`),
      skip: (what: string, reason: string) => skipped.push({ case: benchCase.name, what, reason }),
    };
    let entries: BenchEntry[];
    try {
      entries = await benchCase.run(ctx);
    } catch (error) {
      entries = [failedEntry(benchCase.name, error)];
    }
    const seconds = (performance.now() - caseStarted) / 1000;
    log(`  done in ${seconds.toFixed(1)} s`);
    results.push({ case: benchCase.name, seconds, entries });
  }

  const report = collect(results, skipped, { smoke, seconds: (performance.now() - started) / 1000, startLoad });
  await writeResults(outDir, report);
  console.log(markdown(report));
  console.log(`wrote ${path.join(outDir, 'results.json')} and results.md`);
  return report.entries.some((e) => e.value === null) ? 1 : 0;
}

/** The cases `--only` names (all without it); undefined after printing the names when one is unknown. */
function selectCases(only: string | undefined): readonly BenchCase[] | undefined {
  if (only === undefined) return CASES;
  const names = only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !CASES.some((c) => c.name === name));
  if (unknown.length > 0) {
    console.error(`unknown case ${unknown.join(', ')}; cases: ${CASES.map((c) => c.name).join(', ')}`);
    return undefined;
  }
  return CASES.filter((c) => names.includes(c.name));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
