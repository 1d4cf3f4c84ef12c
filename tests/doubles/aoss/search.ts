import { dot } from '../../../lib/core/vector';
import { badRequest, refusal } from './errors';
import { fieldValues, resolveField, type Source } from './fields';
import { compare, compileQuery, compileScorer, singleEntry } from './query';
import type { AossIndex, StoredDoc } from './store';

type Json = Record<string, unknown>;

const MAX_WINDOW = 10_000;
const SHARDS = { total: 1, successful: 1, skipped: 0, failed: 0 };
const SEARCH_KEYS = new Set(['query', 'size', 'from', '_source', 'sort', 'search_after', 'track_total_hits']);

interface Scored {
  doc: StoredDoc;
  score: number;
}

/**
 * `POST <index>/_search`: a top-level `knn` query (exact inner products, the faiss score transform, `k`, and the
 * filter applied inside the k-NN search as faiss efficient filtering does) or a plain query (BM25 scores for `match`
 * on text fields, see `compileScorer`), best first; then `sort` (fields,
 * `_score`, `_doc`), `search_after`, `from`/`size`, `_source` filtering and `track_total_hits`.
 */
export function search(index: AossIndex, body: Json): object {
  const unknown = Object.keys(body).filter((key) => !SEARCH_KEYS.has(key));
  if (unknown.length > 0) throw refusal(400, 'not_emulated', `search body keys ${unknown} are not emulated`);
  const size = integer(body.size, 10, 'size');
  const from = integer(body.from, 0, 'from');
  if (from + size > MAX_WINDOW) {
    throw badRequest(`Result window is too large, from + size must be less than or equal to: [${MAX_WINDOW}]`);
  }

  const query = (body.query ?? { match_all: {} }) as Json;
  const [kind, knn] = singleEntry(query, 'query');
  let matched = kind === 'knn' ? knnSearch(index, knn) : plainSearch(index, query);
  const keys = body.sort === undefined ? undefined : sortKeys(index, body.sort);
  if (keys) {
    const values = new Map(matched.map((hit) => [hit, sortValues(index, hit, keys)]));
    matched.sort((a, b) => compareValues(values.get(a)!, values.get(b)!, keys) || a.doc.seq - b.doc.seq);
    if (body.search_after !== undefined) {
      const after = body.search_after;
      if (!Array.isArray(after) || after.length !== keys.length) throw badRequest('search_after must have one value per sort key');
      matched = matched.filter((hit) => compareValues(values.get(hit)!, after, keys) > 0);
    }
    return response(index, body, matched, from, size, (hit) => values.get(hit)!);
  }
  if (body.search_after !== undefined) throw badRequest('search_after needs a sort');
  return response(index, body, matched, from, size);
}

/** `POST <index>/_count`. */
export function count(index: AossIndex, body: Json): object {
  const unknown = Object.keys(body).filter((key) => key !== 'query');
  if (unknown.length > 0) throw refusal(400, 'not_emulated', `count body keys ${unknown} are not emulated`);
  const matches = compileQuery(body.query ?? { match_all: {} }, index.mappings);
  return { count: index.searchable().filter((doc) => matches(doc.source)).length, _shards: SHARDS };
}

/** The matching documents, best score first (`compileScorer`), then in insertion order. */
function plainSearch(index: AossIndex, query: Json): Scored[] {
  const docs = index.searchable();
  const matches = compileQuery(query, index.mappings);
  const score = compileScorer(query, index.mappings, docs.map((doc) => doc.source));
  return docs
    .filter((doc) => matches(doc.source))
    .map((doc) => ({ doc, score: score(doc.source) }))
    .sort((a, b) => b.score - a.score || a.doc.seq - b.doc.seq);
}

function knnSearch(index: AossIndex, knn: unknown): Scored[] {
  const [field, spec] = singleEntry(knn, 'knn');
  const mapping = index.mappings.properties?.[field];
  if (mapping?.type !== 'knn_vector') throw badRequest(`Field '${field}' is not knn_vector type.`);
  const { vector, k, filter, boost, ...rest } = spec as Json;
  if (Object.keys(rest).length > 0) throw refusal(400, 'not_emulated', `knn parameters ${Object.keys(rest)} are not emulated`);
  if (!Array.isArray(vector) || vector.length !== mapping.dimension) {
    const given = Array.isArray(vector) ? vector.length : 0;
    throw badRequest(`Query vector has invalid dimension: ${given}. Dimension should be: ${mapping.dimension}`);
  }
  if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > MAX_WINDOW) {
    throw badRequest(`[knn] requires k to be in the range (0, ${MAX_WINDOW}]`);
  }
  if (filter !== undefined && mapping.method?.engine === 'nmslib') throw badRequest('Engine [NMSLIB] does not support filters');
  const matches = filter === undefined ? () => true : compileQuery(filter, index.mappings);
  const query = Float32Array.from(vector as number[]);
  const weight = typeof boost === 'number' ? boost : 1;
  return index
    .searchable()
    .filter((doc) => Array.isArray(doc.source[field]) && matches(doc.source))
    .map((doc) => {
      const ip = dot(query, Float32Array.from(doc.source[field] as number[]));
      return { doc, score: weight * faissInnerProductScore(ip) };
    })
    .sort((a, b) => b.score - a.score || a.doc.seq - b.doc.seq)
    .slice(0, k as number);
}

