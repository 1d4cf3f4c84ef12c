/** The weight types a transformers.js model repository may ship, by the suffix of their files: onnx/text_model{suffix}.onnx. */
export const ONNX_SUFFIX = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;

export type EmbedderDtype = keyof typeof ONNX_SUFFIX;

/** Every weight type, as a tuple (for zod and usage lines). */
export const DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const satisfies readonly EmbedderDtype[];

export function isDtype(value: string): value is EmbedderDtype {
  return Object.hasOwn(ONNX_SUFFIX, value);
}
