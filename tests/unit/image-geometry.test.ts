import { imageGeometry } from '../../lib/embedder/image-geometry';

describe('imageGeometry reads preprocessor_config.json as Python transformers does', () => {
  it.each([
    ['CLIP, dict layout', { size: { shortest_edge: 224 }, do_center_crop: true, crop_size: { height: 224, width: 224 } }],
    ['CLIP, integer layout (the shortest edge, not the longest too)', { size: 224, do_center_crop: true, crop_size: 224 }],
  ])('%s: shortest side to 224, centre crop', (_, config) => {
    expect(imageGeometry({ do_resize: true, ...config })).toEqual({ width: 224, height: 224, fit: 'cover' });
  });

  it.each([
    ['dict layout', { size: { height: 384, width: 384 } }],
    ['integer layout (a square)', { size: 384 }],
  ])('SigLIP, %s: resize to the square', (_, config) => {
    expect(imageGeometry({ do_resize: true, ...config })).toEqual({ width: 384, height: 384, fit: 'fill' });
  });

  it.each([
    ['a shortest edge larger than the crop', { size: { shortest_edge: 256 }, do_center_crop: true, crop_size: 224 }],
    ['a shortest edge without a crop', { size: { shortest_edge: 224 } }],
    ['no resize', { do_resize: false, size: 224, do_center_crop: true, crop_size: 224 }],
    ['no size', {}],
  ])('refuses what it cannot reproduce: %s', (_, config) => {
    expect(() => imageGeometry(config)).toThrow(/^Unsupported preprocessor_config\.json geometry \{.*\}: expected/);
  });
});
