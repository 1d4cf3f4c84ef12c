/** What every bench case produces, and how a measurement is checked against its target. */

/** One measured number. `ratio` is always value / baseline (so below 1 means faster than the baseline, for times). */
export interface BenchEntry {
  name: string;
  /** null only when the case failed before it could measure (then `note` holds the error). */
  value: number | null;
  unit: string;
  baseline?: number;
  ratio?: number;
  /** The target as text, e.g. "ratio ≤ 1.10" or "≤ 50 ms". */
  target?: string;
  /** The target is met; an entry without a target passes once it is measured. */
  pass: boolean;
  note?: string;
}

/** A bound on the value or on the ratio. */
export interface Target {
  of: 'value' | 'ratio';
  max?: number;
  min?: number;
  /** Shown after the bound, e.g. "≥ 50× faster" for "ratio ≤ 0.02". */
  says?: string;
}

export interface Measurement {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  target?: Target;
  note?: string;
}

/** The entry for a measurement: the ratio computed from the baseline, the target checked and written out. */
export function entry({ name, value, unit, baseline, target, note }: Measurement): BenchEntry {
  const ratio = baseline === undefined ? undefined : value / baseline;
  const checked = target?.of === 'ratio' ? ratio : value;
  const pass =
    target === undefined ||
    (checked !== undefined &&
      Number.isFinite(checked) &&
      (target.max === undefined || checked <= target.max) &&
      (target.min === undefined || checked >= target.min));
  return {
    name,
    value: round(value),
    unit,
    ...(baseline === undefined ? {} : { baseline: round(baseline) }),
    ...(ratio === undefined ? {} : { ratio: round(ratio) }),
    ...(target === undefined ? {} : { target: describeTarget(target, unit) }),
    pass,
    ...(note === undefined ? {} : { note }),
  };
}

/** The entry of a case that threw: nothing measured, never a pass. */
export function failedEntry(caseName: string, error: unknown): BenchEntry {
  const message = error instanceof Error ? error.message : String(error);
  return { name: caseName, value: null, unit: '', pass: false, note: `failed: ${message.replace(/\s+/g, ' ')}` };
}

function describeTarget({ of, max, min, says }: Target, unit: string): string {
  const bound = (sign: string, limit: number) => (of === 'ratio' ? `ratio ${sign} ${limit}` : `${sign} ${limit} ${unit}`.trim());
  const parts = [...(max === undefined ? [] : [bound('≤', max)]), ...(min === undefined ? [] : [bound('≥', min)])];
  return [parts.join(', '), ...(says ? [`(${says})`] : [])].join(' ');
}

/** Four significant digits: the machine's noise is far larger than that. */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}
