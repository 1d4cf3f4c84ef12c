/**
 * SQL literals for LanceDB filter strings (`where`, `delete`, merge conditions). Lance parses string literals the
 * ANSI way: a quote inside is doubled and a backslash is an ordinary character, so doubling quotes is the whole escape.
 */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `(a, b, …)` for `column IN …`; callers never pass an empty list (`IN ()` does not parse). */
export function sqlStringList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(', ')})`;
}

/** `[a, b, …]`: a list literal, the second argument of `array_has_any`. */
export function sqlStringArray(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}

/** A finite number as a SQL literal that reads back as the same double (JavaScript prints the shortest such form). */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}
