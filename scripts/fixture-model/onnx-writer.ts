/**
 * Writes ONNX ModelProto bytes (field numbers from onnx/onnx.proto). Covers what the fixture graphs use:
 * float and int64 tensors stored as raw_data, int / ints / float attributes, tensor value infos with
 * symbolic or fixed dimensions.
 */
import { ProtoWriter } from './protobuf';

const IR_VERSION = 8;
const OPSET = 13;

/** TensorProto.DataType values. */
export const ElemType = { Float: 1, Int64: 7 } as const;
export type ElemType = (typeof ElemType)[keyof typeof ElemType];

/** A dimension: a fixed size, or a symbolic name such as 'batch_size'. */
export type Dim = number | string;

export type Attribute = { name: string } & ({ int: number } | { ints: number[] } | { float: number });

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attribute[];
}

export interface TensorSpec {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
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

function tensor({ name, dims, data }: TensorSpec): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`tensor ${name}: dims ${dims} do not hold ${data.length} values`);
  const view = new DataView(new ArrayBuffer(data.length * data.BYTES_PER_ELEMENT));
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'bigint') view.setBigInt64(i * 8, v, true);
    else view.setFloat32(i * 4, v, true);
  }
  return new ProtoWriter()
    .packedInts(1, dims)
    .int(2, data instanceof Float32Array ? ElemType.Float : ElemType.Int64)
    .string(8, name)
    .bytes(9, new Uint8Array(view.buffer))
    .finish();
}

function attribute(attr: Attribute): Uint8Array {
  const w = new ProtoWriter().string(1, attr.name);
  // AttributeProto.type: FLOAT = 1, INT = 2, INTS = 7.
  if ('int' in attr) return w.int(3, attr.int).int(20, 2).finish();
  if ('float' in attr) return w.float(2, attr.float).int(20, 1).finish();
  return w.packedInts(8, attr.ints).int(20, 7).finish();
}

function node({ op, inputs, outputs, attributes = [] }: NodeSpec, index: number): Uint8Array {
  const w = new ProtoWriter();
  inputs.forEach((i) => w.string(1, i));
  outputs.forEach((o) => w.string(2, o));
  w.string(3, `${op}_${index}`).string(4, op);
  attributes.forEach((a) => w.bytes(5, attribute(a)));
  return w.finish();
}

function valueInfo({ name, type, shape }: ValueSpec): Uint8Array {
  const dims = new ProtoWriter();
  for (const d of shape) {
    dims.bytes(1, typeof d === 'number' ? new ProtoWriter().int(1, d).finish() : new ProtoWriter().string(2, d).finish());
  }
  const tensorType = new ProtoWriter().int(1, type).bytes(2, dims.finish()).finish();
  return new ProtoWriter()
    .string(1, name)
    .bytes(2, new ProtoWriter().bytes(1, tensorType).finish())
    .finish();
}

function graph(spec: GraphSpec): Uint8Array {
  const w = new ProtoWriter();
  spec.nodes.forEach((n, i) => w.bytes(1, node(n, i)));
  w.string(2, spec.name);
  spec.initializers.forEach((t) => w.bytes(5, tensor(t)));
  spec.inputs.forEach((v) => w.bytes(11, valueInfo(v)));
  spec.outputs.forEach((v) => w.bytes(12, valueInfo(v)));
  return w.finish();
}

/** Serialises a single-graph model on the default ONNX operator set. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const opset = new ProtoWriter().string(1, '').int(2, OPSET).finish();
  return new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, 'semantic-video-search fixture')
    .bytes(7, graph(spec))
    .bytes(8, opset)
    .finish();
}
