import { badRequest, refusal } from './errors';
import { analyze, fieldValues, isText, resolveField, type Mappings, type Source } from './fields';

export type Predicate = (source: Source) => boolean;

type Json = Record<string, unknown>;

/**
 * A query clause as a document predicate. Emulated: bool (filter, must, should with minimum_should_match, must_not),
 * term, terms, match, range, exists, wildcard (with case_insensitive) and match_all. Anything else is refused, so a
 * test notices an adapter relying on it. Scores: see `compileScorer`.
 */
export function compileQuery(query: unknown, mappings: Mappings): Predicate {
  const [kind, body] = singleEntry(query, 'query');
  switch (kind) {
    case 'match_all':
      return () => true;
    case 'bool':
      return compileBool(body as Json, mappings);
    case 'exists': {
      const field = (body as { field?: unknown }).field;
      if (typeof field !== 'string') throw badRequest('[exists] needs a field', 'parsing_exception');
      return (source) => fieldValues(mappings, source, field).length > 0;
    }
    case 'term':
    case 'terms':
    case 'match':
    case 'range':
    case 'wildcard':
      return compileFieldQuery(kind, body as Json, mappings);
    case 'knn':
      throw refusal(400, 'not_emulated', 'a knn clause inside another query is not emulated (and would post-filter on AOSS)');
    default:
      throw refusal(400, 'not_emulated', `the double does not emulate [${kind}] queries`);
  }
}

function compileBool(body: Json, mappings: Mappings): Predicate {
  const list = (key: string) => {
    const clauses = body[key];
    if (clauses === undefined) return [];
    return (Array.isArray(clauses) ? clauses : [clauses]).map((clause) => compileQuery(clause, mappings));
  };
  const required = [...list('filter'), ...list('must')];
  const should = list('should');
  const mustNot = list('must_not');
  const defaultMinimum = required.length === 0 && should.length > 0 ? 1 : 0;
  const minimum = body.minimum_should_match === undefined ? defaultMinimum : Number(body.minimum_should_match);
  if (!Number.isInteger(minimum)) throw refusal(400, 'not_emulated', `minimum_should_match ${String(body.minimum_should_match)}`);
  return (source) =>
    required.every((p) => p(source)) &&
    !mustNot.some((p) => p(source)) &&
    should.filter((p) => p(source)).length >= minimum;
}

/** term / terms / match / range / wildcard: `{ <field>: <value or options> }` (terms also takes `boost`, `_name`). */
function compileFieldQuery(kind: string, body: Json, mappings: Mappings): Predicate {
  const entries = Object.entries(body).filter(([key]) => !(kind === 'terms' && ['boost', '_name'].includes(key)));
  if (entries.length !== 1) throw badRequest(`[${kind}] query takes exactly one field`, 'parsing_exception');
  const [[field, spec]] = entries;
  const { mapping } = resolveField(mappings, field);
  const text = isText(mapping);
  const values = (source: Source) => {
    const raw = fieldValues(mappings, source, field);
    return text ? raw.flatMap((v) => analyze(String(v))) : raw;
  };
  const options = (typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? spec : { value: spec }) as Json;
  switch (kind) {
    case 'term': {
      const fold = options.case_insensitive === true ? (s: string) => s.toLowerCase() : (s: string) => s;
      const wanted = fold(String(options.value));
      return (source) => values(source).some((v) => fold(String(v)) === wanted);
    }
    case 'terms': {
      if (!Array.isArray(spec)) throw refusal(400, 'not_emulated', 'terms lookups are not emulated');
      const wanted = new Set(spec.map(String));
      return (source) => values(source).some((v) => wanted.has(String(v)));
    }
    case 'match': {
      // Options beyond these (fuzziness, analyzer, minimum_should_match…) change what matches: refused, not guessed.
      const unknown = Object.keys(options).filter((key) => !['query', 'value', 'operator', 'boost'].includes(key));
      if (unknown.length > 0) throw refusal(400, 'not_emulated', `match options ${unknown} are not emulated`);
      // OpenSearch: a vector field has no terms to match ("Field [embedding] of type [knn_vector] does not support match queries").
      if (mapping?.type === 'knn_vector') {
        throw badRequest(`Field [${field}] of type [knn_vector] does not support match queries`, 'query_shard_exception');
      }
      const query = String(options.query ?? options.value);
      if (!text) return (source) => values(source).some((v) => String(v) === query);
      const words = analyze(query);
      const all = String(options.operator ?? 'or').toLowerCase() === 'and';
      return (source) => {
        const tokens = new Set(values(source).map(String));
        return all ? words.every((w) => tokens.has(w)) : words.some((w) => tokens.has(w));
      };
    }
    case 'range': {
      const bounds = options as { gt?: unknown; gte?: unknown; lt?: unknown; lte?: unknown };
      const inRange = (v: unknown) =>
        (bounds.gt === undefined || compare(v, bounds.gt) > 0) &&
        (bounds.gte === undefined || compare(v, bounds.gte) >= 0) &&
        (bounds.lt === undefined || compare(v, bounds.lt) < 0) &&
        (bounds.lte === undefined || compare(v, bounds.lte) <= 0);
      return (source) => values(source).some(inRange);
    }
    default: {
      const pattern = wildcardRegExp(String(options.value ?? options.wildcard), options.case_insensitive === true);
      return (source) => values(source).some((v) => pattern.test(String(v)));
    }
  }
}

