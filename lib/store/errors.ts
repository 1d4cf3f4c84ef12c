/** A vector from another model or of another dimension than the index holds. */
export class IndexMismatchError extends Error {
  override readonly name = 'IndexMismatchError';
}