/** OpenSearch's score for faiss `innerproduct` (rank by d = -ip; 1/(1+d) for d >= 0, else 1-d), as a 32-bit float. */
export function faissInnerProductScore(ip: number): number {
  return Math.fround(ip >= 0 ? 1 + ip : 1 / (1 - ip));
}

interface SortKey {
  field: string;
  desc: boolean;
}

function sortKeys(index: AossIndex, sort: unknown): SortKey[] {
  return (Array.isArray(sort) ? sort : [sort]).map((item): SortKey => {
    const [field, order] = typeof item === 'string' ? [item, undefined] : singleEntry(item, 'sort');
    const direction = typeof order === 'object' && order !== null ? (order as { order?: unknown }).order : order;
    if (field === '_id') throw refusal(400, 'not_emulated', 'sorting on _id is not emulated');
    if (field !== '_score' && field !== '_doc') {
      const { mapping } = resolveField(index.mappings, field);
      if (!mapping) throw badRequest(`No mapping found for [${field}] in order to sort on`, 'query_shard_exception');
      if (mapping.type === 'text' || mapping.type === 'knn_vector') throw badRequest(`Can't sort on [${field}] of type [${mapping.type}]`);
    }
    return { field, desc: (direction ?? (field === '_score' ? 'desc' : 'asc')) === 'desc' };
  });
}

/** A hit's sort values, as OpenSearch returns them in `sort` (a missing field: null here, sorted last). */
function sortValues(index: AossIndex, hit: Scored, keys: SortKey[]): unknown[] {
  return keys.map(({ field, desc }) => {
    if (field === '_score') return hit.score;
    if (field === '_doc') return hit.doc.seq;
    const values = fieldValues(index.mappings, hit.doc.source, field).sort(compare);
    return (desc ? values[values.length - 1] : values[0]) ?? null;
  });
}

function compareValues(a: unknown[], b: unknown[], keys: SortKey[]): number {
  for (let i = 0; i < keys.length; i++) {
    if (a[i] === null || b[i] === null) {
      if (a[i] !== b[i]) return a[i] === null ? 1 : -1;
      continue;
    }
    const order = compare(a[i], b[i]);
    if (order !== 0) return keys[i].desc ? -order : order;
  }
  return 0;
}

function response(
  index: AossIndex,
  body: Json,
  matched: Scored[],
  from: number,
  size: number,
  sortOf?: (hit: Scored) => unknown[],
): object {
  const page = matched.slice(from, from + size);
  const byScore = !sortOf;
  return {
    took: 1,
    timed_out: false,
    _shards: SHARDS,
    hits: {
      ...totalHits(body.track_total_hits, matched.length),
      max_score: byScore && matched.length > 0 ? Math.max(...matched.map((hit) => hit.score)) : null,
      hits: page.map((hit) => {
        const source = filterSource(hit.doc.source, body._source);
        return {
          _index: index.name,
          _id: hit.doc.id,
          _score: byScore ? hit.score : null,
          ...(source && { _source: source }),
          ...(sortOf && { sort: sortOf(hit) }),
        };
      }),
    },
  };
}

function totalHits(track: unknown, total: number): object {
  if (track === false) return {};
  const limit = track === true ? Infinity : typeof track === 'number' ? track : MAX_WINDOW;
  return { total: total > limit ? { value: limit, relation: 'gte' } : { value: total, relation: 'eq' } };
}

/** `_source`: true/false, a field list, or `{includes, excludes}`; names may use `*`. */
function filterSource(source: Source, spec: unknown): Source | undefined {
  if (spec === false) return undefined;
  if (spec === undefined || spec === true) return source;
  const { includes, excludes } = (typeof spec === 'string' || Array.isArray(spec) ? { includes: spec } : spec) as {
    includes?: unknown;
    excludes?: unknown;
  };
  const included = globs(includes);
  const excluded = globs(excludes);
  const kept = (key: string) => (included.length === 0 || included.some((g) => g.test(key))) && !excluded.some((g) => g.test(key));
  return Object.fromEntries(Object.entries(source).filter(([key]) => kept(key)));
}

function globs(patterns: unknown): RegExp[] {
  const list = patterns === undefined ? [] : Array.isArray(patterns) ? patterns : [patterns];
  return list.map((p) => new RegExp(`^${String(p).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`));
}

function integer(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0) throw badRequest(`[${name}] must be a non-negative integer`);
  return value as number;
}
