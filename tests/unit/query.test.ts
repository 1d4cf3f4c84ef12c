import { DEFAULT_IMAGE_WEIGHT, fuseQuery } from '../../lib/core/query';

const v = (...xs: number[]) => Float32Array.from(xs);

function expectVector(actual: Float32Array, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
}

describe('fuseQuery', () => {
  const text = v(1, 0, 0);
  const image = v(0, 1, 0);

  it('returns the normalised text or image when only one is given', () => {
    expectVector(fuseQuery({ text: v(3, 4, 0) }), [0.6, 0.8, 0]);
    expectVector(fuseQuery({ image: v(0, 0, -2) }), [0, 0, -1]);
  });

  it('mixes both half and half by default', () => {
    expect(DEFAULT_IMAGE_WEIGHT).toBe(0.5);
    expectVector(fuseQuery({ text, image }), [Math.SQRT1_2, Math.SQRT1_2, 0]);
  });

  it('weights the image by imageWeight and the text by 1 − imageWeight', () => {
    const fused = fuseQuery({ text, image, imageWeight: 0.25 });
    const norm = Math.hypot(0.75, 0.25);
    expectVector(fused, [0.75 / norm, 0.25 / norm, 0]);
    expectVector(fuseQuery({ text, image, imageWeight: 0 }), [1, 0, 0]);
    expectVector(fuseQuery({ text, image, imageWeight: 1 }), [0, 1, 0]);
  });

  it('normalises each part first, so the weight does not depend on the input lengths', () => {
    const fromUnit = fuseQuery({ text, image, imageWeight: 0.25 });
    expectVector(fuseQuery({ text: v(10, 0, 0), image: v(0, 0.1, 0), imageWeight: 0.25 }), Array.from(fromUnit));
  });

  it('returns a new unit vector without touching its inputs', () => {
    const t = v(2, 1, 0);
    const fused = fuseQuery({ text: t, image: v(0, 1, 1), imageWeight: 0.3 });
    expect(Math.hypot(...fused)).toBeCloseTo(1, 6);
    expect(t).toEqual(v(2, 1, 0));
    expect(fuseQuery({ text: t })).not.toBe(t);
  });

  it('rejects no input, a weight outside [0, 1], different dimensions and parts that cancel out', () => {
    expect(() => fuseQuery({})).toThrow(/text or an image/);
    for (const imageWeight of [-0.1, 1.1, Number.NaN]) {
      expect(() => fuseQuery({ text, image, imageWeight })).toThrow(/imageWeight must be in \[0, 1\]/);
    }
    expect(() => fuseQuery({ text, image: v(1, 0) })).toThrow(/dimension: 3 vs 2/);
    expect(() => fuseQuery({ text, image: v(-1, 0, 0) })).toThrow(/norm 0/);
    expect(() => fuseQuery({ text: v(0, 0, 0) })).toThrow(/norm 0/);
  });
});
