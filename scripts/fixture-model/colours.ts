/**
 * The concepts the fixture model knows: nine CSS / ffmpeg colours, each with its own direction in the embedding
 * space. Text and vision graphs both map a colour onto the same direction, so cosine similarity finds it.
 */

export type Rgb = readonly [number, number, number];

export interface FixtureColour {
  name: string;
  rgb: Rgb;
}

export const FIXTURE_COLOURS: readonly FixtureColour[] = [
  { name: 'red', rgb: [255, 0, 0] },
  { name: 'green', rgb: [0, 128, 0] },
  { name: 'blue', rgb: [0, 0, 255] },
  { name: 'yellow', rgb: [255, 255, 0] },
  { name: 'cyan', rgb: [0, 255, 255] },
  { name: 'magenta', rgb: [255, 0, 255] },
  { name: 'white', rgb: [255, 255, 255] },
  { name: 'black', rgb: [0, 0, 0] },
  { name: 'gray', rgb: [128, 128, 128] },
];

/** Words the tokenizer knows, each naming a colour of FIXTURE_COLOURS. */
export const COLOUR_WORDS: ReadonlyMap<string, number> = new Map([
  ...FIXTURE_COLOURS.map((c, i) => [c.name, i] as const),
  ['grey', FIXTURE_COLOURS.findIndex((c) => c.name === 'gray')],
]);

export const EMBEDDING_DIM = 32;

/**
 * Row `row` of the Sylvester Hadamard matrix of order EMBEDDING_DIM, scaled to unit length. Rows are orthonormal
 * and dense, so the embedding dimension is not the number of colours and no coordinate names a colour.
 */
function hadamardRow(row: number): Float32Array {
  const popcount = (n: number): number => (n === 0 ? 0 : (n & 1) + popcount(n >>> 1));
  return Float32Array.from({ length: EMBEDDING_DIM }, (_, col) =>
    (popcount(row & col) % 2 === 0 ? 1 : -1) / Math.sqrt(EMBEDDING_DIM),
  );
}

/** The unit direction of colour `index` of FIXTURE_COLOURS. */
export function colourDirection(index: number): Float32Array {
  return hadamardRow(index + 1);
}

/** A direction orthogonal to every colour: where text that names no colour points. */
export const NEUTRAL_DIRECTION = hadamardRow(0);