export type Scorer = (source: Source) => number;

/** Lucene's BM25 defaults (OpenSearch's default similarity). */
const BM25_K1 = 1.2;
const BM25_B = 0.75;

/**
 * How OpenSearch scores a matching document, near enough for ranking: a `match` on a `text` field scores BM25 as
 * Lucene does (per query word: idf · tf / (tf + k1 · (1 − b + b · dl / avgdl)), idf = ln(1 + (N − n + 0.5) / (n +
 * 0.5)), statistics over `corpus`, the searchable documents: one shard), a `bool` the sum of its matching `must` and
 * `should` clauses (`filter` and `must_not` score nothing, so a filter-only bool scores 0), any other clause 1 (constant;
 * term and range scores are not emulated). The score is a 32-bit float, as OpenSearch returns it.
 */
export function compileScorer(query: unknown, mappings: Mappings, corpus: readonly Source[]): Scorer {
  const [kind, body] = singleEntry(query, 'query');
  if (kind === 'bool') {
    const clauses = ['must', 'should'].flatMap((key) => {
      const listed = (body as Json)[key];
      return listed === undefined ? [] : Array.isArray(listed) ? listed : [listed];
    });
    const scored = clauses.map((clause) => ({ matches: compileQuery(clause, mappings), score: compileScorer(clause, mappings, corpus) }));
    return (source) => Math.fround(scored.reduce((sum, { matches, score }) => sum + (matches(source) ? score(source) : 0), 0));
  }
  if (kind === 'match') return bm25Scorer(body as Json, mappings, corpus) ?? (() => 1);
  return () => 1;
}

function bm25Scorer(body: Json, mappings: Mappings, corpus: readonly Source[]): Scorer | undefined {
  const [[field, spec]] = Object.entries(body);
  if (!isText(resolveField(mappings, field).mapping)) return undefined;
  const options = (typeof spec === 'object' && spec !== null ? spec : { query: spec }) as Json;
  const words = analyze(String(options.query ?? options.value));
  const boost = typeof options.boost === 'number' ? options.boost : 1;
  const tokensOf = (source: Source) => fieldValues(mappings, source, field).flatMap((v) => analyze(String(v)));
  const documents = corpus.map(tokensOf).filter((tokens) => tokens.length > 0);
  const avgdl = documents.reduce((sum, tokens) => sum + tokens.length, 0) / Math.max(1, documents.length);
  const idf = new Map(
    [...new Set(words)].map((word) => {
      const n = documents.filter((tokens) => tokens.includes(word)).length;
      return [word, Math.log(1 + (documents.length - n + 0.5) / (n + 0.5))];
    }),
  );
  return (source) => {
    const tokens = tokensOf(source);
    let score = 0;
    for (const word of words) {
      const tf = tokens.filter((token) => token === word).length;
      if (tf > 0) score += idf.get(word)! * (tf / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * tokens.length) / avgdl)));
    }
    return Math.fround(boost * score);
  };
}

/** Numbers numerically, anything else as strings (keyword ranges compare terms lexicographically). */
export function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Lucene wildcard syntax: `*` any run, `?` one character, `\` makes the next character literal. */
function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The one `{ key: value }` pair of a query object. */
export function singleEntry(value: unknown, what: string): [string, unknown] {
  const entries = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
  if (entries.length !== 1) throw badRequest(`[${what}] must be an object with exactly one key`, 'parsing_exception');
  return entries[0];
}
