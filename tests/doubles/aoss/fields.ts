/** Index mappings as the double reads them (a subset of OpenSearch's). */
export interface FieldMapping {
  type: string;
  dimension?: number;
  method?: { name?: string; engine?: string; space_type?: string; parameters?: object };
  fields?: Record<string, FieldMapping>;
}

export interface Mappings {
  dynamic?: boolean | string;
  properties?: Record<string, FieldMapping>;
}

export type Source = Record<string, unknown>;

/**
 * Where a queried field's values come from: `title.keyword` (a multi-field of `title`) reads the source's `title`
 * with the sub-field's mapping. Unmapped fields read the source path as is, with no mapping.
 */
export function resolveField(mappings: Mappings, field: string): { mapping?: FieldMapping; path: string } {
  const direct = mappings.properties?.[field];
  if (direct) return { mapping: direct, path: field };
  const dot = field.lastIndexOf('.');
  const sub = dot > 0 ? mappings.properties?.[field.slice(0, dot)]?.fields?.[field.slice(dot + 1)] : undefined;
  return sub ? { mapping: sub, path: field.slice(0, dot) } : { path: field };
}

/** The values of a field in a document, arrays flattened, nulls dropped (an empty list: the field is missing). */
export function fieldValues(mappings: Mappings, source: Source, field: string): unknown[] {
  const { path } = resolveField(mappings, field);
  const value = source[path];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined);
}

/** OpenSearch's standard analyzer, near enough: lower-cased runs of letters and digits. */
export function analyze(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

export function isText(mapping: FieldMapping | undefined): boolean {
  return mapping?.type === 'text';
}
