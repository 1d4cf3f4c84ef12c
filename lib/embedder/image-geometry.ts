/**
 * The picture a vision model takes, read once from its preprocessor_config.json, and the one ffmpeg filter that brings
 * any picture to it. Video frames (lib/decoder/frames.ts) and query images (fit-image.ts) both pass through that
 * filter, so a query image gives the model the same pixels as a video frame showing the same picture.
 *
 * The config is read as Python transformers reads it, since the checkpoints were trained and exported with it:
 * - With a centre crop (CLIP, OpenCLIP: trained on "resize the shortest side, crop the centre"): the shortest side is
 *   resized to `size`, then the centre `crop_size` is cut out, here "cover". An integer `size` is the shortest edge
 *   (CLIPImageProcessor: get_size_dict(size, default_to_square=False)), an integer `crop_size` a square.
 * - Without (SigLIP: trained on a plain resize to the square): the picture is resized to `size`, aspect ratio not
 *   kept, here "fill". An integer `size` is a square (SiglipImageProcessor: default_to_square=True).
 * transformers.js 4 reads an integer `size` as the shortest AND the longest edge, so with that layout its processor
 * fits a 320×180 picture inside 224×224 (224×126) and its centre crop pads it with black bars. Pictures therefore
 * reach its processor only once they are at the model's input size, where its resize has nothing to do.
 */

export interface ImageGeometry {
  /** The model's input size: every frame and query image reaches the model at exactly this size. */
  width: number;
  height: number;
  /** Scale to cover the size, then crop the centre (keeps the aspect ratio), or stretch to it. */
  fit: 'cover' | 'fill';
}

/** The preprocessor_config.json fields the geometry is read from (a transformers.js ImageProcessor holds them). */
export interface PreprocessorSizes {
  do_resize?: boolean;
  size?: unknown;
  do_center_crop?: boolean;
  crop_size?: unknown;
}

type Size = { width: number; height: number };

/** `{height, width}`, or an integer side of a square (Python's default_to_square=True). */
function fixedSize(value: unknown): Size | undefined {
  if (Number.isInteger(value)) return { width: value as number, height: value as number };
  const { width, height } = (value ?? {}) as Partial<Size>;
  return Number.isInteger(width) && Number.isInteger(height) ? { width: width!, height: height! } : undefined;
}

/** `{shortest_edge}`, or an integer (Python's default_to_square=False). */
function shortestEdge(value: unknown): number | undefined {
  const edge = Number.isInteger(value) ? value : (value as { shortest_edge?: unknown } | undefined)?.shortest_edge;
  return Number.isInteger(edge) ? (edge as number) : undefined;
}

/**
 * The geometry of a model from its preprocessor config, in either layout. Throws a RangeError for one this project
 * cannot reproduce (no resize, a shortest edge other than the crop's side, a crop without a resize to its size).
 */
export function imageGeometry(config: PreprocessorSizes): ImageGeometry {
  const { do_resize, size, do_center_crop, crop_size } = config;
  if (do_resize !== false && do_center_crop) {
    const crop = fixedSize(crop_size);
    const edge = shortestEdge(size);
    if (crop && edge === crop.width && edge === crop.height) return { ...crop, fit: 'cover' };
  } else if (do_resize !== false) {
    const fixed = fixedSize(size);
    if (fixed) return { ...fixed, fit: 'fill' };
  }
  const described = JSON.stringify({ do_resize, size, do_center_crop, crop_size });
  throw new RangeError(
    `Unsupported preprocessor_config.json geometry ${described}: expected a shortest edge with a centre crop of that ` +
      'side (CLIP) or a fixed size without a crop (SigLIP).',
  );
}

/**
 * The ffmpeg filter chain that brings a picture of any size and pixel aspect ratio to `geometry`. Bicubic, as CLIP's
 * and SigLIP's processors resample (`resample: 3`); it is also ffmpeg's default, spelt out so it cannot drift.
 */
export function fitFilter({ width, height, fit }: ImageGeometry): string {
  if (fit === 'fill') return `scale=${width}:${height}:flags=bicubic`;
  // Cover: scale the side that fits to the target exactly and the other at least as large, by display aspect ratio
  // (dar includes non-square pixels), then crop the centre. round() cannot fall below the target on the long side.
  const wider = `gt(dar,${width}/${height})`;
  const scale = `scale=w='if(${wider},round(${height}*dar),${width})':h='if(${wider},${height},round(${width}/dar))'`;
  return `${scale}:flags=bicubic,crop=${width}:${height}`;
}
