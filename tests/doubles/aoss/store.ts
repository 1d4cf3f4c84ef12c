import { randomBytes } from 'node:crypto';
import { AossError, badRequest, indexNotFound, refusal } from './errors';
import type { FieldMapping, Mappings, Source } from './fields';

export interface StoredDoc {
  id: string;
  /** Insertion order: the double's tie-breaker where OpenSearch would use shard and segment order. */
  seq: number;
  source: Source;
  /** When a refresh makes the write searchable. */
  visibleAt: number;
  /** Deleted: gone for writes at once, for searches from this time on. */
  goneAt?: number;
}

const MAX_DIMENSION = 16_000;
const NUMERIC = new Set(['integer', 'long', 'short', 'byte', 'float', 'double', 'half_float']);

/** One index: its definition and documents, with delayed visibility like a collection's refresh interval. */
export class AossIndex {
  private readonly docs = new Map<string, StoredDoc>();
  private seq = 0;

  constructor(
    readonly name: string,
    readonly mappings: Mappings,
    private readonly delayMs: () => number,
  ) {}

  /** Stores a document under a new random id (AOSS assigns them; classic refuses the caller's). */
  add(source: Source): string {
    this.validate(source);
    const id = randomBytes(15).toString('base64url');
    this.docs.set(id, { id, seq: this.seq++, source, visibleAt: Date.now() + this.delayMs() });
    return id;
  }

  /** Deletes by id (like OpenSearch, also a document not searchable yet); false if there is none. */
  remove(id: string): boolean {
    const doc = this.docs.get(id);
    if (!doc || doc.goneAt !== undefined) return false;
    doc.goneAt = Date.now() + this.delayMs();
    return true;
  }

  /** The documents a search sees now. */
  searchable(): StoredDoc[] {
    const now = Date.now();
    return [...this.docs.values()].filter((doc) => doc.visibleAt <= now && (doc.goneAt === undefined || doc.goneAt > now));
  }

  /** The documents stored, searchable yet or not, deleted ones excluded. */
  live(): StoredDoc[] {
    return [...this.docs.values()].filter((doc) => doc.goneAt === undefined);
  }

  /** What a refresh does: every write so far becomes visible to searches. */
  refreshNow(): void {
    const now = Date.now();
    for (const doc of this.docs.values()) {
      if (doc.goneAt !== undefined) this.docs.delete(doc.id);
      else doc.visibleAt = Math.min(doc.visibleAt, now);
    }
  }

  private validate(source: Source): void {
    for (const [field, value] of Object.entries(source)) {
      const mapping = this.mappings.properties?.[field];
      if (!mapping) {
        if (this.mappings.dynamic === 'strict') {
          const reason = `mapping set to strict, dynamic introduction of [${field}] within [_doc] is not allowed`;
          throw badRequest(reason, 'strict_dynamic_mapping_exception');
        }
        continue;
      }
      const problem = fieldProblem(mapping, value);
      if (problem) {
        throw badRequest(`failed to parse field [${field}] of type [${mapping.type}]: ${problem}`, 'mapper_parsing_exception');
      }
    }
  }
}

function fieldProblem(mapping: FieldMapping, value: unknown): string | undefined {
  if (value === null) return undefined;
  if (mapping.type === 'knn_vector') {
    if (!Array.isArray(value) || !value.every((x) => typeof x === 'number' && Number.isFinite(x))) return 'not a vector';
    if (value.length === mapping.dimension) return undefined;
    return `Vector dimension mismatch. Expected: ${mapping.dimension}, Given: ${value.length}`;
  }
  const values = Array.isArray(value) ? value : [value];
  if (NUMERIC.has(mapping.type)) return values.every((x) => typeof x === 'number') ? undefined : 'not a number';
  if (mapping.type === 'keyword' || mapping.type === 'text') {
    return values.every((x) => typeof x === 'string') ? undefined : 'not a string';
  }
  return undefined;
}

/** The indices of one collection. */
export class AossStore {
  visibilityDelayMs = 0;
  private readonly indices = new Map<string, AossIndex>();

  has(name: string): boolean {
    return this.indices.has(name);
  }

  get(name: string): AossIndex {
    const index = this.indices.get(name);
    if (!index) throw indexNotFound(name);
    return index;
  }

  create(name: string, body: Record<string, unknown>): void {
    if (this.indices.has(name)) {
      const uuid = randomBytes(8).toString('hex');
      throw new AossError(400, 'resource_already_exists_exception', `index [${name}/${uuid}] already exists`);
    }
    const { settings = {}, mappings = {}, ...rest } = body as { settings?: Record<string, unknown>; mappings?: Mappings };
    if (Object.keys(rest).length > 0) throw refusal(400, 'not_emulated', `index body keys ${Object.keys(rest)} are not emulated`);
    checkKnnMappings(mappings, knnEnabled(settings));
    this.indices.set(name, new AossIndex(name, mappings, () => this.visibilityDelayMs));
  }

  drop(name: string): void {
    this.get(name);
    this.indices.delete(name);
  }

  refreshAll(): void {
    for (const index of this.indices.values()) index.refreshNow();
  }
}

/** `index.knn` in any of the spellings OpenSearch accepts. */
function knnEnabled(settings: Record<string, unknown>): boolean {
  const index = settings.index as Record<string, unknown> | undefined;
  const value = index?.knn ?? settings['index.knn'] ?? settings.knn;
  return value === true || value === 'true';
}

function checkKnnMappings(mappings: Mappings, knn: boolean): void {
  for (const [field, mapping] of Object.entries(mappings.properties ?? {})) {
    if (mapping.type !== 'knn_vector') continue;
    const { dimension, method } = mapping;
    if (!Number.isInteger(dimension) || dimension! < 1 || dimension! > MAX_DIMENSION) {
      throw badRequest(`[${field}] dimension must be an integer from 1 to ${MAX_DIMENSION}`, 'mapper_parsing_exception');
    }
    if (!knn) throw badRequest(`[${field}] a knn_vector with a method needs index.knn: true`, 'mapper_parsing_exception');
    if (method?.engine === 'lucene') {
      throw refusal(400, 'mapper_parsing_exception', 'the lucene engine is not available on classic collections');
    }
    const emulated = ['faiss', 'nmslib'].includes(method?.engine ?? '');
    if (method?.name !== 'hnsw' || method.space_type !== 'innerproduct' || !emulated) {
      const what = JSON.stringify(method);
      throw refusal(400, 'not_emulated', `the double emulates hnsw on faiss/nmslib with innerproduct only, not ${what}`);
    }
  }
}
