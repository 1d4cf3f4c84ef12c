import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchEntry } from './entry';

export interface CaseResult {
  case: string;
  seconds: number;
  entries: BenchEntry[];
}

export interface Skipped {
  case: string;
  what: string;
  reason: string;
}

/** bench/results.json */
export interface BenchResults {
  date: string;
  smoke: boolean;
  machine: string;
  /** 1-minute load average when the run started and ended: how busy the machine was with other work. */
  load: { start: number; end: number };
  seconds: number;
  entries: (BenchEntry & { case: string })[];
  skipped: Skipped[];
}

export function collect(cases: CaseResult[], skipped: Skipped[], options: { smoke: boolean; seconds: number; startLoad: number }): BenchResults {
  const { smoke, seconds, startLoad } = options;
  return {
    date: new Date().toISOString(),
    smoke,
    machine: machine(),
    load: { start: round2(startLoad), end: round2(os.loadavg()[0]) },
    seconds: Math.round(seconds),
    entries: cases.flatMap((c) => c.entries.map((e) => ({ case: c.case, ...e }))),
    skipped,
  };
}

/** CPU, cores, memory, Node and ffmpeg versions: what the numbers depend on. */
function machine(): string {
  const cpus = os.cpus();
  const ffmpeg = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0].split(' ').slice(0, 3).join(' ');
  const memGiB = Math.round(os.totalmem() / 2 ** 30);
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${memGiB} GiB, Node ${process.version}, ${ffmpeg}`;
}

/** The results as the markdown table README's "Performance" section shows. */
export function markdown(results: BenchResults): string {
  const rows = results.entries.map((e) =>
    [e.case, e.name, value(e.value, e.unit), e.baseline === undefined ? '' : value(e.baseline, e.unit), ratio(e.ratio, e.unit), e.target ?? '', e.pass ? 'pass' : '**FAIL**', e.note ?? '']
      .map((cell) => cell.replace(/\|/g, '\\|'))
      .join(' | '),
  );
  const passed = results.entries.filter((e) => e.pass).length;
  const lines = [
    `${passed} of ${results.entries.length} entries pass — ${results.date.slice(0, 10)}, ${results.seconds} s, ${results.machine}, ` +
      `load average ${results.load.start} → ${results.load.end}${results.smoke ? ' (smoke run: tiny sizes, numbers mean nothing)' : ''}`,
    '',
    '| case | measure | value | baseline | ratio | target | pass | note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    ...(results.skipped.length === 0 ? [] : ['', ...results.skipped.map((s) => `Skipped: ${s.case} — ${s.what}: ${s.reason}`)]),
  ];
  return lines.join('\n') + '\n';
}

export async function writeResults(outDir: string, results: BenchResults): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await writeFile(path.join(outDir, 'results.md'), markdown(results));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function value(x: number | null, unit: string): string {
  return x === null ? '—' : `${x} ${unit}`.trim();
}

/** A small ratio of times is a speed-up, shown as such too. */
function ratio(r: number | undefined, unit: string): string {
  if (r === undefined) return '';
  return (unit === 'ms' || unit === 's') && r > 0 && r < 0.5 ? `${r} (${Math.round(1 / r)}× faster)` : String(r);
}
