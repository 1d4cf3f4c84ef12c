/**
 * 8-bit dynamic quantisation of a float graph, as the hub's `*_quantized.onnx` files are made (transformers.js
 * scripts/quantize.py, mode q8: onnxruntime's ONNXQuantizer in IntegerOps mode, dynamic, per-tensor, MatMulConstBOnly):
 * - every MatMul whose second input is a weight: its activation goes through DynamicQuantizeLinear (once per tensor,
 *   shared by the MatMuls that read it), then MatMulInteger, Cast to float, Mul by the product of the two scales;
 * - a Conv with a weight: the same with ConvInteger, its bias added after;
 * - a Gather from a weight table (the token embedding): Gather on the 8-bit table, then DequantizeLinear.
 * Weights are uint8 (asymmetric) when the graph has a Conv, as quantize.py picks for onnxruntime-web's ConvInteger,
 * else int8 (symmetric, [-127, 127]). Attention's activation × activation MatMuls stay float.
 * onnxruntime fuses the MatMul chains into DynamicQuantizeMatMul / MatMulIntegerToFloat when it loads the model.
 */
import { ElemType, type GraphSpec, type NodeSpec, type TensorSpec } from '../onnx/writer';

interface Quantized {
  data: Uint8Array | Int8Array;
  scale: number;
  zeroPoint: number;
}

function quantizeWeights(values: Float32Array, unsigned: boolean): Quantized {
  let min = 0;
  let max = 0;
  for (const v of values) {
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  if (unsigned) {
    const scale = (max - min) / 255 || 1;
    const zeroPoint = Math.round(-min / scale);
    const data = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(values[i] / scale) + zeroPoint));
    return { data, scale, zeroPoint };
  }
  const scale = Math.max(-min, max) / 127 || 1;
  const data = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.min(127, Math.max(-127, Math.round(values[i] / scale)));
  return { data, scale, zeroPoint: 0 };
}

/** q8: uint8 for a graph with a Conv, else int8 (quantize.py's choice); uint8, int8: that type everywhere. */
export type WeightType = 'q8' | 'uint8' | 'int8';

export function quantizeDynamic(graph: GraphSpec, type: WeightType = 'q8'): GraphSpec {
  const unsigned = type === 'uint8' || (type === 'q8' && graph.nodes.some((n) => n.op === 'Conv'));
  const floatWeights = new Map(graph.initializers.filter((t) => t.data instanceof Float32Array).map((t) => [t.name, t]));
  const quantizedWeights = new Set<string>();
  const added: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  const dynamic = new Map<string, [string, string, string]>();

  /** The 8-bit weight, its scale and zero point, as initializers. */
  const weight = (name: string): [string, string, string] => {
    const q = quantizeWeights(floatWeights.get(name)!.data as Float32Array, unsigned);
    const zp = unsigned ? Uint8Array.of(q.zeroPoint) : Int8Array.of(q.zeroPoint);
    added.push(
      { name: `${name}_quantized`, dims: floatWeights.get(name)!.dims, data: q.data },
      { name: `${name}_scale`, dims: [], data: Float32Array.of(q.scale) },
      { name: `${name}_zero_point`, dims: [], data: zp },
    );
    quantizedWeights.add(name);
    return [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`];
  };
  /** The activation quantised at run time (uint8, its own scale and zero point), once per tensor. */
  const activation = (name: string): [string, string, string] => {
    let outputs = dynamic.get(name);
    if (!outputs) {
      outputs = [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`];
      nodes.push({ op: 'DynamicQuantizeLinear', inputs: [name], outputs });
      dynamic.set(name, outputs);
    }
    return outputs;
  };
  /** integer op → float → × (activation scale × weight scale) → `output`. */
  const rescale = (integerOutput: string, xScale: string, wScale: string, output: string) => {
    nodes.push(
      { op: 'Cast', inputs: [integerOutput], outputs: [`${integerOutput}_float`], attributes: [{ name: 'to', int: ElemType.Float }] },
      { op: 'Mul', inputs: [xScale, wScale], outputs: [`${integerOutput}_scale`] },
      { op: 'Mul', inputs: [`${integerOutput}_float`, `${integerOutput}_scale`], outputs: [output] },
    );
  };

  for (const node of graph.nodes) {
    const [x, w, bias] = node.inputs;
    const [out] = node.outputs;
    if (node.op === 'MatMul' && floatWeights.has(w)) {
      const [xq, xScale, xZero] = activation(x);
      const [wq, wScale, wZero] = weight(w);
      nodes.push({ op: 'MatMulInteger', inputs: [xq, wq, xZero, wZero], outputs: [`${out}_integer`] });
      rescale(`${out}_integer`, xScale, wScale, out);
    } else if (node.op === 'Conv' && floatWeights.has(w)) {
      const [xq, xScale, xZero] = activation(x);
      const [wq, wScale, wZero] = weight(w);
      nodes.push({ op: 'ConvInteger', inputs: [xq, wq, xZero, wZero], outputs: [`${out}_integer`], attributes: node.attributes });
      if (!bias) {
        rescale(`${out}_integer`, xScale, wScale, out);
        continue;
      }
      rescale(`${out}_integer`, xScale, wScale, `${out}_unbiased`);
      const channels = floatWeights.get(bias)!.dims[0];
      added.push({ name: `${bias}_per_channel`, dims: [channels, 1, 1], data: floatWeights.get(bias)!.data });
      quantizedWeights.add(bias);
      nodes.push({ op: 'Add', inputs: [`${out}_unbiased`, `${bias}_per_channel`], outputs: [out] });
    } else if (node.op === 'Gather' && floatWeights.has(x)) {
      const [table, scale, zero] = weight(x);
      nodes.push(
        { ...node, inputs: [table, w], outputs: [`${out}_quantized`] },
        { op: 'DequantizeLinear', inputs: [`${out}_quantized`, scale, zero], outputs: [out] },
      );
    } else {
      nodes.push(node);
    }
  }
  const initializers = [...graph.initializers.filter((t) => !quantizedWeights.has(t.name)), ...added];
  return { ...graph, name: `${graph.name}_quantized`, nodes, initializers };
}
