/**
 * Writes ONNX ModelProto bytes from a plain graph description, through onnx-proto's typed messages (the ONNX schema
 * compiled for protobufjs), so field numbers and wire types cannot drift. Used by both model generators: the tiny
 * colour fixture (scripts/fixture-model) and the real-size CLIP / SigLIP graphs (scripts/real-size-model).
 * Tensors are stored as raw_data, little-endian as ONNX requires.
 */
import { endianness } from 'node:os';
import { onnx } from 'onnx-proto';

/** TensorProto.DataType values of the element types the generators use. */
export const ElemType = {
  Float: onnx.TensorProto.DataType.FLOAT,
  Uint8: onnx.TensorProto.DataType.UINT8,
  Int8: onnx.TensorProto.DataType.INT8,
  Int32: onnx.TensorProto.DataType.INT32,
  Int64: onnx.TensorProto.DataType.INT64,
  Bool: onnx.TensorProto.DataType.BOOL,
} as const;
export type ElemType = (typeof ElemType)[keyof typeof ElemType];

/** A dimension: a fixed size, or a symbolic name such as 'batch_size'. */
export type Dim = number | string;

export type Attribute = { name: string } & (
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { string: string }
);

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attribute[];
  /** Operator set domain; '' (the default ONNX one) unless given, e.g. 'com.microsoft'. */
  domain?: string;
}

export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

export interface TensorSpec {
  name: string;
  dims: number[];
  data: TensorData;
}

export interface ValueSpec {
  name: string;
  type: ElemType;
  shape: Dim[];
}

export interface GraphSpec {
  name: string;
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
}

export interface ModelOptions {
  /** Version of the default ONNX operator set; default 13. */
  opset?: number;
  /** Other operator set domains the nodes use, with their versions, e.g. `{ 'com.microsoft': 1 }`. */
  domains?: Record<string, number>;
  producer?: string;
}

const IR_VERSION = 8;

function elemTypeOf(data: TensorData): ElemType {
  if (data instanceof Float32Array) return ElemType.Float;
  if (data instanceof BigInt64Array) return ElemType.Int64;
  if (data instanceof Int32Array) return ElemType.Int32;
  if (data instanceof Int8Array) return ElemType.Int8;
  return ElemType.Uint8;
}

function tensor({ name, dims, data }: TensorSpec): onnx.ITensorProto {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`tensor ${name}: dims ${dims} do not hold ${data.length} values`);
  // The typed array's own bytes, not a copy (a real-size model's weights are hundreds of MB).
  return { name, dims, dataType: elemTypeOf(data), rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

const { AttributeType } = onnx.AttributeProto;

function attribute(attr: Attribute): onnx.IAttributeProto {
  const { name } = attr;
  if ('int' in attr) return { name, type: AttributeType.INT, i: attr.int };
  if ('float' in attr) return { name, type: AttributeType.FLOAT, f: attr.float };
  if ('string' in attr) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(attr.string) };
  return { name, type: AttributeType.INTS, ints: attr.ints };
}

function valueInfo({ name, type, shape }: ValueSpec): onnx.IValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: type, shape: { dim } } } };
}

/** Serialises a single-graph model. */
export function encodeModel(spec: GraphSpec, options: ModelOptions = {}): Uint8Array {
  if (endianness() !== 'LE') throw new Error('raw_data is little-endian: this writer needs a little-endian machine');
  const { opset = 13, domains = {}, producer = 'semantic-video-search' } = options;
  const graph: onnx.IGraphProto = {
    name: spec.name,
    node: spec.nodes.map(({ op, inputs, outputs, attributes = [], domain }, i) => ({
      name: `${op}_${i}`,
      opType: op,
      input: inputs,
      output: outputs,
      attribute: attributes.map(attribute),
      ...(domain ? { domain } : {}),
    })),
    initializer: spec.initializers.map(tensor),
    input: spec.inputs.map(valueInfo),
    output: spec.outputs.map(valueInfo),
  };
  const opsetImport = [{ domain: '', version: opset }, ...Object.entries(domains).map(([domain, version]) => ({ domain, version }))];
  return onnx.ModelProto.encode({ irVersion: IR_VERSION, producerName: producer, graph, opsetImport }).finish();
}
